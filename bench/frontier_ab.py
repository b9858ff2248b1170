"""Frontier lists (GB_KH_CHANGED = 2, csrc/exec/frontier.c) on and off in one build, trials
interleaved, so a busy machine slows both alike: BFS from the bench's seeded source on the
bench's Kronecker graphs (bench/kron.py, bench/context.py's source rule).

    python3 bench/frontier_ab.py THREADS TRIALS SCALE...

Prints one markdown row per scale: min and median ms with the claim off and on (gb_run's
own time), the passes by form with it on, whether the bits agree, and the load.
"""
from __future__ import annotations

import copy
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bench")]

import gb  # noqa: E402
import kron  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402


def main(argv: list[str]) -> None:
    threads, trials, scales = int(argv[0]), int(argv[1]), [int(s) for s in argv[2:]]
    print("| scale | off min / med ms | on min / med ms | passes (on) | same bits | load |")
    print("|---|---|---|---|---|---|")
    for scale in scales:
        g = kron.load(scale)
        graph = gb.graph_from_arrays(g.n, g.src, g.dst, None, False)
        degree = np.bincount(np.concatenate([g.src, g.dst]), minlength=g.n)
        candidates = np.flatnonzero(degree > 0)
        source = int(candidates[np.random.default_rng(g.seed + scale).integers(len(candidates))])
        on = gb.Program("bfs").plan
        off = copy.deepcopy(on)
        for k in off.kernels:
            k.frontier_list = False
        exes = {"off": Executable(off), "on": Executable(on)}
        times: dict[str, list[float]] = {"off": [], "on": []}
        results, loops = {}, None
        load0 = os.getloadavg()[0]
        for _ in range(trials):
            for key, exe in exes.items():
                tr = exe.run_trials(graph, {"source": source}, 1, threads=threads)
                times[key].append(tr.seconds[0] * 1e3)
                results[key] = tr.result
                if key == "on":
                    loops = tr.result.loops
        same = all(repr(results["on"].columns[c]) == repr(results["off"].columns[c])
                   for c in results["on"].columns)
        cells = [f"{min(t):.1f} / {sorted(t)[len(t) // 2]:.1f}" for t in times.values()]
        passes = loops[0]["edge_passes"] if loops else {}
        form = ", ".join(f"{k} {v}" for k, v in passes.items() if v)
        print(f"| {scale} | {cells[0]} | {cells[1]} | {form} | {same} | "
              f"{load0:.1f}-{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
