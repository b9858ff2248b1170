"""Min-label loops run as union-find (graphbuild/plan/unionfind.py, csrc/exec/afforest.c).

- connected components claims it, runs one union-find pass, and gives bitwise the labels of
  the frontier-off plan (passes of the plain loop) and networkx's partition, on the zoo, on a
  relabeled graph and for 1 to 3 threads;
- programs whose result union-find would not give do not claim it (in-neighbors only, labels
  not starting at node_id, max, a pass counter that is an output, -O0, frontier off);
- a loop the plain program would stop at --max-iterations still stops there;
- a crafted plan claiming it where its kernel, loop or entry does not allow is refused.
"""
from __future__ import annotations

import pathlib

import networkx as nx
import pytest

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import GraphbuildError
from graphbuild.plan.model import Instr, Output, Plan
from graphbuild.plan.options import PlanOptions
from graphs import ZOO, to_networkx
from test_plan_claims import _refused, compiled, kron_graph

ALGORITHMS = pathlib.Path(__file__).resolve().parent.parent / "algorithms"
CC = (ALGORITHMS / "connected_components.gdsl").read_text()


def _uf(plan) -> list[bool]:
    return [k.union_find for k in plan.kernels if k.domain == "edge"]


def _edge(plan):
    return next(k for k in plan.kernels if k.domain == "edge")


def _graph(z, layout: str = "original"):
    src, dst, w = z.arrays()
    g = runtime.Graph.from_edges(z.n, list(zip(src, dst)), w, z.directed)
    return g.relabel(layout) if layout != "original" else g


def _same(a, b) -> None:
    assert a.columns.keys() == b.columns.keys()
    for col in a.columns:
        assert repr(a.columns[col]) == repr(b.columns[col]), col


@pytest.mark.parametrize("z", ZOO, ids=str)
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("layout", ["original", "degree"])
def test_union_find_gives_the_plain_loops_bits_and_networkx_components(z, threads, layout):
    g = _graph(z, layout)
    on = runtime.execute(compiled("connected_components"), g, threads=threads)
    off = runtime.execute(compiled("connected_components", frontier=False), g, threads=threads)
    _same(on, off)
    assert on.loops[0]["passes"] == 1 and on.loops[0]["edge_passes"]["union_find"] == 1
    assert off.loops[0]["edge_passes"]["union_find"] == 0
    comp = on.columns["comp"]
    want = nx.weakly_connected_components if z.directed else nx.connected_components
    index = z.index
    for part in want(to_networkx(z)):
        label = min(index[v] for v in part)
        assert {comp[index[v]] for v in part} == {label}


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("n", [300, 9000])
def test_union_find_on_larger_graphs_matches_full_passes(threads, directed, n):
    g = kron_graph(directed=directed, n=n)
    on = runtime.execute(compiled("connected_components"), g, threads=threads)
    assert on.loops[0]["edge_passes"]["union_find"] == 1
    for plan in (compiled("connected_components", frontier=False),):
        _same(on, runtime.execute(plan, g, threads=threads))
    full = runtime.Executable(compiled("connected_components")).run(g, threads=threads, full_passes=True)
    assert full.loops[0]["edge_passes"]["union_find"] == 0
    _same(on, full)


def test_the_claim_shows_in_compile_output():
    plan = compiled("connected_components")
    assert _uf(plan) == [True]
    assert plan.stats["loops"][0]["active_set"] == "union_find"
    assert plan.stats["loops"][0]["union_find_kernels"] == [plan.kernels.index(_edge(plan))]
    assert plan.stats["edge_kernel_forms"][0]["union_find"] is True
    from graphbuild.plan.printer import format_plan
    assert "loop runs as union-find" in format_plan(plan, CC)


VARIANTS = {
    # the in-neighbors' minimum is not the undirected component's
    "in_nbrs": CC.replace("for u in nbrs", "for u in in_nbrs"),
    # labels that do not start as the nodes' ids
    "doubled": CC.replace("comp = node_id()", "comp = node_id() * 2"),
    "degree": CC.replace("comp = node_id()", "comp = degree()"),
    # the largest id per component: not claimed (only min is)
    "max": CC.replace("min(comp, min(comp[u] for u in nbrs))", "max(comp, max(comp[u] for u in nbrs))"),
    # the passes counted into an output
    "counted": CC.replace("        comp = new_comp\n",
                          "        comp = new_comp\n        rounds = rounds + 1\n")
                 .replace("    changed = true\n", "    changed = true\n    rounds = 0\n")
                 .replace("return comp", "return comp, rounds"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_programs_union_find_would_change_do_not_claim_it(name):
    plan = compile_source(VARIANTS[name], f"{name}.gdsl", None, 1)
    assert not any(_uf(plan)), name
    g = kron_graph(directed=True, n=300)
    off = compile_source(VARIANTS[name], f"{name}.gdsl", None, 0)
    _same(runtime.execute(plan, g), runtime.execute(off, g))


def test_O0_and_frontier_off_plans_do_not_claim_it():
    assert not any(_uf(compile_source(CC, "cc.gdsl", None, 0)))
    assert not any(_uf(compiled("connected_components", frontier=False)))
    from graphbuild.ir import lower
    from graphbuild.lang import load
    from graphbuild.passes import optimize
    from graphbuild.plan.build import build_plan
    fn = optimize(lower(load(CC, "cc.gdsl"), None), 1)
    assert not any(_uf(build_plan(fn, "cc.gdsl", PlanOptions(frontier=False))))


def _path(n: int):
    return runtime.Graph.from_edges(n, [(v, v + 1) for v in range(n - 1)], None, False)


def test_a_loop_the_plain_program_stops_at_max_iterations_still_stops():
    g = _path(60)   # 60 passes to carry 0 to the end
    for plan in (compiled("connected_components"), compiled("connected_components", frontier=False)):
        with pytest.raises(GraphbuildError) as err:
            runtime.execute(plan, g, max_iterations=20)
        assert "exceeded 20 iterations" in str(err.value)
    # many small components: the limit below n but above the largest component
    edges = [(v, v + 1) for v in range(0, 300, 3)] + [(v + 1, v + 2) for v in range(0, 300, 3)]
    small = runtime.Graph.from_edges(300, edges, None, False)
    on = runtime.execute(compiled("connected_components"), small, max_iterations=5)
    assert on.loops[0]["edge_passes"]["union_find"] == 1
    _same(on, runtime.execute(compiled("connected_components", frontier=False), small, max_iterations=5))
    # two paths of 30: n passes the limit, the skipped component and the rest do not
    halves = runtime.Graph.from_edges(60, [(v, v + 1) for v in range(59) if v != 29], None, False)
    on = runtime.execute(compiled("connected_components"), halves, max_iterations=31)
    assert on.loops[0]["edge_passes"]["union_find"] == 1
    assert list(on.columns["comp"]) == [0] * 30 + [30] * 30
    # just above what the path needs: union-find again
    on = runtime.execute(compiled("connected_components"), g, max_iterations=60)
    assert on.loops[0]["edge_passes"]["union_find"] == 1
    assert list(on.columns["comp"]) == [0] * 60


def test_a_union_find_claim_its_kernel_does_not_allow_is_refused():
    plan = compiled("sssp")   # float distances plus weights
    _edge(plan).union_find = True
    _refused(plan, "claims its loop runs as union-find (1), which it does not allow")
    plan = compiled("connected_components")   # without the changed set it rests on
    _edge(plan).changed = False
    _refused(plan, "which it does not allow")
    plan = compiled("connected_components")
    _edge(plan).union_find = 2
    _refused(plan, "which it does not allow")
    plan = compile_source(VARIANTS["in_nbrs"], "in.gdsl", None, 1)
    _edge(plan).union_find = True
    _refused(plan, "which it does not allow")


@pytest.mark.parametrize("name", ["doubled", "degree", "counted"])
def test_a_union_find_claim_its_loop_or_entry_does_not_allow_is_refused(name):
    plan = compile_source(VARIANTS[name], f"{name}.gdsl", None, 1)
    edge = _edge(plan)
    assert edge.changed and not edge.union_find
    edge.union_find = True
    _refused(plan, "its loop or the value x starts with does not allow")


def _head(plan) -> int:
    return next(pc for pc, ins in enumerate(plan.code) if ins.op == "jump_if_false")


def _entry(plan) -> None:   # x starts as the degree, not node_id
    next(m for k in plan.kernels for m in k.micro if m.op == "node_id").op = "degree"


def _counter_read(plan) -> None:   # the pass counter copied after the loop
    counter = plan.code[_head(plan) + 1].args[0]
    plan.registers.append("int")
    plan.code.append(Instr("mov", [len(plan.registers) - 1, counter]))
    plan.exec_levels.append(0)


def _skip_entry(plan) -> None:   # a jump over the node_id kernel
    kpc = next(pc for pc, ins in enumerate(plan.code) if ins.op == "kernel")
    plan.code.insert(0, Instr("jump", [kpc + 2]))
    plan.exec_levels.insert(0, 0)
    for ins in plan.code[1:]:
        if ins.op in ("jump", "jump_if_false"):
            ins.args[-1] += 1


@pytest.mark.parametrize("edit", [_entry, _counter_read, _skip_entry], ids=lambda f: f.__name__)
def test_crafted_loops_are_refused(edit):
    plan = compiled("connected_components")
    edit(plan)
    _refused(plan, "its loop or the value x starts with does not allow")


def test_a_plan_file_with_the_counter_as_an_output_is_refused():
    plan = compiled("connected_components")
    counter = plan.code[_head(plan) + 1].args[0]
    plan.outputs.append(Output("rounds", "scalar", "int", counter))
    with pytest.raises(GraphbuildError) as err:
        Plan.from_json(plan.to_json())
    assert "pass counter as an output" in str(err.value)
    _edge(plan).union_find = False
    Plan.from_json(plan.to_json())   # the plain loop may report its counter
