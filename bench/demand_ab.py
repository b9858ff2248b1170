"""The demand claim's full form (graphbuild/plan/demand.py) on betweenness, A/B in one process.

    python3 bench/demand_ab.py THREADS TRIALS SCALE:K...

Runs algorithms/betweenness_sample.gdsl with K sources on the bench's Kronecker graph of
SCALE (bench/kron.py, undirected, deduplicated) as compiled, and the same plan with the
full-form demand claims removed (every edge kernel pulls at every node, as before them),
trials interleaved; prints ms per source (min / median) for each, whether the two results
are bitwise equal, and the load average.
"""
from __future__ import annotations

import copy
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
from graphbuild.plan.demand import early_exit  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402


def without_full_demand(plan):
    off = copy.deepcopy(plan)
    for k in off.kernels:
        if k.domain == "edge" and k.demand_slot >= 0 and not early_exit(off, k):
            k.demand_slot, k.demand_value = -1, 0
    return off


def main(argv: list[str]) -> None:
    threads, trials = int(argv[0]), int(argv[1])
    plan = compile_file(os.path.join(ROOT, "algorithms", "betweenness_sample.gdsl")).plan
    runs = {"demand": Executable(plan), "dense": Executable(without_full_demand(plan))}
    print("| scale | sources | demand ms/source (min / median) | dense | bitwise | load |")
    print("| --- | --- | --- | --- | --- | --- |")
    for spec in argv[2:]:
        scale, k = (int(x) for x in spec.split(":"))
        g = kron.load(scale)
        graph = gb.graph_from_arrays(g.n, g.src, g.dst, None, False)
        times: dict[str, list[float]] = {name: [] for name in runs}
        out: dict[str, np.ndarray] = {}
        for _ in range(trials):
            for name, ex in runs.items():
                start = time.perf_counter()
                r = ex.run(graph, params={"k": k, "seed": 1}, threads=threads)
                times[name].append((time.perf_counter() - start) * 1000 / k)
                out[name] = np.asarray(r.columns["bc"])
        same = out["demand"].tobytes() == out["dense"].tobytes()
        cell = {name: f"{min(t):.1f} / {statistics.median(t):.1f}" for name, t in times.items()}
        print(f"| kron:{scale} | {k} | {cell['demand']} | {cell['dense']} | {'yes' if same else 'NO'} "
              f"| {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
