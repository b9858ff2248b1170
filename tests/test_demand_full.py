"""The demand claim's full form (graphbuild/plan/demand.py, csrc/exec/demand_full.c).

- Brandes' forward and backward sums, bfs_tree's argmin and sssp_tree's argmin claim it:
  each is computed only where its `where` mask holds; the frontier-off plan claims nothing;
- every program it applies to (and closeness/harmonic, which keep the early-exit form) gives
  bitwise the results of the claim-off, frontier-off and -O0 plans on the zoo, 1-16 threads;
- a crafted claim is refused: on an incremental kernel, with a value the consumer does not
  prove, with the result read elsewhere, or left uncomputed in an output.
"""
from __future__ import annotations

import copy

import pytest

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import GraphbuildError
from graphbuild.plan import Plan
from graphbuild.plan.demand import early_exit

from graphs import ZOO
from test_algorithms import SOURCES
from test_plan_claims import ALGORITHMS, compiled

FULL = ("betweenness", "betweenness_sample", "bfs_tree", "sssp_tree")
PROGRAMS = FULL + ("closeness", "harmonic")


def _full(plan):
    return [(i, k) for i, k in enumerate(plan.kernels)
            if k.domain == "edge" and k.demand_slot >= 0 and not early_exit(plan, k)]


def _off(plan):
    off = copy.deepcopy(plan)
    for _, k in _full(off):
        k.demand_slot, k.demand_value = -1, 0
    return off


def _o0(name):
    path = ALGORITHMS / f"{name}.gdsl"
    return compile_source(path.read_text(), str(path), opt_level=0)


def _params(name, g):
    if name in ("bfs_tree", "sssp_tree"):
        return {"source": SOURCES[g.name]}
    return {"k": 3, "seed": 5} if name == "betweenness_sample" else {}


def _graph(g):
    src, dst, weights = g.arrays()
    return runtime.Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))


def test_the_masked_aggregations_claim_the_full_form():
    aggs = {name: sorted(k.agg for _, k in _full(compiled(name))) for name in PROGRAMS}
    assert aggs == {"betweenness": ["sum", "sum"], "betweenness_sample": ["sum", "sum"],
                    "bfs_tree": ["min"], "sssp_tree": ["min"], "closeness": [], "harmonic": []}
    for name in PROGRAMS:
        assert not any(k.demand_slot >= 0 for k in compiled(name, frontier=False).kernels)
    # the forward sum is used on the frontier (bool, true), the backward one on a level
    plan = compiled("betweenness")
    assert {(plan.slots[k.demand_slot], k.demand_value) for _, k in _full(plan)} == {("bool", 1)}
    # loop reports count their passes as demand passes
    graph = _graph(ZOO[0])
    on = runtime.execute(plan, graph, {}).loops
    off = runtime.execute(_off(plan), graph, {}).loops
    assert [lp["edge_passes"]["demand"] > 0 for lp in on] == [True, True, True]
    assert [lp["edge_passes"]["demand"] for lp in off] == [0, 0, 0]
    assert [lp["edge_passes"]["pull"] for lp in on] == [lp["edge_passes"]["pull"] for lp in off]


@pytest.mark.parametrize("threads", [1, 2, 5, 16])
@pytest.mark.parametrize("g", ZOO, ids=lambda g: g.name)
def test_the_full_form_is_bitwise_the_dense_plans(g, threads):
    graph = _graph(g)
    for name in PROGRAMS:
        plan, params = compiled(name), _params(name, g)
        on = runtime.execute(plan, graph, params, threads=threads)
        for other in (_off(plan), compiled(name, frontier=False), _o0(name)):
            off = runtime.execute(other, graph, params, threads=threads)
            assert repr(on.columns) == repr(off.columns), name
            assert repr(on.values) == repr(off.values), name


def _refused(plan, match):
    with pytest.raises(GraphbuildError, match="invalid plan: .*" + match):
        runtime.Executable(plan)


def test_a_crafted_full_form_claim_is_refused():
    plan = compiled("k_core")   # an incremental count takes only the early-exit form
    edge = next(k for k in plan.kernels if k.domain == "edge" and k.incremental)
    edge.demand_slot, edge.demand_value = plan.outputs[0].index, 0
    _refused(plan, "which it does not allow")
    plan = compiled("betweenness")   # the sum is used where the frontier holds, not elsewhere
    _full(plan)[0][1].demand_value = 0
    _refused(plan, "which its consumer does not allow")
    # the backward sum's result read by a later kernel: its stale values would be seen
    plan = compiled("betweenness")
    i, edge = _full(plan)[1]
    later = next(k for k in plan.kernels[i + 2:] if k.domain == "node"
                 and any(m.op == "load" and plan.slots[m.args[1]] == "float" for m in k.micro))
    next(m for m in later.micro if m.op == "load").args[1] = edge.out_slot
    _refused(plan, "which its consumer does not allow")
    # ... or as an output (C cannot see outputs: loading the plan file refuses it)
    plan = compiled("betweenness")
    plan.outputs[0].index = _full(plan)[1][1].out_slot
    with pytest.raises(GraphbuildError, match="leaves uncomputed values in an output"):
        Plan.from_json(plan.to_json())
    plan.outputs[0].index = _full(plan)[0][1].out_slot   # stored by its node kernel: fine
    assert Plan.from_json(plan.to_json()).outputs[0].index == plan.outputs[0].index
