"""Min-plus loops run as delta-stepping (graphbuild/plan/deltastep.py, csrc/exec/deltastep.c).

- Bellman-Ford (algorithms/sssp.gdsl) claims it, runs one delta-stepping pass, and gives
  bitwise the distances of the claim-off plan and of the frontier-off plan (passes of the
  plain loop), and scipy's Dijkstra, on the zoo, on larger graphs and for 1 to 16 threads;
- negative weights (NaN ones the loaders refuse), a NaN, -inf or -0.0 in the start, and a
  loop the plain program would stop at --max-iterations run the plain loop (same bits, same
  error);
- a crafted plan claiming it where its kernel or loop does not allow is refused.
"""
from __future__ import annotations

import pathlib

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import GraphbuildError
from graphbuild.plan.model import Output, Plan
from graphs import ZOO
from test_plan_claims import _refused, compiled, kron_graph, signed_zero_graph

ALGORITHMS = pathlib.Path(__file__).resolve().parent.parent / "algorithms"
SSSP = (ALGORITHMS / "sssp.gdsl").read_text()


def _edge(plan):
    return next(k for k in plan.kernels if k.domain == "edge")


def _claim_off():
    plan = compiled("sssp")
    _edge(plan).delta_step = False
    return plan


def _bits(result) -> bytes:
    return np.asarray(result.columns["dist"], dtype=np.float64).tobytes()


def _graph(n, src, dst, w, directed):
    return runtime.Graph.from_edges(n, list(zip(src, dst)), w, directed)


def _dijkstra(n, src, dst, w, directed, source):
    w = [1.0] * len(src) if w is None else w
    a = csr_matrix((w, (src, dst)), shape=(n, n))
    if not directed:
        a = a.maximum(a.T)   # no parallel edges in the zoo: either direction's weight
    return dijkstra(a, directed=True, indices=source)


def _stepped(result) -> int:
    return result.loops[0]["edge_passes"]["delta_stepping"]


@pytest.mark.parametrize("z", ZOO, ids=str)
@pytest.mark.parametrize("threads", [1, 2, 3, 16])
def test_delta_stepping_gives_the_plain_loops_bits_and_dijkstras(z, threads):
    src, dst, w = z.arrays()
    g = _graph(z.n, src, dst, w, z.directed)
    on_plan, off, plain = compiled("sssp"), _claim_off(), compiled("sssp", frontier=False)
    for source in sorted({0, z.n // 2, z.n - 1}):
        params = {"source": source}
        on = runtime.execute(on_plan, g, params, threads=threads)
        assert _stepped(on) == 1 and on.loops[0]["passes"] == 1
        assert _bits(on) == _bits(runtime.execute(off, g, params, threads=threads))
        assert _bits(on) == _bits(runtime.execute(plain, g, params, threads=threads))
        want = _dijkstra(z.n, src, dst, w, z.directed, source)
        assert np.array_equal(np.asarray(on.columns["dist"]), want)


@pytest.mark.parametrize("threads", [1, 2, 3, 16])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("n", [300, 9000])
def test_delta_stepping_on_larger_graphs_matches_full_passes(threads, directed, n):
    g = kron_graph(directed=directed, n=n)
    on = runtime.execute(compiled("sssp"), g, {"source": 1}, threads=threads)
    assert _stepped(on) == 1
    for plan in (_claim_off(), compiled("sssp", frontier=False)):
        assert _bits(on) == _bits(runtime.execute(plan, g, {"source": 1}, threads=threads))


@pytest.mark.parametrize("threads", [1, 2])
def test_signed_zero_weights_keep_the_plain_loops_bits(threads):
    g = signed_zero_graph()
    for source in (0, 7):
        on = runtime.execute(compiled("sssp"), g, {"source": source}, threads=threads)
        assert _stepped(on) == 1
        assert _bits(on) == _bits(runtime.execute(_claim_off(), g, {"source": source}, threads=threads))


def _path(n: int, weights: list[float]):
    return _graph(n, list(range(n - 1)), list(range(1, n)), weights, True)


def test_negative_weights_run_the_plain_loop():
    g = _graph(5, [0, 0, 1, 2, 3], [1, 2, 3, 3, 4], [4.0, 1.0, -2.5, 0.5, 1.0], True)
    on = runtime.execute(compiled("sssp"), g, {"source": 0})
    assert _stepped(on) == 0 and on.loops[0]["passes"] > 1
    assert _bits(on) == _bits(runtime.execute(_claim_off(), g, {"source": 0}))
    assert list(on.columns["dist"]) == [0.0, 4.0, 1.0, 1.5, 2.5]


@pytest.mark.parametrize("start", ["-0.0", "nan", "-inf", "-1.0 * node_id()"])
def test_a_start_it_does_not_cover_runs_the_plain_loop(start):
    src = SSSP.replace("where(node_id() == source, 0.0, inf)", f"where(node_id() == source, {start}, inf)")
    plan = compile_source(src, "<start>")
    assert _edge(plan).delta_step
    g = kron_graph(n=300)
    on = runtime.execute(plan, g, {"source": 3})
    assert _stepped(on) == (1 if start == "-1.0 * node_id()" else 0)
    _edge(plan).delta_step = False
    assert _bits(on) == _bits(runtime.execute(plan, g, {"source": 3}))


def test_the_iteration_limit_is_kept():
    path = _path(40, [1.0] * 39)   # the plain loop needs 40 passes
    for plan in (compiled("sssp"), _claim_off()):
        with pytest.raises(GraphbuildError) as err:
            runtime.execute(plan, path, {"source": 0}, max_iterations=20)
        assert "exceeded 20 iterations" in str(err.value)
    # a star: 40 nodes change but the plain loop needs 2 passes (the tight arcs' BFS says so)
    star = _graph(41, [0] * 40, list(range(1, 41)), [float(i % 7) for i in range(40)], False)
    on = runtime.execute(compiled("sssp"), star, {"source": 0}, max_iterations=5)
    assert _stepped(on) == 1
    assert _bits(on) == _bits(runtime.execute(_claim_off(), star, {"source": 0}, max_iterations=5))


def test_the_claim_shows_in_compile_output_and_is_kept_off_where_it_does_not_hold():
    plan = compiled("sssp")
    assert _edge(plan).delta_step and not _edge(plan).union_find
    assert plan.stats["loops"][0]["active_set"] == "delta_stepping"
    assert plan.stats["edge_kernel_forms"][0]["delta_step"] is True
    from graphbuild.plan.printer import format_plan
    assert "loop runs as delta-stepping" in format_plan(plan, SSSP)
    assert not _edge(compiled("sssp", frontier=False)).delta_step
    assert not any(k.delta_step for k in compiled("connected_components").kernels)
    counted = (SSSP.replace("    changed = true\n", "    changed = true\n    rounds = 0\n")
               .replace("        dist = new_dist\n", "        dist = new_dist\n        rounds = rounds + 1\n")
               .replace("return dist", "return dist, rounds"))
    assert not any(k.delta_step for k in compile_source(counted, "<counted>").kernels)
    times = SSSP.replace("dist[u] + weight", "dist[u] * weight")
    assert not any(k.delta_step for k in compile_source(times, "<times>").kernels)


def test_crafted_plans_are_refused():
    plan = compiled("connected_components")
    k = _edge(plan)
    k.union_find, k.delta_step = False, True
    _refused(plan, "claims its loop runs as union-find (2)")
    plan = compiled("sssp")
    head = next(i for i, ins in enumerate(plan.code) if ins.op == "jump_if_false")
    counter = plan.code[head + 1].args[0]
    flag = plan.code[head].args[0]
    plan.code[head + 4].args[1] = counter   # `changed` now reads the counter
    assert plan.code[head + 4].op == "mov" and flag != counter
    _refused(plan, "claims its loop runs as delta-stepping")


def test_a_plan_file_with_the_counter_as_an_output_is_refused():
    plan = compiled("sssp")
    head = next(i for i, ins in enumerate(plan.code) if ins.op == "jump_if_false")
    plan.outputs.append(Output("rounds", "scalar", "int", plan.code[head + 1].args[0]))
    with pytest.raises(GraphbuildError) as err:
        Plan.from_json(plan.to_json())
    assert "pass counter as an output" in str(err.value)
    _edge(plan).delta_step = False
    Plan.from_json(plan.to_json())
