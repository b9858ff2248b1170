"""One algorithm's run time from two source trees (two builds), interleaved so a busy machine
slows both alike: each round runs a fresh process per tree, in alternating order, and each
process times 7 runs after 2 warm-ups on the bench's Kronecker graph.

    python3 bench/tree_ab.py ROOT_A ROOT_B ROUNDS THREADS [ALGORITHM]   (SCALE=20 by default)

ROOT_A and ROOT_B are checkouts with their C extension built in place (`make native`), e.g. a
`git worktree` of the branch against main.  Prints min and median ms of each and B / A.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys

CHILD = r'''
import os, sys
root = sys.argv[1]
sys.path[:0] = [root, os.path.join(root, "bench")]
import gb
from context import Context
from graphbuild.runtime import Executable
algorithm, threads = sys.argv[3], int(sys.argv[2])
ctx = Context(int(sys.argv[4]), threads, log=lambda _: None)
exe = Executable(gb.Program(algorithm).plan)
params = {"source": ctx.source} if algorithm in ("bfs", "sssp") else {}
graph = ctx.gb_graph_w if algorithm == "sssp" else ctx.gb_graph
exe.run_trials(graph, params, 2, threads=threads)
print(" ".join(f"{s * 1e3:.3f}" for s in exe.run_trials(graph, params, 7, threads=threads).seconds))
'''


def main(argv: list[str]) -> None:
    roots = {"A": argv[0], "B": argv[1]}
    rounds, threads = int(argv[2]), argv[3]
    algorithm = argv[4] if len(argv) > 4 else "bfs"
    scale = os.environ.get("SCALE", "20")
    times: dict[str, list[float]] = {"A": [], "B": []}
    for r in range(rounds):
        for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
            out = subprocess.run([sys.executable, "-c", CHILD, roots[name], threads, algorithm, scale],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"{name} ({roots[name]}) failed:\n{out.stderr[-2000:]}")
            times[name] += [float(x) for x in out.stdout.split()]
    for name, v in times.items():
        print(f"{name} {roots[name]}: min {min(v):.2f} median {statistics.median(v):.2f} ms")
    print(f"B / A: min {min(times['B']) / min(times['A']):.3f}, "
          f"median {statistics.median(times['B']) / statistics.median(times['A']):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
