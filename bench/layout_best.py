"""Issue 14: the best hand-written pull PageRank against the GAP-style loop on the input graph.

    python3 bench/layout_best.py [--graphs kron:20] [--threads 2] [--iterations 20]
                                 [--rounds 7] [--variants orig deg ...] [--out FILE]

Runs bench/baseline/pagerank_layout.c (its header says what each variant is) on each graph,
every variant in one process, taking turns for ROUNDS rounds (the order rotates), ITERATIONS
passes per run (no convergence test), and reports per variant the min and median ms per
iteration, both as a ratio to `orig` (pagerank.c's loop on the input graph) in the same
process, and its scores' distance from orig's (L1, and the largest |difference| /
max(1, |value|): docs/graphs.md's tolerance is 1e-12 for that).  `uptime` is recorded before
and after each graph, since the machine is shared.  Writes bench/results/layout_best.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from cbaseline import _env, build  # noqa: E402
from layout import csr_file  # noqa: E402
from layout_algos import load  # noqa: E402

from graphbuild.runtime.layout_rule import degree_skew  # noqa: E402

VARIANTS = ["orig", "deg", "deg_sort", "orig_t", "orig_sort_t", "deg_t", "deg_sort_t",
            "deg_seg131072", "deg_seg262144", "deg_sort_t_a4", "deg_t_f32"]
TOLERANCE = 1e-12


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def measure(spec: str, threads: int, iterations: int, rounds: int, variants: list[str],
            policy: str | None) -> dict:
    graph = load(spec, threads)
    row = {"graph": spec, "n": graph.node_count, "arcs": 2 * graph.edge_count,
           "hub_share": degree_skew(graph), "uptime_before": uptime()}
    exe = build(program="pagerank_layout")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.csr")
        csr_file(graph, path)
        del graph
        cmd = [exe, path, str(iterations), str(rounds), *variants]
        row["command"] = (f"OMP_NUM_THREADS={threads} " + (f"OMP_WAIT_POLICY={policy} " if policy else "")
                          + f"{os.path.relpath(exe)} GRAPH.csr " + " ".join(cmd[2:]))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(threads, policy), check=True)
    row["uptime_after"] = uptime()
    row["variants"] = {}
    runs: dict = {}   # (variant, round) -> seconds
    for line in proc.stdout.splitlines():
        f = line.split()
        if f[0] == "run":
            runs[f[1], int(f[3])] = float(f[5])
        elif f[0] == "threads":
            row["relabel_s"] = float(f[-1])
        elif f[0] == "check":
            row["variants"][f[1]] = {"l1": float(f[3]), "maxrel": float(f[5]),
                                     "min": float(f[7]) / iterations, "median": float(f[9]) / iterations}
    for name, v in row["variants"].items():   # the ratio to orig within each round, paired
        v["paired"] = float(np.median([runs[name, r] / runs["orig", r] for r in range(rounds)]))
    return row


def table(row: dict, iterations: int, rounds: int) -> str:
    ref = row["variants"]["orig"]
    lines = [f"### {row['graph']}: {row['n']:,} nodes, {row['arcs']:,} arcs, hub share "
             f"{row['hub_share']:.3f}; degree relabel in the C program {row['relabel_s']:.3f} s", "",
             f"`{row['command']}`", "",
             f"- before: `{row['uptime_before']}`", f"- after: `{row['uptime_after']}`", "",
             "| variant | min ms/iter | median ms/iter | min vs orig | median vs orig "
             "| median of per-round ratios | L1 vs orig | max rel. diff | within 1e-12 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, v in row["variants"].items():
        ok = "yes" if v["maxrel"] <= TOLERANCE else "**no**"
        lines.append(f"| {name} | {v['min'] * 1e3:.2f} | {v['median'] * 1e3:.2f} "
                     f"| {v['min'] / ref['min']:.2f}x | {v['median'] / ref['median']:.2f}x "
                     f"| {v['paired']:.2f}x "
                     f"| {v['l1']:.1e} | {v['maxrel']:.1e} | {ok} |")
    lines.append("")
    lines.append(f"{iterations} passes per run, {rounds} rounds, the variants in turns in one "
                 f"process; min and median over the rounds; per-round ratio: the variant's run over "
                 f"orig's in the same round.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", nargs="+", default=["kron:20"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--variants", nargs="+", default=VARIANTS)
    parser.add_argument("--wait-policy", default=None, help="OMP_WAIT_POLICY (default: the runtime's)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "layout_best.md"))
    args = parser.parse_args()
    variants = args.variants if "orig" in args.variants else ["orig", *args.variants]
    parts = []
    for spec in args.graphs:
        row = measure(spec, args.threads, args.iterations, args.rounds, variants, args.wait_policy)
        parts.append(table(row, args.iterations, args.rounds))
        print(parts[-1], flush=True)
    with open(args.out, "w") as f:
        f.write("# The best hand-written pull PageRank (issue 14)\n\n"
                f"`python3 bench/layout_best.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})."
                "\n\n" + "\n".join(parts))


if __name__ == "__main__":
    main()
