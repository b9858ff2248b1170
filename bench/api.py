"""The Python API and the networkx backend, timed against their targets (issue 15).

    make bench-api                 # installs the package (networkx finds the backend through
                                   # its entry points), then runs this; writes bench/results/api.md
    python bench/api.py --help

What is timed, each the minimum over --trials runs (the machine may be shared: the ratios come
from the same run):
- Graph.from_edges on 1,000,000 edges of numpy int64 arrays (target < 0.1 s), beside the
  runtime's list-of-pairs Graph.from_edges it replaces;
- converting a networkx graph of 1,000,000 edges: what nx.pagerank(G, backend="graphbuild")
  does first (target < 1 s), and gb.Graph.from_networkx; beside them one bare pass over the
  adjacency (the floor of a conversion in Python) and the conversion of the same edges added
  in source order (what the memory layout alone changes);
- nx.pagerank on a Kronecker graph of scale 16 (~0.9M edges): networkx's own against the
  backend's first call (conversion, the C graph and the run) and its second call on the same G
  (target: first call >= 10x faster, the second pays no conversion); the answers are compared
  before a time counts;
- gb.run at Kronecker scale 20 on numpy edge arrays: the time from the call to the arrays,
  against the run inside C (the overhead is binding, pool and collection, never per node);
- where should_run's min_edges comes from: networkx's pagerank against the backend's first
  call on random graphs of growing size.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import deque
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kron  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "api.md")


class Seconds(float):
    """Wall seconds, with the process's CPU seconds over the same span (all its threads): on a
    shared machine the wall time of single-threaded Python waits for a core, the CPU time
    does not."""

    def __new__(cls, wall: float, cpu: float) -> "Seconds":
        value = super().__new__(cls, wall)
        value.cpu = cpu
        return value


def best(fn: Callable[[], Any], trials: int, reset: Callable[[], None] | None = None) -> tuple[Seconds, Any]:
    """(the trial with the least wall time, the last result); reset() runs untimed first."""
    times, result = [], None
    for _ in range(trials):
        if reset is not None:
            reset()
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(Seconds(time.perf_counter() - start, time.process_time() - cpu))
    return min(times), result


def l1(a: dict, b: dict) -> float:
    return sum(abs(a[v] - b[v]) for v in b)


def bench_from_edges(trials: int, log) -> list[tuple]:
    import graphbuild as gb
    from graphbuild.runtime import Graph as RuntimeGraph

    rng = np.random.default_rng(15)
    m, n = 1_000_000, 1 << 17
    src, dst = rng.integers(0, n, m, dtype=np.int64), rng.integers(0, n, m, dtype=np.int64)
    log("from_edges on 1M-edge numpy arrays")
    rows = []
    for directed in (True, False):
        seconds, g = best(lambda d=directed: gb.Graph.from_edges(src, dst, n=n, directed=d), trials)
        assert g.edge_count == m
        rows.append((f"gb.Graph.from_edges, 1M edges, {'directed' if directed else 'undirected'}",
                     seconds, "< 0.1 s", seconds < 0.1))
    pairs = list(zip(src.tolist(), dst.tolist()))
    seconds, _ = best(lambda: RuntimeGraph.from_edges(n, pairs), 1)
    rows.append(("runtime Graph.from_edges from a list of 1M pairs (for comparison)", seconds, "", None))
    return rows


def kron_networkx(scale: int, log):
    import networkx as nx

    g = kron.load(scale, log=log)
    log(f"building the networkx graph of Kronecker scale {scale} ({len(g.src):,} edges; not timed)")
    G = nx.Graph()
    G.add_nodes_from(range(g.n))
    G.add_edges_from(zip(g.src.tolist(), g.dst.tolist()))
    return G


def random_networkx(edges: int, log):
    """An undirected networkx graph of exactly `edges` distinct edges on 2^17 nodes."""
    import networkx as nx

    rng = np.random.default_rng(edges)
    pairs = rng.integers(0, 1 << 17, (edges + edges // 4, 2), dtype=np.int64)
    pairs = np.sort(pairs[pairs[:, 0] != pairs[:, 1]], axis=1)
    _, first = np.unique(pairs, axis=0, return_index=True)
    pairs = pairs[np.sort(first)][:edges]
    log(f"building a networkx graph of {len(pairs):,} random edges (not timed)")
    G = nx.Graph()
    G.add_nodes_from(range(1 << 17))
    G.add_edges_from(pairs.tolist())
    return G


def bench_conversion(trials: int, log) -> list[tuple]:
    import graphbuild as gb
    from graphbuild.nx_backend.graph import BackendGraph

    G = random_networkx(1_000_000, log)
    edges = G.number_of_edges()
    log("converting it")
    # what nx.pagerank(G, backend="graphbuild") converts: the arcs and the "weight" attribute
    convert_s, converted = best(lambda: BackendGraph.from_networkx(G, {"weight": 1}), trials)
    assert converted.number_of_edges() == edges
    api_s, g = best(lambda: gb.Graph.from_networkx(G), trials)
    assert g.edge_count == edges
    # the floor under any conversion written in Python: one C-level pass that only visits each
    # arc's neighbor, converting nothing (the conversion makes two, neighbors and edge data)
    floor_s, _ = best(lambda: deque(chain.from_iterable(G._adj.values()), 0), trials)
    # both passes wait on memory: each neighbor is its own int object and each edge its own
    # dict, allocated in the order the edges were added; the same edges added in source order
    # leave them nearer the order the adjacency is read in
    pairs = np.array(list(G.edges()), dtype=np.int64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))].tolist()
    H = type(G)()   # a second graph, built while G holds its memory: fresh blocks for it
    H.add_nodes_from(G)
    H.add_edges_from(pairs)
    del pairs
    G = g = converted = None   # free the first graph before timing the second
    log("converting the same graph built from its edges in source order")
    sorted_s, converted = best(lambda: BackendGraph.from_networkx(H, {"weight": 1}), trials)
    assert converted.number_of_edges() == edges
    return [(f"convert a networkx graph of {edges:,} edges for the backend (adjacency and weights)",
             convert_s, "< 1 s", convert_s < 1.0),
            (f"gb.Graph.from_networkx, {edges:,} edges (conversion and the C graph)", api_s, "", None),
            (f"one bare pass over its {2 * edges:,} arcs (visiting each neighbor, nothing kept)",
             floor_s, "", None),
            ("the same conversion, the graph's edges added in source order (memory layout only)",
             sorted_s, "", None)]


def bench_networkx(scale: int, trials: int, log) -> list[tuple]:
    import networkx as nx

    nx.config.warnings_to_ignore.add("cache")
    G = kron_networkx(scale, log)
    log("nx.pagerank: networkx, then the backend's first and second calls")
    nx_s, want = best(lambda: nx.pagerank(G, backend="networkx"), max(1, trials // 2))
    clear = G.__networkx_cache__.clear
    first_s, got = best(lambda: nx.pagerank(G, backend="graphbuild"), trials, reset=clear)
    second_s, again = best(lambda: nx.pagerank(G, backend="graphbuild"), trials)
    # both stop at networkx's rule (L1 change < n * tol, tol 1e-6): each is within ~6e-6 * 5.7
    # of the fixed point in L1, so the two agree to well under 1e-4
    error = l1(got, want)
    assert error < 1e-4 and again == got, f"pagerank disagrees with networkx: L1 {error:.2e}"
    return [
        (f"nx.pagerank, networkx, Kronecker scale {scale} ({G.number_of_edges():,} edges)",
         nx_s, "", None),
        (f"nx.pagerank, backend, first call (conversion + C graph + run); {nx_s / first_s:.1f}x",
         first_s, ">= 10x", nx_s / first_s >= 10),
        (f"nx.pagerank, backend, second call on the same G; {nx_s / second_s:.1f}x "
         f"(L1 to networkx {error:.1e})", second_s, "no conversion", second_s < first_s / 2),
    ]


def bench_run(scale: int, trials: int, log) -> list[tuple]:
    import graphbuild as gb

    g = kron.load(scale, log=log)
    log(f"gb.run at Kronecker scale {scale} ({len(g.src):,} edges)")
    build_s, graph = best(lambda: gb.Graph.from_edges(g.src, g.dst, n=g.n, directed=False), 1)
    rows = [(f"gb.Graph.from_edges, Kronecker scale {scale}, {len(g.src):,} edges", build_s, "", None)]
    for name, params in (("pagerank", {}), ("bfs", {"source": int(g.src[0])}),
                         ("connected_components", {})):
        gb.run(name, graph, **params)   # compiled, checked by C, in-edges and pool in place
        results = []
        for _ in range(trials):
            start = time.perf_counter()
            r = gb.run(name, graph, **params)
            results.append((time.perf_counter() - start, r))
        total_s, r = min(results, key=lambda t: t[0])
        column = next(iter(r.columns.values()))
        assert isinstance(column, np.ndarray) and len(column) == g.n
        run_s = r.timings["run_ms"] / 1000.0
        rows.append((f"gb.run {name}: call to arrays (C run {run_s * 1000:.1f} ms, overhead "
                     f"{(total_s - run_s) * 1000:.1f} ms, {'views' if r.zero_copy else 'one copy'})",
                     total_s, "no per-node Python", (total_s - run_s) < 0.1 * total_s + 0.05))
    return rows


def bench_crossover(trials: int, log) -> list[tuple]:
    import networkx as nx

    nx.config.warnings_to_ignore.add("cache")
    rows = []
    for m in (30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000):
        G = nx.gnm_random_graph(max(m // 8, 10), m, seed=m)
        log(f"crossover: {m:,} edges")
        nx_s, _ = best(lambda G=G: nx.pagerank(G, backend="networkx"), trials)
        gb_s, _ = best(lambda G=G: nx.pagerank(G, backend="graphbuild"), trials,
                       reset=G.__networkx_cache__.clear)
        rows.append((f"nx.pagerank on {m:,} edges: networkx {nx_s * 1000:.2f} ms, backend first "
                     f"call {gb_s * 1000:.2f} ms ({nx_s / gb_s:.2f}x)", gb_s, "", None))
    return rows


def table(title: str, rows: list[tuple]) -> str:
    lines = [f"## {title}", "", "| what | wall s | cpu s | target | met |",
             "| --- | ---: | ---: | --- | --- |"]
    for what, seconds, target, met in rows:
        mark = "" if met is None else ("yes" if met else "**no**")
        cpu = f"{seconds.cpu:.4f}" if isinstance(seconds, Seconds) else ""
        lines.append(f"| {what} | {seconds:.4f} | {cpu} | {target} | {mark} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nx-scale", type=int, default=16, help="Kronecker scale for the networkx graph")
    parser.add_argument("--run-scale", type=int, default=20, help="Kronecker scale for gb.run")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results alone")
    args = parser.parse_args(argv)

    import graphbuild as gb
    from graphbuild.settings import default_threads

    def log(message: str) -> None:
        print(f"[bench-api] {message}", file=sys.stderr, flush=True)

    sections = [("Graph.from_edges", bench_from_edges(args.trials, log)),
                ("converting networkx graphs", bench_conversion(args.trials, log)),
                ("nx.pagerank through the backend", bench_networkx(args.nx_scale, args.trials, log)),
                ("gb.run", bench_run(args.run_scale, args.trials, log)),
                ("should_run: where the backend starts to pay", bench_crossover(args.trials, log))]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = (f"# The Python API and the networkx backend (`make bench-api`)\n\n"
            f"graphbuild {gb.__version__}, {platform.python_implementation()} "
            f"{platform.python_version()}, {default_threads()} threads, load average {load:.2f} "
            f"at the end; seconds are the trial with the least wall time of {args.trials}, with "
            f"the process's CPU time over it (every thread's), which a busy machine inflates "
            f"less.\n\n"
            + "\n".join(table(title, rows) for title, rows in sections))
    print(text)
    if not args.no_write:
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
