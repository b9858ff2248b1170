"""Memory: `profile-memory --predict` against measured peak RSS, and scipy's PageRank memory.

    python bench/memory.py --scales 16 18 20        # table in bench/results/memory.md

For each algorithm and Kronecker scale: the graph is generated once into the graph cache
(the first load's build transient is not what this compares), then two fresh processes:
`profile-memory --json` (a real run; its ru_maxrss is its own) and `profile-memory --predict
--json` (the plan and the counts only).  "model" is the measured run's own prediction with the
graph's measured bytes in place of the layout rule, so it separates the model's error from a
difference between runtime/graph_layout.py and the C graph actually built.

scipy: the analytic bytes of pagerank.gdsl as SpMV (CSR with int32 indices and float64 data
over the same arcs, plus the iteration's numpy vectors), and a measured run: a subprocess
builds the CSR from bench/kron.py's edges, resets its peak RSS (/proc/self/clear_refs), runs
the power iteration and reports VmHWM.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "memory.md"
ALGORITHMS = ("pagerank", "bfs", "sssp")
MIB = 1 << 20


def profile(algorithm: str, scale: int, cache: str, *extra: str) -> dict:
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "graphbuild", "profile-memory",
           str(ROOT / "algorithms" / f"{algorithm}.gdsl"), "-g", f"kron:{scale}", "--json", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout)


SCIPY_RUN = r"""
import sys, json, numpy as np
sys.path.insert(0, sys.argv[2])
import kron
from peers_scipy import _power_iteration
g = kron.load(int(sys.argv[1]))
A = kron.csr(g)
A.indices = A.indices.astype(np.int32); A.indptr = A.indptr.astype(np.int32)
deg = np.diff(A.indptr).astype(np.float64)
arcs, n = A.nnz, A.shape[0]
del g
import gc; gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmRSS"))
_power_iteration(A, deg, 0.85, 1e-12, 1000)
hwm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"arcs": arcs, "n": n, "before": before, "hwm": hwm}))
"""


def scipy_run(scale: int) -> dict | None:
    try:
        proc = subprocess.run([sys.executable, "-c", SCIPY_RUN, str(scale), str(ROOT / "bench")],
                              capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as exc:
        print(f"scipy run failed at scale {scale}: {exc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout)


def first_load(algorithm: str, scale: int) -> tuple[dict, int]:
    """--predict's report, and the peak RSS (the child's ru_maxrss) of `graphbuild run` on a
    graph that is not in the graph cache: generating and building it is in the peak."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    program = str(ROOT / "algorithms" / f"{algorithm}.gdsl")
    pred = profile(algorithm, scale, tempfile.gettempdir(), "--predict", "--no-cache")
    child = subprocess.Popen([sys.executable, "-m", "graphbuild", "run", program, "-g", f"kron:{scale}",
                              "--no-cache", "--json"], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"graphbuild run failed on kron:{scale}")
    return pred, usage.ru_maxrss * 1024


def first_load_table(scales: list[int]) -> list[str]:
    lines = ["", "## First load: `graphbuild run -g kron:S --no-cache` (generating and building included)",
             "",
             "`--predict`'s `rss_peak_bytes` = baseline + max(load peak, graph + buffers + scratch + "
             "incremental + result columns); the load peak is C's own figure (gb_graph_load_bytes), "
             "the one the memory guard checks.", "",
             "| algorithm | scale | load peak | run (graph cached) | predicted first run | measured "
             "| error |",
             "|---|---|---|---|---|---|---|"]
    for scale in scales:
        for algorithm in ALGORITHMS:
            p, rss = first_load(algorithm, scale)
            row = (f"| {algorithm} | {scale} | {p['load_peak_bytes'] / MIB:.1f} | "
                   f"{p['predicted_rss_bytes'] / MIB:.1f} | {p['rss_peak_bytes'] / MIB:.1f} | "
                   f"{rss / MIB:.1f} | "
                   f"{pct(p['rss_peak_bytes'], rss)} |")
            print(row, flush=True)
            lines.append(row)
    return lines


def scipy_bytes(n: int, arcs: int) -> int:
    """CSR (int32 indptr and indices, float64 data) and the vectors one power-iteration step
    holds: deg, inv_deg, rank, rank*inv_deg, A@x, new, |new-rank| (float64), dangling (bool)."""
    return (n + 1) * 4 + arcs * 12 + 7 * n * 8 + n


def pct(a: int, b: int) -> str:
    return f"{100.0 * (a - b) / b:+.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[16, 18, 20])
    ap.add_argument("--no-scipy", action="store_true")
    args = ap.parse_args()
    lines = ["# Memory: predicted vs measured peak RSS", "",
             f"Kronecker graphs (`-g kron:S`, undirected, degree 16), {os.cpu_count()} cores; "
             "MiB. `bench/memory.py` (`make bench-memory`).", "",
             "| algorithm | scale | measured RSS | --predict | error | model (measured graph bytes) "
             "| error | graph (C) | graph (layout rule) | buffers (planned = minimum) | naive | baseline "
             "| RSS / (graph+buffers+baseline) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as cache:
        for scale in args.scales:
            profile("bfs", scale, cache)  # generate once into the graph cache
            for algorithm in ALGORITHMS:
                m = profile(algorithm, scale, cache)
                p = profile(algorithm, scale, cache, "--predict")
                rss = m["rss_peak_bytes"]
                ratio = rss / (m["graph_bytes"] + m["peak_bytes"] + m["baseline_rss_bytes"])
                row = (f"| {algorithm} | {scale} | {rss / MIB:.1f} | {p['predicted_rss_bytes'] / MIB:.1f} | "
                       f"{pct(p['predicted_rss_bytes'], rss)} | {m['predicted_rss_bytes'] / MIB:.1f} | "
                       f"{pct(m['predicted_rss_bytes'], rss)} | {m['graph_bytes'] / MIB:.1f} | "
                       f"{p['graph_bytes'] / MIB:.1f} | {m['peak_bytes'] / MIB:.1f} "
                       f"({'=' if m['peak_bytes'] == m['minimum_bytes'] else '>'}) | "
                       f"{m['naive_bytes'] / MIB:.1f} | "
                       f"{m['baseline_rss_bytes'] / MIB:.1f} | {ratio:.2f} |")
                print(row, flush=True)
                lines.append(row)
    lines += first_load_table(args.scales)
    if not args.no_scipy:
        lines += ["", "## PageRank against scipy (CSR SpMV, bench/peers_scipy.py)", "",
                  "scipy's graph is bench/kron.py's (duplicates and self-loops removed, so fewer arcs "
                  "than `kron:S`); its row is measured after the CSR is built (peak reset), the analytic "
                  "column counts CSR + iteration vectors only.", "",
                  "| scale | arcs | scipy analytic | RSS before the iteration | peak RSS in the iteration |",
                  "|---|---|---|---|---|"]
        for scale in args.scales:
            s = scipy_run(scale)
            if s is None:
                lines.append(f"| {scale} | n/a | n/a | n/a | n/a |")
                continue
            row = (f"| {scale} | {s['arcs']:,} | {scipy_bytes(s['n'], s['arcs']) / MIB:.1f} | "
                   f"{s['before'] / MIB:.1f} | {s['hwm'] / MIB:.1f} |")
            print(row, flush=True)
            lines.append(row)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
