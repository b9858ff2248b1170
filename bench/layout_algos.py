"""Issue 14, `auto`: every shipped whole-graph algorithm under the input and the degree layout.

    python3 bench/layout_algos.py [--graphs kron:16 kron:18 kron:20 uniform:20 web:20]
                                  [--threads 2] [--rounds 3] [--out FILE]

For each graph: its degree skew (what the `auto` rule reads: hub_share, the share of arcs at
the 1% highest-degree nodes; graphbuild.runtime.graph.degree_skew), then for pagerank, katz,
hits, label_propagation (fixed iteration counts, tol 0), bfs, connected_components, sssp and
k_core the run time on both layouts, taking turns for --rounds rounds, best of each.  Results
are checked: integer results equal across layouts, float results within 1e-12 relative in L1.

`web:SCALE` is a heavier-tailed graph than Kronecker: Chung-Lu (expected degrees w_i ~
(i + 1)^(-1/(gamma-1)), gamma = 2.1, mean degree 32 arcs), node ids shuffled, seed 14,
generated here with numpy (not a graphbuild generator).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from graphbuild.compiler import compile_source  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402
from graphbuild.runtime.graph import Graph, LoadOptions, generate_graph  # noqa: E402
from graphbuild.runtime.layout_rule import auto_layout, degree_skew  # noqa: E402

ALGOS = os.path.join(os.path.dirname(HERE), "algorithms")
ITERS = 20
PARAMS = {
    "pagerank": {"tol": 0.0, "max_iter": ITERS},
    "katz": {"alpha": 1e-5, "tol": 0.0, "max_iter": ITERS},
    "hits": {"tol": 0.0, "max_iter": ITERS},
    "label_propagation": {"max_iter": 10},
    "bfs": None, "connected_components": {}, "sssp": None, "k_core": {},
}


def web_graph(scale: int, threads: int, gamma: float = 2.1, seed: int = 14) -> Graph:
    n = 1 << scale
    m = 16 * n
    rng = np.random.default_rng(seed)
    w = (np.arange(n) + 1.0) ** (-1.0 / (gamma - 1.0))
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    ends = np.searchsorted(cdf, rng.random(2 * m), side="right").astype(np.int64)
    relabel = rng.permutation(n).astype(np.int64)
    ends = relabel[np.minimum(ends, n - 1)]
    src, dst = ends[:m].copy(), ends[m:].copy()
    keep = src != dst
    return Graph.from_arrays(n, src[keep], dst[keep], directed=False, threads=threads)


def load(spec: str, threads: int) -> Graph:
    if spec.startswith("web:"):
        return web_graph(int(spec.split(":")[1]), threads)
    return generate_graph(spec, LoadOptions(), threads)


def compare(name: str, a, b) -> float:
    worst = 0.0
    for col in a.columns:
        x, y = np.asarray(a.columns[col]), np.asarray(b.columns[col])
        if x.dtype.kind == "f":
            finite = np.isfinite(x)
            assert np.array_equal(finite, np.isfinite(y)), (name, col)
            scale = max(np.abs(x[finite]).sum(), 1e-300)
            worst = max(worst, float(np.abs(x[finite] - y[finite]).sum() / scale))
        else:
            assert np.array_equal(x, y), (name, col)
    assert worst < 1e-12, (name, worst)
    return worst


def measure(spec: str, threads: int, rounds: int, executables: dict) -> dict:
    t0 = time.perf_counter()
    graph = load(spec, threads)
    built = time.perf_counter() - t0
    start = time.perf_counter()
    relabeled = graph.relabel("degree", threads)
    row = {"graph": spec, "n": graph.node_count, "arcs": 2 * graph.edge_count,
           "skew": degree_skew(graph), "relabel_s": time.perf_counter() - start,
           "build_s": built, "load_before": os.getloadavg()[0], "algos": {},
           "auto": auto_layout(graph)}
    off, _, _ = graph.csr_arrays("out")
    degrees = np.diff(np.frombuffer(off, dtype=np.int32 if off.itemsize == 4 else np.int64))
    row["max_degree"] = int(degrees.max())
    source = str(int(np.argmax(degrees > 0)))
    for name, exe in executables.items():
        params = PARAMS[name] if PARAMS[name] is not None else {"source": source}
        times: dict = {"original": [], "degree": []}
        results = {}
        for _ in range(rounds):
            for layout, g in (("original", graph), ("degree", relabeled)):
                trials = exe.run_trials(g, params, 1, threads=threads)
                times[layout].append(trials.min)
                results[layout] = trials.result
        err = compare(name, results["original"], results["degree"])
        best = {k: min(v) for k, v in times.items()}
        med = {k: float(np.median(v)) for k, v in times.items()}
        row["algos"][name] = (best["original"], best["degree"], err, med["original"], med["degree"])
        print(f"  {spec} {name}: {best['original'] * 1e3:.1f} -> {best['degree'] * 1e3:.1f} ms "
              f"({best['degree'] / best['original']:.2f}x; median {med['original'] * 1e3:.1f} -> "
              f"{med['degree'] * 1e3:.1f}, {med['degree'] / med['original']:.2f}x; auto: {row['auto']}; "
              f"rel L1 {err:.1e}, load {os.getloadavg()[0]:.2f})", flush=True)
    row["load_after"] = os.getloadavg()[0]
    return row


def table(rows: list[dict], threads: int, rounds: int) -> str:
    names = list(rows[0]["algos"])
    lines = ["| graph | nodes | arcs | max degree | hub_share | auto | relabel (s) | " + " | ".join(names)
             + " | load before / after |",
             "|" + "---|" * (len(names) + 8)]
    for r in rows:
        cells = [f"{a[0] * 1e3:.1f} / {a[1] * 1e3:.1f} ({a[1] / a[0]:.2f}x; med {a[4] / a[3]:.2f}x)"
                 for a in (r["algos"][n] for n in names)]
        lines.append(f"| {r['graph']} | {r['n']:,} | {r['arcs']:,} | {r['max_degree']:,} | {r['skew']:.3f} "
                     f"| {r['auto']} "
                     f"| {r['relabel_s']:.3f} | " + " | ".join(cells)
                     + f" | {r['load_before']:.2f} / {r['load_after']:.2f} |")
    lines.append("")
    lines.append(f"Each cell: ms per run, original / degree (ratio of the bests; ratio of the medians), "
                 f"{threads} threads, best of {rounds} runs taken in turns; auto: the layout `--layout auto` "
                 "picks for the graph (layout_rule.auto_layout), so its time is that column's. "
                 "pagerank, katz, hits: 20 passes (tol 0); label_propagation 10; "
                 "bfs and sssp (unit weights) from the first node with an edge. Results checked: "
                 "integers equal, floats within 1e-12 relative L1.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", nargs="+",
                        default=["kron:16", "kron:18", "kron:20", "uniform:20", "web:20"])
    parser.add_argument("--algorithms", nargs="+", default=list(PARAMS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "layout_algos.md"))
    args = parser.parse_args()
    executables = {}
    for name in args.algorithms:
        path = os.path.join(ALGOS, f"{name}.gdsl")
        executables[name] = Executable(compile_source(open(path).read(), path, None, 1))
    rows = []
    for spec in args.graphs:
        rows.append(measure(spec, args.threads, args.rounds, executables))
    text = table(rows, args.threads, args.rounds)
    print(text)
    with open(args.out, "w") as f:
        f.write("# Layouts (issue 14): every shipped whole-graph algorithm, input vs degree layout\n\n"
                f"`python3 bench/layout_algos.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                f"{os.cpu_count()} cores shared with other work: see the load averages).\n\n" + text)


if __name__ == "__main__":
    main()
