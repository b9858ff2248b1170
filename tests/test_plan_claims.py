"""The plan states the executor's decisions (graphbuild/plan/claims.py) and C checks them.

- the shipped algorithms come out in the forms the issue names (BFS's any-gather switching,
  SSSP's min plus weight pushing, PageRank's sum dense), and the executor runs them;
- a crafted plan that claims more than its micro-ops allow (a shape they are not, the push
  form of a sum, a level of dependent kernels, a broken level partition) is refused with a
  clear error before anything runs;
- node kernels claim the active sets plan/active.py proves, and a guard it does not
  prove is refused;
- a plan with every frontier form and active set turned off gives bitwise the same results.
"""
from __future__ import annotations

import pathlib

import pytest

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.ir import lower
from graphbuild.lang import load
from graphbuild.passes import optimize
from graphbuild.plan.build import build_plan
from graphbuild.plan.options import PlanOptions

ALGORITHMS = pathlib.Path(__file__).resolve().parent.parent / "algorithms"


def compiled(name: str, frontier: bool = True):
    path = ALGORITHMS / f"{name}.gdsl"
    fn = optimize(lower(load(path.read_text(), str(path)), None), 1)
    return build_plan(fn, str(path), PlanOptions(frontier=frontier))


def kron_graph(directed: bool = False, n: int = 300):
    edges, weights = [], []
    for v in range(n):
        for k in (1, 2, 7, 31):
            if v % (k + 2):
                edges.append((v, (v * k + 3) % n))
                weights.append(0.25 + (v * k) % 5)
    return runtime.Graph.from_edges(n, edges, weights, directed)


def edge_forms(plan):
    return {(k.agg, k.shape, k.directions, k.frontier, k.incremental)
            for k in plan.kernels if k.domain == "edge"}


def test_shipped_algorithms_claim_the_forms_their_kernels_allow():
    assert ("any", "gather", "pull", "switching", True) in edge_forms(compiled("bfs"))
    assert ("min", "plus_weight", "pull+push", "switching", True) in edge_forms(compiled("sssp"))
    assert edge_forms(compiled("pagerank")) == {("sum", "gather", "pull", "dense", False)}
    assert ("count", "gather", "pull+push", "switching", True) in edge_forms(compiled("k_core"))
    for k in compiled("sssp", frontier=False).kernels:
        assert not k.incremental and k.frontier == "dense" and k.directions in ("", "pull")
    bfs = compiled("bfs")
    assert [lp["active_set"] for lp in bfs.stats["loops"]] == ["list"]   # plan/frontier.py
    assert [lp["active_set"] for lp in compiled("sssp").stats["loops"]] == ["delta_stepping"]
    assert [lp["active_set"] for lp in compiled("label_propagation").stats["loops"]] == ["switching"]
    assert [lp["active_set"] for lp in compiled("pagerank").stats["loops"]] == ["dense"]


def test_node_kernels_claim_the_active_sets_the_analysis_proves():
    bfs = compiled("bfs")
    # any(frontier): only frontier's true nodes count; the level update: only where the
    # aggregation found a frontier neighbor
    guarded = [k for k in bfs.kernels if k.domain == "node" and k.active_slot >= 0]
    assert len(guarded) == 2
    fused = next(ins for ins in bfs.code if ins.op == "fused")
    edge, node = (bfs.kernels[i] for i in fused.args)
    assert node.active_slot == edge.out_slot
    assert len(bfs.stats["loops"][0]["active_kernels"]) == 2
    assert bfs.stats["loops"][0]["active_kernels"][f"k{fused.args[1]}"] == f"s{edge.out_slot}"
    # k-core: any(alive), any(peel) and the peeling step are guarded; the min over alive
    # nodes (where(alive, d, top) is top, not 0, elsewhere) is not
    k_core = compiled("k_core")
    assert sum(k.active_slot >= 0 for k in k_core.kernels) == 3
    assert all(k.active_slot < 0 for k in k_core.kernels
               if any(m.op == "red_min_i" for m in k.micro))
    for name in ("pagerank", "sssp", "connected_components"):
        assert all(k.active_slot < 0 for k in compiled(name).kernels), name
    assert all(k.active_slot < 0 for k in compiled("bfs", frontier=False).kernels)


def test_an_active_set_the_micro_ops_do_not_allow_is_refused():
    # k_core's min(where(alive, d, top)) sees top, not 0, where alive is false
    plan = compiled("k_core")
    k = next(k for k in plan.kernels if any(m.op == "red_min_i" for m in k.micro))
    alive = next(m.args[1] for m in k.micro if m.op == "load" and plan.slots[m.args[1]] == "bool")
    k.active_slot = alive
    _refused(plan, f"claims the active set of slot {alive}")
    # BFS's level update guarded by the old frontier: it changes level where that is false
    plan = compiled("bfs")
    fused = next(ins for ins in plan.code if ins.op == "fused")
    edge, node = (plan.kernels[i] for i in fused.args)
    other = next(s for s, d in enumerate(plan.slots) if d == "bool" and s != edge.out_slot)
    node.active_slot = other
    _refused(plan, "which its micro-ops do not allow")
    plan = compiled("bfs")
    plan.kernels[fused.args[0]].active_slot = edge.out_slot   # an edge kernel has none
    _refused(plan, "claims the active set")
    plan = compiled("bfs")
    node = plan.kernels[fused.args[1]]
    node.active_slot = next(s for s, d in enumerate(plan.slots) if d == "int")   # not bool
    _refused(plan, "claims the active set")


@pytest.mark.parametrize("name", ["bfs", "sssp", "connected_components", "k_core", "label_propagation",
                                  "pagerank"])
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("n", [300, 9000])   # one node block; several, the last one short
def test_frontier_forms_do_not_change_a_bit(name, threads, n):
    g = kron_graph(n=n)
    results = [runtime.execute(compiled(name, frontier), g, threads=threads) for frontier in (True, False)]
    on, off = results
    assert on.columns.keys() == off.columns.keys()
    for col in on.columns:
        assert repr(on.columns[col]) == repr(off.columns[col]), col


def _refused(plan, what: str) -> None:
    with pytest.raises(GraphbuildError) as err:
        runtime.execute(plan, kron_graph())
    assert err.value.kind is ErrorKind.PROGRAM
    assert "invalid plan" in str(err.value) and what in str(err.value), str(err.value)


def _edge(plan, agg: str):
    return next(k for k in plan.kernels if k.domain == "edge" and k.agg == agg)


def test_a_wrong_shape_claim_is_refused():
    plan = compiled("pagerank")
    _edge(plan, "sum").shape = "plus_weight"
    _refused(plan, "claims shape plus_weight, but its micro-ops are gather")


def test_incremental_passes_of_a_sum_or_pushes_of_an_any_are_refused():
    plan = compiled("pagerank")
    k = _edge(plan, "sum")
    k.frontier, k.incremental = "switching", True
    _refused(plan, "claims incremental passes")
    plan = compiled("bfs")
    _edge(plan, "any").directions = "pull+push"   # incremental, but any has no push form
    _refused(plan, "claims the push form")


def test_incremental_claims_must_agree_with_the_frontier_form():
    plan = compiled("bfs")
    _edge(plan, "any").incremental = False
    _refused(plan, "incremental exactly when not dense")


def test_a_node_kernel_with_an_edge_form_is_refused():
    plan = compiled("bfs")
    next(k for k in plan.kernels if k.domain == "node").directions = "pull"
    _refused(plan, "an edge kernel's form for a node kernel")


def test_a_level_of_dependent_kernels_is_refused():
    # k_core's loop: count(alive[u]) then a node kernel reading its result
    plan = compiled("k_core")
    pcs = [pc for pc, ins in enumerate(plan.code) if ins.op in ("kernel", "fused")]
    pair = next((a, b) for a, b in zip(pcs, pcs[1:]) if b == a + 1)
    plan.exec_levels[pair[0]], plan.exec_levels[pair[1]] = 2, 0
    _refused(plan, "depends on instruction")


@pytest.mark.parametrize("edit, what", [
    (lambda lv, pc: lv.__setitem__(pc, 0), "member outside any level"),
    (lambda lv, pc: lv.__setitem__(pc, 10_000), "length out of range"),
    (lambda lv, pc: lv.__setitem__(pc, 2), ""),
])
def test_a_broken_level_partition_is_refused(edit, what):
    plan = compiled("pagerank")
    last = max(pc for pc, ins in enumerate(plan.code) if ins.op in ("kernel", "fused"))
    edit(plan.exec_levels, last)
    _refused(plan, what)


def test_compile_shows_the_claims():
    source = (ALGORITHMS / "sssp.gdsl").read_text()
    plan = compile_source(source, "sssp.gdsl", None, 1)
    forms = plan.stats["edge_kernel_forms"]
    want = {"shape": "plus_weight", "directions": "pull+push", "frontier": "switching"}
    assert want.items() <= forms[0].items()
    from graphbuild.plan.printer import format_plan
    text = format_plan(plan, source)
    assert ("[plus_weight, pull+push, switching, incremental, changed set carried, "
            "loop runs as delta-stepping]") in text


def dense_graph(n: int = 5000, degree: int = 8):
    """Random arcs from a fixed LCG: a BFS frontier soon holds most arcs."""
    x, edges = 12345, []
    for v in range(n):
        for _ in range(degree):
            x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
            edges.append((v, (x >> 33) % n))
    return runtime.Graph.from_edges(n, edges, None, False)


@pytest.mark.parametrize("threads", [1, 3])
def test_bfs_pulls_only_at_unvisited_nodes_once_the_frontier_is_large(threads):
    g = dense_graph()
    on = runtime.execute(compiled("bfs"), g, threads=threads)
    passes = on.loops[0]["edge_passes"]
    assert passes["demand"] > 0 and passes["push"] > 0, passes   # frontier lists
    listless = compiled("bfs")
    for kernel in listless.kernels:
        kernel.frontier_list = False
    passes = runtime.execute(listless, g, threads=threads).loops[0]["edge_passes"]
    assert passes["demand"] > 0 and passes["sparse"] > 0, passes   # incremental passes
    assert repr(runtime.execute(listless, g, threads=threads).columns["level"]) == \
        repr(on.columns["level"])
    off = runtime.execute(compiled("bfs", frontier=False), g, threads=threads)
    assert repr(on.columns["level"]) == repr(off.columns["level"])
    k = compiled("bfs")
    edge = next(k for k in k.kernels if k.domain == "edge")
    assert (edge.demand_slot, edge.demand_value) == (k.outputs[0].index, -1)   # level == -1


def test_a_demand_its_consumer_does_not_prove_is_refused():
    plan = compiled("bfs")
    edge = next(k for k in plan.kernels if k.domain == "edge")
    edge.demand_value = -2   # the node kernel uses the aggregation where level == -1
    _refused(plan, "which its consumer does not allow")
    plan = compiled("bfs")
    edge = next(k for k in plan.kernels if k.domain == "edge")
    edge.demand_slot = edge.out_slot
    _refused(plan, "which it does not allow")
    plan = compiled("pagerank")   # a float slot holds no demand
    _edge(plan, "sum").demand_slot = 0
    _refused(plan, "which it does not allow")
    plan = compiled("bfs")   # a node kernel has no demand
    next(k for k in plan.kernels if k.domain == "node").demand_slot = 0
    _refused(plan, "which it does not allow")
    # unfused, nothing overwrites the aggregation's result
    path = ALGORITHMS / "bfs.gdsl"
    fn = optimize(lower(load(path.read_text(), str(path)), None), 1)
    plan = build_plan(fn, str(path), PlanOptions(fuse_epilogue=False))
    edge = next(k for k in plan.kernels if k.domain == "edge")
    assert edge.demand_slot == -1
    edge.demand_slot, edge.demand_value = plan.outputs[0].index, -1
    _refused(plan, "which its consumer does not allow")


def test_runs_report_each_loops_passes_and_convergence():
    g = kron_graph()
    bfs = runtime.execute(compiled("bfs"), g).loops
    levels = runtime.execute(compiled("bfs"), g).columns["level"]
    assert len(bfs) == 1 and bfs[0]["kind"] == "while" and bfs[0]["converged"]
    assert bfs[0]["passes"] == max(levels) + 1   # one pass per level, the last finds nothing new
    passes = bfs[0]["edge_passes"]
    assert passes["pull"] + passes["push"] == bfs[0]["passes"]
    # full passes when the plan claims dense forms
    dense = runtime.execute(compiled("bfs", frontier=False), g).loops[0]["edge_passes"]
    assert dense == {"dense": bfs[0]["passes"], "sparse": 0, "push": 0, "changed": 0, "demand": 0,
                     "union_find": 0, "delta_stepping": 0, "pull": bfs[0]["passes"]}
    cut = runtime.execute(compiled("label_propagation"), g, {"max_iter": 1}).loops
    assert cut[0]["kind"] == "repeat_until" and cut[0]["passes"] == 1 and not cut[0]["converged"]
    full = runtime.execute(compiled("katz"), g).loops   # meets its tolerance
    assert full[0]["converged"] and full[0]["passes"] > 1
    assert not runtime.execute(compiled("katz"), g, {"max_iter": 2}).loops[0]["converged"]


def _unchanged(plan):
    for k in plan.kernels:
        k.changed = k.union_find = k.delta_step = False
    return plan


def _no_union_find(plan):
    """The plan with its loop run pass by pass (tests/test_plan_unionfind.py and
    test_plan_sssp_order.py cover the claims)."""
    for k in plan.kernels:
        k.union_find = k.delta_step = False
    return plan


def signed_zero_graph(n: int = 2000):
    """Weights 0.0, -0.0 and 1.0, so many distances tie."""
    edges, weights = [], []
    for v in range(n):
        for k in (1, 3, 11):
            edges.append((v, (v * k + 5) % n))
            weights.append(-0.0 if (v + k) % 3 == 0 else 0.0 if (v + k) % 3 == 1 else 1.0)
    return runtime.Graph.from_edges(n, edges, weights, True)


@pytest.mark.parametrize("name", ["sssp", "connected_components"])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("directed", [False, True])
def test_carried_changed_sets_do_not_change_a_bit(name, threads, directed):
    g = kron_graph(directed=directed, n=9000)
    params = {"source": 1} if name == "sssp" else {}   # node 0 has no out-edges
    on = runtime.execute(_no_union_find(compiled(name)), g, params, threads=threads)
    assert on.loops[0]["edge_passes"]["changed"] > 0, on.loops
    for plan in (_unchanged(compiled(name)), compiled(name, frontier=False)):
        off = runtime.execute(plan, g, params, threads=threads)
        assert off.loops[0]["edge_passes"]["changed"] == 0
        assert off.loops[0]["passes"] == on.loops[0]["passes"]
        for col in on.columns:
            assert repr(on.columns[col]) == repr(off.columns[col]), col


@pytest.mark.parametrize("threads", [1, 2])
def test_carried_sssp_with_signed_zero_weights_matches_full_passes(threads):
    g = signed_zero_graph()
    # from -0.0, candidates -0.0 and 0.0 tie with other bits: such a pass runs in full
    src = (ALGORITHMS / "sssp.gdsl").read_text().replace("0.0, inf)", "-0.0, inf)")
    for name, source_text in (("sssp", None), ("sssp_negzero", src)):
        plans = [_no_union_find(compiled("sssp", frontier)) if source_text is None
                 else _unchanged(compile_source(source_text, "z.gdsl", None, 1)) if not frontier
                 else _no_union_find(compile_source(source_text, "z.gdsl", None, 1))
                 for frontier in (True, False)]
        assert [k.changed for k in plans[0].kernels if k.domain == "edge"] == [True]
        for source in (0, 7):
            on, off = (runtime.execute(p, g, {"source": source}, threads=threads) for p in plans)
            assert on.loops[0]["passes"] == off.loops[0]["passes"], name
            assert repr(on.columns["dist"]) == repr(off.columns["dist"]), name


def test_shipped_fixpoints_claim_carried_changed_sets():
    for name in ("sssp", "connected_components"):
        plan = compiled(name)
        assert [k.changed for k in plan.kernels if k.domain == "edge"] == [True], name
        assert plan.stats["loops"][0]["active_set"] == (
            "union_find" if name == "connected_components" else "delta_stepping")
        assert not any(k.changed for k in compiled(name, frontier=False).kernels)
    for name in ("bfs", "k_core", "label_propagation", "pagerank"):
        assert not any(k.changed for k in compiled(name).kernels), name


def _fused(plan):
    ins = next(ins for ins in plan.code if ins.op == "fused")
    return plan.kernels[ins.args[0]], plan.kernels[ins.args[1]]


def _micro(kernel, op):
    return next(m for m in kernel.micro if m.op == op)


def test_a_changed_set_claim_its_pair_or_loop_does_not_allow_is_refused():
    plan = compiled("label_propagation")   # mode: no push form
    next(k for k in plan.kernels if k.domain == "edge").changed = True
    _refused(plan, "claims its changed set is carried between passes (1), which it does not allow")
    plan = compiled("connected_components")   # a node kernel claims it
    _fused(plan)[1].changed = True
    _refused(plan, "which it does not allow")
    # sssp comparing new <= old: true where nothing changed
    plan = compiled("sssp")
    _micro(_fused(plan)[1], "lt_f").op = "le_f"
    _refused(plan, "which its FUSED pair or loop does not allow")
    # sssp comparing the wrong way (old < new), and != on floats (true for NaN == NaN bits)
    for op, swap in (("lt_f", True), ("ne_f", False)):
        plan = compiled("sssp")
        cmp = _micro(_fused(plan)[1], "lt_f")
        cmp.op = op
        if swap:
            cmp.args[1], cmp.args[2] = cmp.args[2], cmp.args[1]
        _refused(plan, "which its FUSED pair or loop does not allow")
    # components folding with max while the aggregation is min
    plan = compiled("connected_components")
    _micro(_fused(plan)[1], "min_i").op = "max_i"
    _refused(plan, "which its FUSED pair or loop does not allow")
    # stored somewhere other than the aggregation's slot
    plan = compiled("connected_components")
    edge, node = _fused(plan)
    _micro(node, "store").args[1] = _gathered_slot(edge)
    _refused(plan, "invalid plan")
    # unfused: no pair
    path = ALGORITHMS / "sssp.gdsl"
    fn = optimize(lower(load(path.read_text(), str(path)), None), 1)
    plan = build_plan(fn, str(path), PlanOptions(fuse_epilogue=False))
    edge = next(k for k in plan.kernels if k.domain == "edge")
    assert not edge.changed
    edge.changed = True
    _refused(plan, "which its FUSED pair or loop does not allow")


def _gathered_slot(edge):
    return _micro(edge, "gather").args[1]


def test_a_changed_set_claim_in_a_loop_that_rewrites_its_slots_is_refused():
    # x reset inside the loop: the carried list would not describe it
    src = """
algorithm cc_reset():
    comp = degree()
    changed = true
    while changed:
        new_comp = min(comp, min(comp[u] for u in nbrs))
        changed = any(new_comp != comp)
        comp = where(new_comp > 5, 5, new_comp)
    return comp
"""
    plan = compile_source(src, "cc_reset.gdsl", None, 1)
    edge = next(k for k in plan.kernels if k.domain == "edge")
    assert not edge.changed
    edge.changed = True
    _refused(plan, "invalid plan")
