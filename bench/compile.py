"""Compile time against program size: how the compiler grows with the number of variables.

Four shapes of generated program, each with N variables (bench/compile.py --show SHAPE N
prints one):
    chain    x_i = x_{i-1} * a + x_{i-2}: node vectors, each live for two statements
    scalars  y_i = y_{i-1} * a + i: scalars (registers), no slots
    live     x_i = deg * i + s for every i, all returned: N vectors live at once
    loop     N vectors carried through one repeat loop, each updated from its neighbor
Each size is compiled in a fresh process (`compile_source`, no cache), timed in CPU seconds
(so other work on a shared machine weighs less) and wall seconds, with the stage times and
the peak RSS.  "growth" is the exponent k of time ~ N^k between consecutive sizes.  The
`live` and `loop` shapes have N vectors in conflict with each other, about N^2/2 conflicts:
the slot allocator colors them by their spans of instructions, from bit sets
(plan/alloc.py), rather than listing the conflicts.  Targets (issue 17): every shape at
1,000 under 1 s, at 10,000 under 15 s.

    python bench/compile.py                     # sizes 250 500 1000 10000; bench/results/compile.md
    python bench/compile.py --sizes 250 1000 --shapes chain --no-write
    python bench/compile.py --tree /path/to/other/checkout --no-write   # the same, before a change
"""
from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "compile.md"
SHAPES = ("chain", "scalars", "live", "loop")


def program(shape: str, n: int) -> str:
    if shape == "chain":
        lines = ["algorithm chain(a: float = 0.5):", "    x0 = out_degree() * 1.0", "    x1 = x0 + a"]
        lines += [f"    x{i} = x{i - 1} * a + x{i - 2}" for i in range(2, n)]
        lines += [f"    return x{n - 1}"]
    elif shape == "scalars":
        lines = ["algorithm scalars(a: float = 0.5):", "    y0 = a"]
        lines += [f"    y{i} = y{i - 1} * a + {i}.0" for i in range(1, n)]
        lines += [f"    return y{n - 1}"]
    elif shape == "live":
        lines = ["algorithm live(scale: float = 1.0):", "    d = out_degree()"]
        lines += [f"    x{i} = d * {i}.5 + scale" for i in range(n)]
        lines += ["    return " + ", ".join(f"x{i}" for i in range(n))]
    elif shape == "loop":
        lines = ["algorithm loop(k: int = 3):"]
        lines += [f"    x{i} = fill({i}.0)" for i in range(n)]
        lines += ["    repeat k:"]
        lines += [f"        x{i} = x{i} + x{(i + 1) % n} * 0.5" for i in range(n)]
        lines += ["    s = x0"] + [f"    s = s + x{i}" for i in range(1, n)]
        lines += ["    return s"]
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return "\n".join(lines) + "\n"


# Runs in a fresh process: compile one program stage by stage, print the times as JSON.
MEASURE = """
import json, resource, sys, time
sys.setrecursionlimit(1000)
from graphbuild import ir, lang, passes
from graphbuild.plan.build import build_plan
from graphbuild.plan.options import PlanOptions
source = sys.stdin.read()
stages = {}
start_cpu, start_wall = time.process_time(), time.perf_counter()
def stage(name, f):
    t = time.process_time()
    value = f()
    stages[name] = round(time.process_time() - t, 4)
    return value
module = stage("parse+check", lambda: lang.load(source, "bench.gdsl"))
fn = stage("lower", lambda: ir.lower(module, None))
fn = stage("optimize", lambda: passes.optimize(fn, 1))
plan = stage("plan", lambda: build_plan(fn, "bench.gdsl", PlanOptions.for_level(1)))
print(json.dumps({"cpu": time.process_time() - start_cpu, "wall": time.perf_counter() - start_wall,
                  "stages": stages, "slots": len(plan.slots), "instructions": len(plan.code),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(shape: str, n: int, tree: pathlib.Path = ROOT) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # run in the tree: `python -c` puts the working directory first on sys.path
    done = subprocess.run([sys.executable, "-c", MEASURE], input=program(shape, n), text=True,
                          capture_output=True, env=env, cwd=tree, timeout=3600, check=True)
    return json.loads(done.stdout)


def growth(a: tuple[int, float], b: tuple[int, float]) -> str:
    (n0, t0), (n1, t1) = a, b
    if t0 <= 0 or t1 <= 0:
        return "-"
    return f"{math.log(t1 / t0) / math.log(n1 / n0):.2f}"


def table(results: dict[str, list[tuple[int, dict]]]) -> list[str]:
    lines = ["| shape | N | CPU s | wall s | growth | parse+check | lower | optimize | plan | slots | "
             "peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for shape, rows in results.items():
        for i, (n, r) in enumerate(rows):
            g = growth((rows[i - 1][0], rows[i - 1][1]["cpu"]), (n, r["cpu"])) if i else "-"
            s = r["stages"]
            times = " | ".join(f"{s[k]:.2f}" for k in ("parse+check", "lower", "optimize", "plan"))
            lines.append(f"| {shape} | {n:,} | {r['cpu']:.2f} | {r['wall']:.2f} | {g} | {times} | "
                         f"{r['slots']:,} | {r['rss_mb']:.0f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 10000])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results alone")
    parser.add_argument("--show", nargs=2, metavar=("SHAPE", "N"), help="print one program and exit")
    parser.add_argument("--tree", type=pathlib.Path, default=ROOT,
                        help="the source tree to measure (another checkout, for before and after)")
    args = parser.parse_args()
    if args.show:
        print(program(args.show[0], int(args.show[1])), end="")
        return
    load_before = os.getloadavg()
    results: dict[str, list[tuple[int, dict]]] = {}
    for shape in args.shapes:
        for n in args.sizes:
            r = measure(shape, n, args.tree)
            results.setdefault(shape, []).append((n, r))
            print(f"{shape:<8} N={n:<6} cpu {r['cpu']:7.2f} s  wall {r['wall']:7.2f} s  {r['stages']}",
                  flush=True)
    load_after = os.getloadavg()
    busy = " BUSY" if max(load_before[0], load_after[0]) > 2.5 else ""
    out = ["# Compile time against program size", "",
           f"`make bench-compile` ({time.strftime('%Y-%m-%d %H:%M')}); load average "
           f"{load_before[0]:.1f} before, {load_after[0]:.1f} after{busy} (2 cores).  CPU seconds are "
           "the compiling process's own; growth is the exponent k of CPU time ~ N^k from the size "
           "before.  `python bench/compile.py --show SHAPE N` prints a program.", "", *table(results), ""]
    print("\n".join(out))
    if not args.no_write:
        RESULTS.write_text("\n".join(out))


if __name__ == "__main__":
    main()
