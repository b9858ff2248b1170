"""The checker on good programs: the types, name kinds and output names it records.

Every example program of LANGUAGE.md is checked here, with the types lowering relies on.
"""
from __future__ import annotations

import pytest

from graphbuild.lang import ast, check, load, parse
from graphbuild.lang.tree import walk
from graphbuild.types import DType, Shape, Type

INT, FLOAT, BOOL, NODE = (Type.scalar(d) for d in (DType.INT, DType.FLOAT, DType.BOOL, DType.NODE))
INTV, FLOATV, BOOLV, NODEV = (Type.vector(d) for d in (DType.INT, DType.FLOAT, DType.BOOL, DType.NODE))

PAGERANK = """\
# algorithms/pagerank.gdsl — PageRank by power iteration, pull direction.
algorithm pagerank(damping: float = 0.85, tol: float = 1e-6, max_iter: int = 100):
    n = node_count()
    deg = out_degree()
    rank = fill(1.0 / n)
    repeat max_iter until delta < n * tol:
        leaked = sum(where(deg == 0, rank, 0.0)) / n
        incoming = sum(rank[u] / deg[u] for u in in_nbrs)
        new_rank = (1.0 - damping) / n + damping * (incoming + leaked)
        delta = sum(abs(new_rank - rank))
        rank = new_rank
    return rank
"""

BFS = """\
algorithm bfs(source: node = 0):
    level = where(node_id() == source, 0, -1)
    frontier = node_id() == source
    depth = 0
    while any(frontier):
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        level = where(frontier, depth, level)
    return level
"""

CONNECTED_COMPONENTS = """\
algorithm connected_components():
    comp = node_id()
    changed = true
    while changed:
        new_comp = min(comp, min(comp[u] for u in nbrs))
        changed = any(new_comp != comp)
        comp = new_comp
    return comp
"""

SSSP = """\
algorithm sssp(source: node = 0):
    dist = where(node_id() == source, 0.0, inf)
    changed = true
    while changed:
        new_dist = min(dist, min(dist[u] + weight for u in in_nbrs))
        changed = any(new_dist < dist)
        dist = new_dist
    return dist
"""

LABEL_PROPAGATION = """\
algorithm label_propagation(max_iter: int = 30):
    label = node_id()
    repeat max_iter until stable:
        new_label = mode(label[u] for u in nbrs)
        stable = all(new_label == label)
        label = new_label
    return label
"""

EXAMPLES = {"pagerank": PAGERANK, "bfs": BFS, "connected_components": CONNECTED_COMPONENTS,
            "sssp": SSSP, "label_propagation": LABEL_PROPAGATION}


# ---- helpers ---------------------------------------------------------------------


def statements(body: list[ast.Stmt]):
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.Repeat, ast.While)):
            yield from statements(stmt.body)
        elif isinstance(stmt, ast.If):
            for _, arm in stmt.arms:
                yield from statements(arm)
            yield from statements(stmt.orelse or [])


def expressions(alg: ast.Algorithm):
    for p in alg.params:
        yield from walk(p.default)
    for stmt in statements(alg.body):
        roots = {ast.Assign: lambda s: [s.value], ast.Repeat: lambda s: [s.count, s.until],
                 ast.While: lambda s: [s.cond], ast.If: lambda s: [c for c, _ in s.arms],
                 ast.Return: lambda s: s.values}[type(stmt)](stmt)
        for root in roots:
            yield from walk(root)


def assigned(alg: ast.Algorithm, target: str) -> list[ast.Expr]:
    return [s.value for s in statements(alg.body) if isinstance(s, ast.Assign) and s.target == target]


def only(alg: ast.Algorithm, target: str) -> ast.Expr:
    (value,) = assigned(alg, target)
    return value


def one_algorithm(source: str) -> ast.Algorithm:
    (alg,) = load(source, "t.gdsl").algorithms
    return alg


def typed(text: str, setup: str = "", params: str = "") -> Type:
    """The type of expression `text` after the `setup` statements."""
    lines = "".join(f"    {line.strip()}\n" for line in setup.split(";") if line.strip())
    alg = one_algorithm(f"algorithm f({params}):\n{lines}    probe = {text}\n    return probe\n")
    return only(alg, "probe").ty


# ---- the shipped examples ----------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_checks_and_every_expression_is_typed(name):
    alg = one_algorithm(EXAMPLES[name])
    assert alg.name == name
    for e in expressions(alg):
        assert isinstance(e.ty, Type), e
        if isinstance(e, ast.Name):
            assert e.kind in ("var", "param", "nbr", "weight")


def test_pagerank_types():
    alg = one_algorithm(PAGERANK)
    assert only(alg, "n").ty == INT
    assert only(alg, "deg").ty == INTV
    assert [v.ty for v in assigned(alg, "rank")] == [FLOATV, FLOATV]
    assert only(alg, "leaked").ty == FLOAT
    assert only(alg, "delta").ty == FLOAT
    incoming = only(alg, "incoming")
    assert isinstance(incoming, ast.Aggregation) and incoming.ty == FLOATV
    assert (incoming.func, incoming.var, incoming.direction) == ("sum", "u", "in_nbrs")
    div = incoming.expr
    assert div.ty == FLOATV  # a per-edge value
    for index in (div.left, div.right):
        assert isinstance(index, ast.Index) and index.neighbor
        assert index.index.kind == "nbr" and index.index.ty == NODEV
        assert index.target.kind == "var"
    assert div.left.ty == FLOATV and div.right.ty == INTV
    rep = next(s for s in alg.body if isinstance(s, ast.Repeat))
    assert rep.count.ty == INT and rep.count.kind == "param"
    assert rep.until.ty == BOOL
    assert alg.body[-1].names == ["rank"]
    damping, tol, max_iter = alg.params
    assert (damping.default.ty, tol.default.ty, max_iter.default.ty) == (FLOAT, FLOAT, INT)


def test_bfs_types():
    alg = one_algorithm(BFS)
    assert [v.ty for v in assigned(alg, "level")] == [INTV, INTV]
    assert [v.ty for v in assigned(alg, "frontier")] == [BOOLV, BOOLV]
    assert [v.ty for v in assigned(alg, "depth")] == [INT, INT]
    first_frontier = assigned(alg, "frontier")[0]
    assert first_frontier.right.kind == "param" and first_frontier.right.ty == NODE
    agg = assigned(alg, "frontier")[1].left
    assert isinstance(agg, ast.Aggregation) and agg.func == "any" and agg.ty == BOOLV
    assert agg.expr.neighbor and agg.expr.ty == BOOLV
    loop = next(s for s in alg.body if isinstance(s, ast.While))
    assert loop.cond.ty == BOOL
    assert alg.params[0].default.ty == NODE


def test_connected_components_types():
    alg = one_algorithm(CONNECTED_COMPONENTS)
    new_comp = only(alg, "new_comp")
    assert new_comp.ty == NODEV  # min keeps node when every operand is node
    inner = new_comp.args[1]
    assert isinstance(inner, ast.Aggregation) and inner.ty == NODEV and inner.direction == "nbrs"
    assert [v.ty for v in assigned(alg, "changed")] == [BOOL, BOOL]


def test_sssp_types():
    alg = one_algorithm(SSSP)
    assert [v.ty for v in assigned(alg, "dist")] == [FLOATV, FLOATV]
    inner = only(alg, "new_dist").args[1]
    plus = inner.expr
    assert plus.ty == FLOATV
    assert plus.left.neighbor and plus.right.kind == "weight" and plus.right.ty == FLOATV
    assert inner.ty == FLOATV


def test_label_propagation_types():
    alg = one_algorithm(LABEL_PROPAGATION)
    new_label = only(alg, "new_label")
    assert isinstance(new_label, ast.Aggregation) and new_label.func == "mode"
    assert new_label.ty == NODEV and new_label.default is None
    assert only(alg, "stable").ty == BOOL
    rep = alg.body[1]
    assert rep.until.kind == "var" and rep.until.ty == BOOL  # set in the body, read by until


def test_all_examples_in_one_module():
    module = load("\n".join(EXAMPLES.values()), "all.gdsl")
    assert [a.name for a in module.algorithms] == list(EXAMPLES)


def test_check_returns_the_same_module_and_load_is_parse_then_check():
    module = parse(BFS, "b.gdsl")
    assert check(module) is module
    assert module.algorithms[0].body[0].value.ty == INTV


# ---- typing rules ------------------------------------------------------------------


@pytest.mark.parametrize("text, ty", [
    ("1 + 2", INT), ("1 + 2.0", FLOAT), ("7 / 2", FLOAT), ("7 // 2", INT), ("7.0 // 2", FLOAT),
    ("7 % 2", INT), ("2 ** 3", INT), ("2 ** 0.5", FLOAT), ("-3", INT), ("-3.0", FLOAT),
    ("1 < 2.5", BOOL), ("true == false", BOOL), ("true != (1 < 2)", BOOL),
    ("not true", BOOL), ("true and false or true", BOOL),
    ("fill(1) + 2", INTV), ("fill(1) * 0.5", FLOATV), ("fill(true)", BOOLV),
    ("node_id() + 1", INTV), ("-node_id()", INTV), ("node_id() == 3", BOOLV),
    ("node_id() < node_id()", BOOLV), ("abs(node_id())", INTV), ("abs(-2)", INT),
    ("abs(fill(2.0))", FLOATV), ("sqrt(4)", FLOAT), ("floor(2.5)", FLOAT), ("ceil(out_degree())", FLOATV),
    ("exp(1)", FLOAT), ("log(fill(1.0))", FLOATV),
    ("float(3)", FLOAT), ("float(true)", FLOAT), ("int(2.7)", INT), ("int(fill(true))", INTV),
    ("int(node_id())", INTV),
    ("min(1, 2)", INT), ("min(1, 2.0, 3)", FLOAT), ("max(node_id(), 0)", INTV),
    ("max(node_id(), node_id())", NODEV), ("min(fill(1.0), 2)", FLOATV),
    ("where(true, 1, 2)", INT), ("where(node_id() == 0, 1, 2.0)", FLOATV),
    ("where(true, node_id(), node_id())", NODEV), ("where(true, node_id(), 0)", INTV),
    ("where(fill(true), true, false)", BOOLV),
    ("node_count()", INT), ("edge_count()", INT), ("node_id()", NODEV), ("in_degree()", INTV),
    ("out_degree()", INTV), ("degree()", INTV), ("random(7)", FLOATV),
    ("sum(out_degree())", INT), ("sum(fill(1.5))", FLOAT), ("sum(node_id())", INT),
    ("mean(out_degree())", FLOAT), ("min(node_id())", NODE), ("max(fill(2.0))", FLOAT),
    ("count(node_id() == 0)", INT), ("any(fill(true))", BOOL), ("all(fill(false))", BOOL),
    ("argmin(fill(1.0))", NODE), ("argmax(out_degree())", NODE),
    ("inf", FLOAT), ("nan", FLOAT),
])
def test_expression_types(text, ty):
    assert typed(text) == ty


def test_element_of_a_vector_is_a_scalar():
    assert typed("x[s]", "x = fill(1.5)", "s: node = 0") == FLOAT
    assert typed("x[2]", "x = node_id()") == NODE
    index = only(one_algorithm("algorithm f(s: node = 0):\n    x = fill(1.5)\n    y = x[s]\n"
                               "    return y\n"), "y")
    assert not index.neighbor and index.index.kind == "param"


@pytest.mark.parametrize("text, ty", [
    ("count(true for u in nbrs)", INTV),
    ("sum(1 for u in nbrs)", INTV),
    ("sum(x[u] for u in in_nbrs)", FLOATV),
    ("sum(d[u] for u in out_nbrs)", INTV),
    ("mean(d[u] for u in nbrs)", FLOATV),
    ("min(d[u] for u in nbrs)", INTV),
    ("min(u for u in nbrs)", NODEV),
    ("max(u for u in nbrs, default=-1)", INTV),          # node with int gives int
    ("min(float(d[u]) for u in nbrs, default=inf)", FLOATV),
    ("sum(x[u] for u in nbrs, default=0)", FLOATV),      # an int default of a float aggregation
    ("mode(u for u in nbrs, default=node_id())", NODEV),
    ("max(x[u] for u in nbrs, default=x)", FLOATV),      # a vector default: v's own value
    ("mode(d[u] for u in nbrs)", INTV),
    ("mode(x[u] * weight for u in nbrs, default=0.0)", FLOATV),
    ("any(x[u] > x for u in nbrs)", BOOLV),
    ("all(u != node_id() for u in nbrs)", BOOLV),
    ("sum(weight for u in nbrs if u != node_id())", FLOATV),
    ("count(weight > 0.5 for u in nbrs if d[u] > d)", INTV),
    ("sum(x[u] * s for u in nbrs)", FLOATV),
    ("sum(x[k] for u in nbrs)", FLOATV),                   # a scalar element broadcasts
    ("sum(sum(x[u] for u in nbrs))", FLOAT),
    ("sum(x[w] for w in nbrs)", FLOATV),                   # any name for the neighbor
])
def test_aggregation_types(text, ty):
    assert typed(text, "x = fill(1.0); d = out_degree(); k = 0", "s: float = 2.0") == ty


def test_names_inside_an_aggregation():
    alg = one_algorithm("algorithm f(s: float = 1.0):\n    x = fill(1.0)\n"
                        "    y = sum(x[u] * weight + x * s + float(u) for u in nbrs if weight > 0.0)\n"
                        "    return y\n")
    agg = only(alg, "y")
    kinds = {(n.id, n.kind, n.ty) for n in walk(agg) if isinstance(n, ast.Name)}
    assert kinds == {("x", "var", FLOATV), ("u", "nbr", NODEV), ("weight", "weight", FLOATV),
                     ("s", "param", FLOAT)}
    indexes = [n for n in walk(agg) if isinstance(n, ast.Index)]
    assert [i.neighbor for i in indexes] == [True]
    assert agg.filter.ty == BOOLV


# ---- definite assignment -------------------------------------------------------------


@pytest.mark.parametrize("body", [
    # every arm of an if/elif/else assigns
    "if a > 0:\n        y = 1\n    elif a < 0:\n        y = 2\n    else:\n        y = 3\n    z = y",
    # assigned before the loop, reassigned inside
    "y = 0\n    while y < a:\n        y = y + 1\n    z = y",
    # until may read what the body assigns
    "repeat a until y > 3:\n        y = 5\n    z = 1",
    # a variable set and used inside the same loop body
    "repeat a:\n        t = a * 2\n        u2 = t + 1\n    z = 1",
    # nested ifs assigning on every path
    ("if a > 0:\n        if a > 1:\n            y = 1\n        else:\n            y = 2\n"
     "    else:\n        y = 3\n    z = y"),
])
def test_definitely_assigned(body):
    one_algorithm(f"algorithm f(a: int = 1):\n    {body}\n    return z\n")


# ---- statements, outputs and parameters ----------------------------------------------


def test_return_names():
    alg = one_algorithm("algorithm f(k: int = 1):\n    x = fill(1.0)\n    y = 2\n"
                        "    return x, x * 2.0, k, sum(x), y\n")
    ret = alg.body[-1]
    assert ret.names == ["x", "result", "k", "result2", "y"]
    assert [v.ty for v in ret.values] == [FLOATV, FLOATV, INT, FLOAT, INT]


def test_parameter_defaults_take_the_declared_type():
    alg = one_algorithm("algorithm f(a: float = 1, b: int = -1, c: node = 2, d: bool = true, "
                        "e: float = -inf, req: int):\n    return a\n")
    a, b, c, d, e, req = alg.params
    assert a.default.ty == FLOAT and a.default.value == 1.0 and isinstance(a.default.value, float)
    assert b.default.ty == INT and b.default.operand.ty == INT and b.default.operand.value == 1
    assert c.default.ty == NODE and c.default.value == 2
    assert d.default.ty == BOOL
    assert e.default.ty == FLOAT
    assert req.default is None


def test_required_parameter_may_come_after_defaulted_ones():
    alg = one_algorithm("algorithm f(a: int = 1, b: float):\n    c = a + b\n    return c\n")
    assert only(alg, "c").ty == FLOAT


def test_loop_count_and_if_condition():
    alg = one_algorithm("algorithm f(k: int = 2):\n    x = 0\n    repeat k * 2:\n        x = x + 1\n"
                        "    if x > 1 and not (x == 3):\n        x = 0\n    return x\n")
    assert alg.body[1].count.ty == INT
    assert alg.body[2].arms[0][0].ty == BOOL


def test_a_variable_may_share_a_name_with_another_algorithms_parameter():
    module = load("algorithm a(k: int = 1):\n    return k\n\nalgorithm b():\n    k = 2.5\n"
                  "    return k\n", "t.gdsl")
    assert module.algorithms[1].body[0].value.ty == FLOAT
    assert Shape.SCALAR is module.algorithms[0].body[0].values[0].ty.shape


def test_format_ast_shows_structure_types_and_outputs():
    from graphbuild.lang import format_ast

    text = format_ast(load(PAGERANK, "pagerank.gdsl"))
    lines = text.splitlines()
    assert lines[0] == "# pagerank.gdsl"
    assert lines[1].split() == ["2:11", "algorithm", "pagerank(damping:", "float", "=", "0.85,", "tol:",
                                "float", "=", "1e-06,", "max_iter:", "int", "=", "100):"]
    assert "   8:9           incoming = sum((rank[u] / deg[u]) for u in in_nbrs) : float vector" in lines
    assert "   6:5       repeat max_iter until (delta < (n * tol)):" in lines
    assert lines[-1].endswith("return rank    -> rank: float vector")
