"""Bucketed peeling (GB_KH_ORDERED) on and off in one build, trials interleaved, so a busy
machine slows both alike: k-core on the bench's Kronecker graphs (bench/kron.py).

    python3 bench/ordered_ab.py THREADS TRIALS SCALE... [--cpu]

Prints one markdown row per scale: min and median ms with the claim off and on (gb_run's own
time, or with --cpu the process's CPU time around it), the levels and rounds, whether the bits
agree, and the load.
"""
from __future__ import annotations

import copy
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bench")]

import gb  # noqa: E402
import kron  # noqa: E402
from changed_ab import cpu_ms  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402


def main(argv: list[str]) -> None:
    use_cpu = "--cpu" in argv
    args = [a for a in argv if a != "--cpu"]
    threads, trials, scales = int(args[0]), int(args[1]), [int(s) for s in args[2:]]
    for scale in scales:
        g = kron.load(scale)
        graph = gb.graph_from_arrays(g.n, g.src, g.dst, None, False)
        on = gb.Program("k_core").plan
        off = copy.deepcopy(on)
        for k in off.kernels:
            k.ordered = ""
        exes = {"off": Executable(off), "on": Executable(on)}
        times: dict[str, list[float]] = {"off": [], "on": []}
        results = {}
        load0 = os.getloadavg()[0]
        for _ in range(trials):
            for key, exe in exes.items():
                c0 = cpu_ms()
                tr = exe.run_trials(graph, {}, 1, threads=threads)
                times[key].append(cpu_ms() - c0 if use_cpu else tr.seconds[0] * 1e3)
                results[key] = tr.result
        same = all(repr(results["on"].columns[c]) == repr(results["off"].columns[c])
                   for c in results["on"].columns)
        outer, inner = results["on"].loops[1], results["on"].loops[0]
        mid = trials // 2
        print(f"| kron{scale} | k_core | {threads} | {min(times['off']):.1f} | {min(times['on']):.1f} | "
              f"{sorted(times['off'])[mid]:.1f} | {sorted(times['on'])[mid]:.1f} | {outer['passes']} | "
              f"{inner['passes']} | {outer['ordered'] or '-'} | {'same' if same else 'DIFFER'} | "
              f"{load0:.1f}-{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
