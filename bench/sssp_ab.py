"""SSSP run as delta-stepping (GB_KH_UNION_FIND = 2) against the same plan without the claim
(its carried changed-set passes) and against the delta-stepping C baseline
(bench/baseline/sssp.c), trials interleaved so a busy machine slows all three alike, on the
bench's Kronecker graphs with GAP's SSSP weights (integers 1..255) from the bench's source.

    python3 bench/sssp_ab.py THREADS TRIALS SCALE...

Prints one markdown row per scale: min and median ms of each (gb_run's own time; the baseline
times its own kernel), whether the distances agree bit for bit, and the load average.
"""
from __future__ import annotations

import copy
import os
import statistics
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bench")]

import bench_params as P  # noqa: E402
import cbaseline  # noqa: E402
import gb  # noqa: E402
from context import Context  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402


def main(argv: list[str]) -> None:
    threads, trials, scales = int(argv[0]), int(argv[1]), [int(s) for s in argv[2:]]
    print("| scale | claim off ms (min/med) | delta-stepping ms (min/med) | C delta-stepping ms "
          "(min/med) | same bits | load |")
    print("|---|---|---|---|---|---|")
    for scale in scales:
        ctx = Context(scale, threads, log=lambda _: None)
        g = ctx.kg
        graph = gb.graph_from_arrays(g.n, g.src, g.dst, ctx.weights, False)
        on = gb.Program("sssp").plan
        off = copy.deepcopy(on)
        for k in off.kernels:
            k.delta_step = False
        exes = {"off": Executable(off), "on": Executable(on)}
        times: dict[str, list[float]] = {"off": [], "on": [], "c": []}
        cols = {}
        params = {"source": ctx.source}
        load0 = os.getloadavg()[0]
        for _ in range(trials):
            for key, exe in exes.items():
                tr = exe.run_trials(graph, params, 1, threads=threads)
                times[key].append(tr.seconds[0] * 1e3)
                cols[key] = np.asarray(tr.result.columns["dist"])
            secs, _ = cbaseline.run_gap(ctx, "sssp", 1, threads, [ctx.source, P.SSSP_DELTA])
            times["c"].append(secs[0] * 1e3)
        same = cols["on"].tobytes() == cols["off"].tobytes()
        cell = {k: f"{min(v):.1f} / {statistics.median(v):.1f}" for k, v in times.items()}
        print(f"| {scale} | {cell['off']} | {cell['on']} | {cell['c']} | {same} "
              f"| {load0:.1f}-{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
