"""Carried changed sets (GB_KH_CHANGED) on and off in one build, trials interleaved, so a busy
machine slows both alike: connected components and SSSP on the bench's Kronecker graphs
(bench/kron.py; SSSP from bench/context.py's seeded source, GAP's weights 1..255).

    python3 bench/changed_ab.py THREADS TRIALS SCALE... [--cpu]

Prints one markdown row per algorithm and scale: min and median ms with the claim off and
on (gb_run's own time, or with --cpu the process's CPU time around it), the passes, how many
ran in full and how many over a carried changed set, whether the bits agree, and the load.
"""
from __future__ import annotations

import copy
import os
import resource
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bench")]

import gb  # noqa: E402
import kron  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402


def cpu_ms() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e3


def main(argv: list[str]) -> None:
    use_cpu = "--cpu" in argv
    args = [a for a in argv if a != "--cpu"]
    threads, trials, scales = int(args[0]), int(args[1]), [int(s) for s in args[2:]]
    for scale in scales:
        g = kron.load(scale)
        plain = gb.graph_from_arrays(g.n, g.src, g.dst, None, False)
        weighted = gb.graph_from_arrays(g.n, g.src, g.dst, g.sssp_weights(), False)
        degree = np.bincount(np.concatenate([g.src, g.dst]), minlength=g.n)
        candidates = np.flatnonzero(degree > 0)
        source = int(candidates[np.random.default_rng(g.seed + scale).integers(len(candidates))])
        for name, graph, params in (("connected_components", plain, {}),
                                    ("sssp", weighted, {"source": source})):
            on = gb.Program(name).plan
            off = copy.deepcopy(on)
            for k in off.kernels:
                k.changed = False
            exes = {"off": Executable(off), "on": Executable(on)}
            times: dict[str, list[float]] = {"off": [], "on": []}
            results = {}
            load0 = os.getloadavg()[0]
            for _ in range(trials):
                for key, exe in exes.items():
                    c0 = cpu_ms()
                    tr = exe.run_trials(graph, params, 1, threads=threads)
                    times[key].append(cpu_ms() - c0 if use_cpu else tr.seconds[0] * 1e3)
                    results[key] = tr.result
            same = all(repr(results["on"].columns[c]) == repr(results["off"].columns[c])
                       for c in results["on"].columns)
            loop = results["on"].loops[0]
            mid = trials // 2
            print(f"| kron{scale} | {name} | {threads} | {min(times['off']):.1f} | {min(times['on']):.1f} | "
                  f"{sorted(times['off'])[mid]:.1f} | {sorted(times['on'])[mid]:.1f} | {loop['passes']} | "
                  f"{loop['edge_passes']['dense']} | {loop['edge_passes']['changed']} | "
                  f"{'same' if same else 'DIFFER'} | {load0:.1f}-{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
