"""1-thread against 2-thread scaling of graphbuild and of its published-algorithm C baseline
(bench/baseline/), for BFS and connected components, all four trials of a round interleaved so a
busy machine slows them alike.

    python3 bench/scaling_ab.py TRIALS SCALE [ALGORITHM...]

Prints one markdown row per algorithm: min and median ms of graphbuild and of the C baseline at 1
and 2 threads (gb_run's own time; the baseline times its own kernel, default OpenMP wait policy),
each one's 1->2 thread speedup (min over min), graphbuild's ratio to C at 2 threads, and the load.
"""
from __future__ import annotations

import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bench")]

import cbaseline  # noqa: E402
import gb  # noqa: E402
from context import Context  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402


def main(argv: list[str]) -> None:
    trials, scale = int(argv[0]), int(argv[1])
    algorithms = argv[2:] or ["bfs", "connected_components"]
    ctx = Context(scale, 2, log=lambda _: None)
    print("| algorithm | gb 1t ms | gb 2t ms | gb 2t/1t speedup | C 1t ms | C 2t ms "
          "| C speedup | gb/C at 2t | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for algorithm in algorithms:
        exe = Executable(gb.Program(algorithm).plan)
        params = {"source": ctx.source} if algorithm == "bfs" else {}
        args = [ctx.source] if algorithm == "bfs" else []
        times: dict[str, list[float]] = {k: [] for k in ("g1", "g2", "c1", "c2")}
        load0 = os.getloadavg()[0]
        for _ in range(trials):
            for threads in (1, 2):
                tr = exe.run_trials(ctx.gb_graph, params, 3, threads=threads)
                times[f"g{threads}"].append(min(tr.seconds) * 1e3)
                secs, _ = cbaseline.run_gap(ctx, algorithm, 3, threads, args)
                times[f"c{threads}"].append(min(secs) * 1e3)
        lo = {k: min(v) for k, v in times.items()}
        cell = {k: f"{lo[k]:.1f} / {statistics.median(v):.1f}" for k, v in times.items()}
        print(f"| {algorithm} | {cell['g1']} | {cell['g2']} | {lo['g1'] / lo['g2']:.2f}x "
              f"| {cell['c1']} | {cell['c2']} | {lo['c1'] / lo['c2']:.2f}x "
              f"| {lo['g2'] / lo['c2']:.2f}x | {load0:.1f}-{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
