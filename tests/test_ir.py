"""Lowering to the typed IR, the verifier and the IR printer."""
from __future__ import annotations

import pytest
from gdsl_programs import LANGUAGE_EXAMPLES, lowered, sources

from graphbuild import ir, lang
from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.ir.nodes import (
    AggArg,
    Block,
    Function,
    Loc,
    LoopKind,
    Node,
    Op,
    Param,
    clone,
    count_ops,
    loop_body,
    loop_inits,
    walk,
)
from graphbuild.types import DType, Type

INT, FLOAT, BOOL = Type.scalar(DType.INT), Type.scalar(DType.FLOAT), Type.scalar(DType.BOOL)
FLOATV = Type.vector(DType.FLOAT)


def ops(fn: Function) -> list[Op]:
    return [n.op for n in walk(fn.body)]


def the(fn: Function, op: Op) -> Node:
    found = [n for n in walk(fn.body) if n.op is op]
    assert len(found) == 1, f"{len(found)} {op} nodes"
    return found[0]


@pytest.mark.parametrize("name", sorted(sources()))
def test_every_program_lowers_to_verified_ir(name):
    fn = lowered(sources()[name])
    ir.verify(fn)
    text = ir.format_ir(fn)
    assert text.startswith(f"algorithm {name}(")
    assert fn.lowered_ops == count_ops(fn) > 0


def test_pagerank_loop_carries_exactly_rank():
    fn = lowered(LANGUAGE_EXAMPLES["pagerank"])
    loop = the(fn, Op.LOOP)
    assert loop.arg is LoopKind.REPEAT_UNTIL
    assert [a.name for a in loop_body(loop).args] == ["rank"]
    assert loop.src[0].op is Op.PARAM  # the count, max_iter
    until = loop_body(loop).yields[-1]
    assert until.op is Op.LT and until.type == BOOL
    # the result replaces rank after the loop and is what the algorithm returns
    result = fn.body.yields[0]
    assert result.op is Op.RESULT and result.src[0] is loop and fn.outputs == ["rank"]


def test_pagerank_aggregation_is_one_op_with_an_edge_graph():
    fn = lowered(LANGUAGE_EXAMPLES["pagerank"])
    agg = the(fn, Op.AGG)
    assert agg.arg == AggArg("sum", "in", has_filter=False, has_default=False)
    assert agg.type == FLOATV
    edge = agg.regions[0]
    leaves = [n for n in edge.nodes if n.op is Op.E_GATHER]
    assert [agg.src[n.arg].name for n in leaves] == ["rank", "deg"]
    # deg[u] is an int: the division converts it explicitly
    div = edge.yields[0]
    assert div.op is Op.DIV and div.src[1].op is Op.CAST and div.src[1].src[0] is leaves[1]


def test_while_loop_carries_every_reassigned_variable_in_order():
    fn = lowered(LANGUAGE_EXAMPLES["bfs"])
    loop = the(fn, Op.LOOP)
    assert loop.arg is LoopKind.WHILE
    cond, body = loop.regions
    assert [a.name for a in body.args] == ["depth", "frontier", "level"]
    assert [a.type for a in cond.args] == [a.type for a in body.args] == [i.type for i in loop_inits(loop)]
    assert cond.yields[0].op is Op.REDUCE and cond.yields[0].arg == "any"


def test_int_operand_of_float_op_gets_a_cast():
    fn = lowered("algorithm a():\n    x = 1 + 2.5\n    return x\n")
    add = the(fn, Op.ADD)
    assert add.type == FLOAT
    assert add.src[0].op is Op.CAST and add.src[0].src[0].arg == 1


def test_scalar_operands_broadcast_by_shape():
    fn = lowered("algorithm a(k: float = 2.0):\n    x = out_degree() * k\n    return x\n")
    mul = the(fn, Op.MUL)
    assert mul.type == FLOATV
    assert mul.src[0].op is Op.CAST and mul.src[0].type == FLOATV
    assert mul.src[1].op is Op.PARAM and mul.src[1].type == FLOAT


def test_if_results_are_the_definitely_assigned_variables():
    fn = lowered("""\
algorithm a(k: int = 1):
    x = 0
    if k > 0:
        x = 1
        y = 2
        z = 3
    elif k < 0:
        y = 4
    else:
        y = 5
        z = 6
    return x, y
""")
    outer = next(n for n in fn.body.nodes if n.op is Op.IF)
    results = [n for n in fn.body.nodes if n.op is Op.RESULT and n.src[0] is outer]
    # x existed before; y is set on every path; z only on some, so it is not a result
    assert [r.name for r in results] == ["x", "y"]
    then, orelse = outer.regions
    assert [y.arg for y in then.yields] == [1, 2]
    inner = next(n for n in orelse.nodes if n.op is Op.IF)  # elif is a nested if
    assert inner.src[0].op is Op.LT


def test_scalar_and_evaluates_its_right_side_only_when_needed_if_it_can_raise():
    raising = lowered("algorithm a(k: int = 0):\n    b = k != 0 and 10 // k > 1\n    return b\n")
    if_ = the(raising, Op.IF)
    assert any(n.op is Op.FLOORDIV for n in walk(if_.regions[0]))
    assert Op.AND not in ops(raising)
    pure = lowered("algorithm a(k: int = 0):\n    b = k != 0 and k > 1\n    return b\n")
    assert Op.IF not in ops(pure) and Op.AND in ops(pure)


def test_aggregation_scalars_are_computed_once_outside():
    fn = lowered("""\
algorithm a(s: float = 2.0):
    x = fill(1.0)
    y = sum(x[u] * (s + 1.0) for u in nbrs)
    return y
""")
    agg = the(fn, Op.AGG)
    scalar = next(n for n in agg.regions[0].nodes if n.op is Op.E_SCALAR)
    outside = agg.src[scalar.arg]
    assert outside.op is Op.ADD and outside.type == FLOAT and outside in fn.body.nodes


def test_graph_functions_inside_an_aggregation_are_the_owners():
    fn = lowered("algorithm a():\n    y = max(node_id() for u in nbrs)\n    return y\n")
    agg = the(fn, Op.AGG)
    own = next(n for n in agg.regions[0].nodes if n.op is Op.E_OWN)
    assert agg.src[own.arg].op is Op.NODE_ID


def test_mode_without_default_defaults_to_its_expression_at_the_node():
    fn = lowered(LANGUAGE_EXAMPLES["label_propagation"])
    agg = the(fn, Op.AGG)
    assert agg.arg.kind == "mode" and agg.arg.has_default
    label = loop_body(the(fn, Op.LOOP)).args[0]
    assert agg.src[-1] is label  # label[u] with u := v is label itself
    fn = lowered("algorithm a():\n    m = mode(u for u in nbrs)\n    return m\n")
    assert the(fn, Op.AGG).src[-1].op is Op.NODE_ID


def test_mean_is_sum_over_node_count():
    fn = lowered("algorithm a():\n    m = mean(out_degree())\n    return m\n")
    div = the(fn, Op.DIV)
    assert div.src[0].src[0].op is Op.REDUCE and div.src[1].src[0].op is Op.NODE_COUNT


def test_choosing_among_several_algorithms():
    module = lang.load(LANGUAGE_EXAMPLES["bfs"] + "\n" + LANGUAGE_EXAMPLES["sssp"], "two.gdsl")
    with pytest.raises(GraphbuildError) as err:
        ir.lower(module, None)
    assert err.value.kind is ErrorKind.USAGE and "bfs, sssp" in err.value.message
    with pytest.raises(GraphbuildError) as err:
        ir.lower(module, "pagerank")
    assert err.value.kind is ErrorKind.USAGE and "bfs, sssp" in err.value.message
    assert ir.lower(module, "sssp").name == "sssp"


def test_clone_is_independent():
    fn = lowered(LANGUAGE_EXAMPLES["bfs"])
    copy = clone(fn)
    assert ir.format_ir(copy) == ir.format_ir(fn)
    assert not set(walk(copy.body)) & set(walk(fn.body))


def test_printer_shows_types_names_and_locations():
    text = ir.format_ir(lowered(LANGUAGE_EXAMPLES["pagerank"]))
    assert "loop repeat_until" in text and "agg sum in" in text and "edge():" in text
    assert "[incoming]" in text and "@7:20" in text
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("  return rank=%")


# ---- the verifier ------------------------------------------------------------------


def _fn(nodes: list[Node], yields: list[Node], params=()) -> Function:
    outputs = [f"r{i}" for i in range(len(yields))]
    return Function("t", list(params), Block(nodes=nodes, yields=yields), outputs)


def _const(value, ty=INT) -> Node:
    return Node(Op.CONST, ty, (), value, Loc(1, 1))


def test_verifier_rejects_use_before_definition():
    a, b = _const(1), _const(2)
    add = Node(Op.ADD, INT, (a, b), loc=Loc(1, 1))
    with pytest.raises(ir.VerifyError, match="not defined before"):
        ir.verify(_fn([add, a, b], [add]))


def test_verifier_rejects_mixed_operand_types():
    a, b = _const(1), _const(2.0, FLOAT)
    add = Node(Op.ADD, FLOAT, (a, b), loc=Loc(1, 1))
    with pytest.raises(ir.VerifyError, match="operand types"):
        ir.verify(_fn([a, b, add], [add]))


def test_verifier_rejects_a_loop_without_results_and_wrong_carried_types():
    init = _const(0)
    arg = Node(Op.ARG, INT, (), 0, Loc(1, 1))
    count = _const(3)
    wrong = _const(1.0, FLOAT)
    loop = Node(Op.LOOP, None, (count, init), LoopKind.REPEAT, Loc(1, 1),
                (Block(args=[arg], nodes=[wrong], yields=[wrong]),))
    with pytest.raises(ir.VerifyError, match="changes type"):
        ir.verify(_fn([init, count, loop, Node(Op.RESULT, INT, (loop,), 0, Loc(1, 1))], []))
    loop.regions[0].yields = [arg]
    with pytest.raises(ir.VerifyError, match="missing its RESULT"):
        ir.verify(_fn([init, count, loop], []))


def test_verifier_rejects_edge_leaves_outside_aggregations_and_open_edge_graphs():
    nbr = Node(Op.E_NBR, Type.vector(DType.NODE), loc=Loc(1, 1))
    with pytest.raises(ir.VerifyError, match="inside an aggregation"):
        ir.verify(_fn([nbr], [nbr]))
    outside = Node(Op.NODE_ID, Type.vector(DType.NODE), loc=Loc(1, 1))
    edge = Block(nodes=[], yields=[outside])  # reads a node-level value directly
    agg = Node(Op.AGG, Type.vector(DType.NODE), (), AggArg("max", "in"), Loc(1, 1), (edge,))
    with pytest.raises(ir.VerifyError, match="not defined in scope"):
        ir.verify(_fn([outside, agg], [agg]))


def test_verifier_rejects_params_of_the_wrong_type():
    p = Node(Op.PARAM, FLOAT, (), 0, Loc(1, 1))
    with pytest.raises(ir.VerifyError, match="PARAM type"):
        ir.verify(_fn([p], [p], params=[Param("k", DType.INT, 1)]))
