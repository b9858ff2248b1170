"""The IR dataflow analysis (graphbuild/ir/dataflow.py): def-use chains, region reads,
loop-carried values, liveness across back edges, side effects, recomputable vectors."""
from __future__ import annotations

from gdsl_programs import LANGUAGE_EXAMPLES, lowered

from graphbuild.ir import dataflow
from graphbuild.ir.nodes import Op, loop_body, walk


def named(fn, name: str, region=None):
    """The node first bound to variable name (in region, else anywhere)."""
    nodes = walk(region) if region is not None else walk(fn.body)
    return next(n for n in nodes if n.name == name and n.op is not Op.RESULT)


def the_loop(fn):
    return next(n for n in walk(fn.body) if n.op is Op.LOOP)


LOOP_READS_OUTSIDE = """\
algorithm a(k: int = 3):
    x = fill(1.0)
    y = fill(0.0)
    repeat k:
        z = x * 2.0
        y = y + z
    w = y + 1.0
    return w
"""


def test_def_use_records_users_yields_and_results():
    fn = lowered(LOOP_READS_OUTSIDE)
    du = dataflow.def_use(fn.body)
    loop = the_loop(fn)
    x = named(fn, "x")
    z = named(fn, "z")
    assert [u.op for u in du.uses(x)] == [Op.MUL]            # used inside the loop body
    assert [u.op for u in du.uses(z)] == [Op.ADD]
    new_y = loop_body(loop).yields[0]
    assert du.uses(new_y) == [dataflow.YIELDED]             # carried: yielded by the body
    (result,) = du.results[loop]
    assert result.name == "y" and du.block_of[result] is fn.body


def test_free_uses_are_what_a_loop_reads_from_outside():
    fn = lowered(LOOP_READS_OUTSIDE)
    loop = the_loop(fn)
    x = named(fn, "x")
    outside = dataflow.free_uses(loop)
    assert x in outside
    assert not outside & dataflow.region_defs(loop)
    assert dataflow.reads(loop) == outside | set(loop.src)


def test_carried_values_and_invariance():
    fn = lowered("""\
algorithm a(k: int = 3):
    x = fill(1.0)
    y = fill(0.0)
    repeat k:
        if k > 5:
            x = x * 2.0
        y = y + x
    return y
""")
    loop = the_loop(fn)
    du = dataflow.def_use(fn.body)
    carried = {c.args[0].name: c for c in dataflow.carried_values(loop, du)}
    assert set(carried) == {"x", "y"}
    assert not carried["x"].invariant and not carried["y"].invariant
    assert du.is_used(carried["y"].result) and not du.is_used(carried["x"].result)  # only y is read after


def test_a_value_read_in_a_loop_is_live_across_the_back_edge():
    fn = lowered(LOOP_READS_OUTSIDE)
    loop = the_loop(fn)
    body = loop_body(loop)
    x = named(fn, "x")
    live = dataflow.live_sets(fn.body)
    last = body.nodes[-1]  # y + z: after it x is never read again in this pass...
    assert x in live[last]  # ...but the next pass reads it: live around the back edge
    after_loop = live[fn.body.nodes[-1]]
    assert x not in after_loop


def test_carried_argument_dies_inside_the_body_and_its_next_value_lives_to_the_end():
    fn = lowered(LOOP_READS_OUTSIDE)
    body = loop_body(the_loop(fn))
    (y_arg,) = body.args
    live = dataflow.live_sets(fn.body)
    add = body.nodes[-1]
    assert y_arg not in live[add] and body.yields[0] in live[add]


def test_while_condition_keeps_the_carried_values_the_body_needs():
    fn = lowered(LANGUAGE_EXAMPLES["bfs"])
    loop = the_loop(fn)
    cond, body = loop.regions
    ends = dataflow.region_live_out(loop, set())
    body_in = dataflow.live_in(body, ends[1])
    needed = {cond.args[i] for i, a in enumerate(body.args) if a in body_in}
    assert needed and needed <= ends[0]


def test_max_live_vectors_counts_values_not_statements():
    fn = lowered(LOOP_READS_OUTSIDE)
    # inside the loop x, y and z (or the new y) are live at once
    assert dataflow.max_live_vectors(fn.body) >= 3


def test_side_effects_and_recomputable_vectors():
    fn = lowered("""\
algorithm a(k: int = 0):
    d = out_degree()
    e = d == 0
    f = d // k
    g = float(d) * 2.0
    return e, f, g
""")
    e, f, g = fn.body.yields
    assert dataflow.recomputable(named(fn, "d")) and dataflow.recomputable(e)
    assert not dataflow.recomputable(f)       # may raise (k may be 0)
    assert dataflow.may_raise(f) and not dataflow.may_raise(e)
    assert not dataflow.recomputable(g)       # two ops deep: computed once and stored


def test_dependencies_follow_operands():
    fn = lowered(LOOP_READS_OUTSIDE)
    w = fn.body.yields[0]
    deps = dataflow.dependencies([w])
    assert the_loop(fn) in deps and named(fn, "y") in deps
