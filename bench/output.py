"""What writing results costs next to the run itself: `graphbuild run pagerank -g kron:S` with
--top 0 (no output: the floor), --top 3, --output x.csv / x.jsonl / x.json and --json.

Each case is ONE fresh process (the machine is shared: no repeats), after one warm-up run that
stores the plan and the graph in a private cache, so every timed run is a plan hit and a graph
cache hit.  Reported per case: wall time and CPU time (user + system) of the whole process,
the run inside C (the summary's "run" or --json's run_ms), and what the case costs over the
--top 0 floor.  Started under `nice`.

    python bench/output.py                       # scale 20, table in bench/results/output.md
    python bench/output.py --scale 16 --label after --python /path/to/venv/bin/python
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROGRAM = str(ROOT / "algorithms" / "pagerank.gdsl")
CASES = [("--top 0", ["--top", "0"]), ("--top 3", ["--top", "3"]),
         ("--output x.csv", ["--output", "{dir}/x.csv"]), ("--output x.jsonl", ["--output", "{dir}/x.jsonl"]),
         ("--output x.json", ["--output", "{dir}/x.json"]), ("--json", ["--json"])]
RUN_MS = re.compile(r"run ([0-9.]+) ms")


def timed(cmd: list[str], env: dict[str, str], cwd: str) -> dict[str, float]:
    """Wall and CPU seconds of one child process (run in cwd: never the source tree, whose
    graphbuild/ has no built extension), and its run inside C in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(["nice", *cmd], env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    if "--json" in cmd:
        run_s = json.loads(proc.stdout)["timings"]["run_ms"] / 1000.0
    else:
        run_s = float(RUN_MS.search(proc.stderr).group(1)) / 1000.0
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "run": run_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--python", default=sys.executable, help="the interpreter with graphbuild installed")
    parser.add_argument("--label", default="", help="a name for this set of numbers (e.g. before, after)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "output.md"),
                        help="append the table to this file ('-': print only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gb-bench-output-") as tmp:
        env = {**os.environ, "GRAPHBUILD_CACHE_DIR": f"{tmp}/cache", "GRAPHBUILD_CONFIG_DIR": f"{tmp}/config",
               "GRAPHBUILD_CACHE_MAX_SIZE": "4G"}
        base = [args.python, "-m", "graphbuild", "run", PROGRAM, "-g", f"kron:{args.scale}",
                "-t", str(args.threads)]
        timed(base + ["--top", "0"], env, tmp)   # warm-up: compile, generate, store both caches
        rows = []
        for name, extra in CASES:
            r = timed(base + [a.format(dir=tmp) for a in extra], env, tmp)
            rows.append((name, r))
            print(f"{name:<18} wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s  run {r['run']:6.2f} s",
                  file=sys.stderr)
    floor = rows[0][1]
    label = f" — {args.label}" if args.label else ""
    lines = [f"### kron:{args.scale}, PageRank, {args.threads} threads{label}",
             "", "| case | wall s | CPU s | run in C s | wall over --top 0 | CPU over --top 0 |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        lines.append(f"| `{name}` | {r['wall']:.2f} | {r['cpu']:.2f} | {r['run']:.2f} | "
                     f"{r['wall'] - floor['wall']:+.2f} | {r['cpu'] - floor['cpu']:+.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out != "-":
        with open(args.out, "a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
