"""What the optimizer buys: every shipped algorithm at -O0 and -O1 on Kronecker scale 18
(`make bench-opt`).

    python bench/opt.py                    # scale 18, 2 threads
    python bench/opt.py --scale 16 --only pagerank

Each algorithm is compiled at both levels without the cache, run on the same graph with the
same parameters as bench/run.py, timed (min and median of the executor's own time), and the
two results are compared: an optimization that changes the answer is reported as DIFFERENT.
The table, with the compiler's plan statistics, goes to bench/results/opt.md.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases as C  # noqa: E402
import gb  # noqa: E402
from context import Context  # noqa: E402
from timing import run_trials  # noqa: E402

STATS = [("ops", "ops_after"), ("kernels", "kernels"), ("fused", "fused"),
         ("edge/it", "edge_passes_per_iteration"), ("node/it", "node_passes_per_iteration"),
         ("slots", "slots")]
FLOAT_RTOL = 1e-9  # reassociation may change rounding; anything larger is a wrong answer


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def params_for(algorithm: str, program: gb.Program, ctx: Context) -> dict:
    """bench/run.py's parameters for the algorithm; for one it does not know, the defaults
    with node parameters at the bench's source node."""
    for case in C.CASES:
        if case.algorithm == algorithm:
            return case.params(ctx)
    return {p.name: str(ctx.source) for p in program.plan.params if p.dtype == "node"}


def compare(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> str:
    if a.keys() != b.keys():
        return f"DIFFERENT columns {sorted(a)} vs {sorted(b)}"
    worst = 0.0
    for name in a:
        x, y = a[name], b[name]
        if x.dtype.kind == "f" or y.dtype.kind == "f":
            x, y = x.astype(np.float64), y.astype(np.float64)
            same_inf = (x == y) | (np.isnan(x) & np.isnan(y))
            scale = np.maximum(np.abs(x), np.abs(y))
            with np.errstate(invalid="ignore"):
                rel = np.where(same_inf, 0.0, np.abs(x - y) / np.where(scale > 0, scale, 1.0))
            worst = max(worst, float(np.nanmax(rel)) if rel.size else 0.0)
            if worst > FLOAT_RTOL or np.isnan(rel).any():
                return f"DIFFERENT {name}: rel err {worst:.1e}"
        elif not np.array_equal(x, y):
            return f"DIFFERENT {name}: {int(np.count_nonzero(x != y))} nodes"
    return "same" if worst == 0.0 else f"same (rel {worst:.0e})"


def stat(program: gb.Program, key: str) -> str:
    value = gb.plan_stats(program).get(key)
    return "-" if value is None else str(value)


def measure(program: gb.Program, graph, params, args):
    def trial():
        columns, kernel, _ = program.run(graph, params, args.threads, deadline_s=args.deadline)
        return columns, kernel
    return run_trials(trial, args.trials, args.budget)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=18)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--budget", type=float, default=8.0)
    parser.add_argument("--deadline", type=float, default=300.0)
    parser.add_argument("--only", type=lambda s: set(s.split(",")), default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    ctx = Context(args.scale, threads=args.threads, log=log)
    weighted = {case.algorithm for case in C.CASES if case.weighted}
    header = ["algorithm", "-O0 ms", "-O1 ms", "speedup"] + [f"{h} O0/O1" for h, _ in STATS] + ["results"]
    rows = []
    load = os.getloadavg()[0]
    for name in gb.shipped_algorithms():
        if args.only and name not in args.only:
            continue
        graph = ctx.gb_graph_w if name in weighted else ctx.gb_graph
        row = [name]
        try:
            programs = [gb.Program(name, opt_level=level) for level in (0, 1)]
            params = params_for(name, programs[1], ctx)
            timings = [measure(p, graph, params, args) for p in programs]
            speedup = timings[0].min_ms / timings[1].min_ms
            row += [f"{timings[0].min_ms:.1f}", f"{timings[1].min_ms:.1f}", f"{speedup:.2f}"]
            row += [f"{stat(programs[0], key)}/{stat(programs[1], key)}" for _, key in STATS]
            row.append(compare(timings[0].value, timings[1].value))
        except gb.Deadline as exc:
            row += ["timeout", str(exc)] + ["-"] * (len(header) - 3)
        except Exception as exc:  # a compiler or executor failure is a row, not the end of the run
            row += ["ERROR", f"{type(exc).__name__}: {exc}"[:80]] + ["-"] * (len(header) - 3)
        row = row[:len(header)]
        rows.append(row)
        log("  " + "  ".join(row))

    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) if i in (0, len(header) - 1) else c.rjust(w)  # noqa: E731
                                          for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    table = "\n".join([fmt(header), sep, *(fmt(r) for r in rows)])
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    text = "\n".join([
        "# graphbuild optimizer: -O0 vs -O1",
        "",
        f"Kronecker scale {args.scale} (degree 16), {args.threads} threads, run {stamp} "
        f"(load average {load:.1f} at start). Times in ms: min of the executor's own time over up to "
        f"{args.trials} trials. speedup = -O0 / -O1. Plan statistics from the compiler "
        "(ops = IR ops after optimization, edge/it and node/it = passes per loop iteration). "
        "results: whether -O0 and -O1 agree (ints exactly, floats within 1e-9 relative).",
        "",
        "```",
        table,
        "```",
        "",
    ])
    print(text)
    if not args.no_write:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "opt.md"), "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    status = main()
    log(f"bench-opt done in {time.perf_counter() - start:.0f} s")
    sys.exit(status)
