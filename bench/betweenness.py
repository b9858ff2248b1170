"""Betweenness on the bench's Kronecker graphs (bench/kron.py, undirected, deduplicated):
graphbuild's algorithms/betweenness_sample.gdsl (k sources from its seeded sample) against
networkit and igraph over the same sources, and exact betweenness (k = n) at small scales.

    python3 bench/betweenness.py THREADS TRIALS SCALE:K...      (K = 0: exact)

What is compared:
- networkit: k > 0 times EstimateBetweenness(k) (its own random sources, so only the time is
  comparable; its values are an estimate of the same quantity); k = 0 times Betweenness.
- igraph: Graph.betweenness(sources=..., targets=all) over graphbuild's very sources (the
  same unnormalized sums: checked against graphbuild's to 1e-9 relative); k = 0 the exact
  Graph.betweenness().  igraph has no sampling of its own; `cutoff` bounds path lengths,
  which is another quantity, so it is not used.
Prints one markdown row per scale: min and median seconds per tool, the check, and the load.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bench")]

import gb  # noqa: E402
import kron  # noqa: E402
from graphbuild.api import compile_file  # noqa: E402
from graphbuild.plan.sources import sample_sources  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402

SEED = 1


def _trials(fn, trials: int) -> tuple[list[float], object]:
    times, value = [], None
    for _ in range(trials):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return times, value


def _fmt(times: list[float]) -> str:
    return f"{min(times):.2f} / {statistics.median(times):.2f}"


def _row(scale: int, k: int, threads: int, trials: int) -> str:
    import igraph
    import networkit as nk
    g = kron.load(scale)
    n, exact = g.n, k == 0
    graph = gb.graph_from_arrays(n, g.src, g.dst, None, False)
    name = "betweenness" if exact else "betweenness_sample"
    ex = Executable(compile_file(os.path.join(ROOT, "algorithms", f"{name}.gdsl")).plan)
    params = {} if exact else {"k": k, "seed": SEED}
    gb_times, result = _trials(lambda: ex.run(graph, params=params, threads=threads), trials)
    bc = np.asarray(result.columns["bc"])
    nkg = nk.Graph(n, weighted=False, directed=False)
    nkg.addEdges((g.src, g.dst))
    nkg.removeMultiEdges()
    nkg.removeSelfLoops()
    if exact:
        nk_times, _ = _trials(lambda: nk.centrality.Betweenness(nkg, normalized=True).run(), trials)
    else:
        nk_times, _ = _trials(
            lambda: nk.centrality.EstimateBetweenness(nkg, k, normalized=True, parallel=threads > 1).run(),
            trials)
    ig = igraph.Graph(n=n, edges=list(zip(g.src.tolist(), g.dst.tolist())), directed=False)
    ig.simplify()
    sources = None if exact else sample_sources(n, k, SEED)
    ig_times, ig_bc = _trials(lambda: ig.betweenness(sources=sources), 1 if exact else trials)
    # graphbuild's normalization undone (igraph counts each unordered pair once)
    if exact:
        raw = bc * (n - 1) * (n - 2) / 2
    else:
        sampled = np.zeros(n, bool)
        sampled[sources] = True
        raw = bc * np.where(sampled, (k - 1) * (n - 2), k * (n - 2)) / 2
    ok = np.allclose(raw, np.asarray(ig_bc), rtol=1e-9, atol=1e-6)
    return (f"| kron:{scale} | {'all ' + str(n) if exact else k} | {_fmt(gb_times)} | {_fmt(nk_times)} "
            f"| {_fmt(ig_times)} | {'yes' if ok else 'NO'} | {os.getloadavg()[0]:.1f} |")


def main(argv: list[str]) -> None:
    import networkit as nk
    threads, trials = int(argv[0]), int(argv[1])
    nk.setNumberOfThreads(threads)
    print("| scale | sources | graphbuild s (min / median) | networkit | igraph | igraph agrees | load |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for spec in argv[2:]:
        scale, k = (int(x) for x in spec.split(":"))
        print(_row(scale, k, threads, trials), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
