"""Start-up time of `graphbuild run` on the bundled graph: a cold compile against a cache hit.

Each trial is a fresh `python -m graphbuild run ALGORITHM --json` process, timed three ways:
    wall      from spawning the process to its exit
    first_op  from spawning it to the moment the C executor is entered: interpreter start,
              imports, cache lookup (or the whole compile), graph load and parameter binding
    compile   the run's own timings (compile_ms: the cache lookup on a hit), and load_ms
cold: a new, empty cache directory for every trial (parse, check, optimize, plan, store);
hit:  one cache directory, warmed by a first run.  The floor lines time `python -c pass` and
the imports alone, so the rest can be told apart from the interpreter's own start.

    python bench/startup.py                      # PageRank, 15 trials of each
    python bench/startup.py --algorithm bfs --trials 30 --json
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMPILER = ("graphbuild.compiler", "graphbuild.lang", "graphbuild.ir", "graphbuild.passes",
            "graphbuild.plan.build")

# Runs inside the timed process: notes the wall-clock time at which the executor is entered
# (and whether the compiler had been imported by then), then runs the real command line.
PROBE = """
import sys, time
stamp_file = sys.argv[1]
from graphbuild.runtime import executor
enter_c = executor.run_interruptibly
def timed(call, interrupt):
    now = time.time()
    compiler = any(m.startswith(COMPILER) for m in sys.modules)
    with open(stamp_file, "w") as f:
        f.write(f"{now!r} {int(compiler)}")
    return enter_c(call, interrupt)
executor.run_interruptibly = timed
sys.argv = ["graphbuild", *sys.argv[2:]]
import runpy
runpy.run_module("graphbuild", run_name="__main__", alter_sys=True)
""".replace("COMPILER", repr(COMPILER))


def trial(program: pathlib.Path, cache: pathlib.Path, workdir: pathlib.Path) -> dict:
    stamp = workdir / "first-op"
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    spawned = time.time()
    proc = subprocess.run([sys.executable, "-c", PROBE, str(stamp), "run", str(program), "--json"],
                          capture_output=True, text=True, env=env, cwd=workdir)
    wall = time.time() - spawned
    if proc.returncode != 0:
        raise SystemExit(f"graphbuild run failed ({proc.returncode}):\n{proc.stderr}")
    first_op, compiler = stamp.read_text().split()
    timings = json.loads(proc.stdout)["timings"]
    return {"wall_ms": 1e3 * wall, "first_op_ms": 1e3 * (float(first_op) - spawned),
            "compile_ms": timings["compile_ms"], "load_ms": timings["load_ms"],
            "cache_hit": timings["cache_hit"], "compiler_imported": compiler == "1"}


def floor(code: str, workdir: pathlib.Path, trials: int) -> list[float]:
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=workdir,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        times.append(1e3 * (time.perf_counter() - start))
    return times


def summary(rows: list[dict], name: str) -> tuple[float, float]:
    values = [r[name] for r in rows]
    return min(values), statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--algorithm", default="pagerank", help="a program in algorithms/ (default pagerank)")
    parser.add_argument("--trials", type=int, default=15, help="processes per case (default 15)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    program = ROOT / "algorithms" / f"{args.algorithm}.gdsl"

    with tempfile.TemporaryDirectory(prefix="gb-startup-") as tmp:
        work = pathlib.Path(tmp)
        trial(program, work / "warm-up", work)  # bytecode caches and the page cache, not timed
        cold = [trial(program, work / f"cold{i}", work) for i in range(args.trials)]
        hit_cache = work / "hit"
        trial(program, hit_cache, work)
        hit = [trial(program, hit_cache, work) for _ in range(args.trials)]
        python_ms = floor("pass", work, args.trials)
        imports_ms = floor("import graphbuild.cli, graphbuild.runtime.executor", work, args.trials)

    assert not any(r["cache_hit"] for r in cold) and all(r["cache_hit"] for r in hit)
    report = {"algorithm": args.algorithm, "trials": args.trials, "python": sys.version.split()[0],
              "cases": {"cold": cold, "hit": hit},
              "floor_ms": {"python": statistics.median(python_ms), "imports": statistics.median(imports_ms)}}
    if args.json:
        print(json.dumps(report))
        return
    print(f"startup {args.algorithm} on the bundled graph, python {report['python']}, {args.trials} trials "
          "(min / median, ms)")
    print(f"{'case':<6}{'wall':>18}{'first_op':>18}{'compile':>18}{'load':>10}  compiler imported")
    for case, rows in (("cold", cold), ("hit", hit)):
        cells = [summary(rows, n) for n in ("wall_ms", "first_op_ms", "compile_ms")]
        text = "".join(f"{lo:>9.1f} / {med:>6.1f}" for lo, med in cells)
        imported = sum(r["compiler_imported"] for r in rows)
        load = statistics.median(r["load_ms"] for r in rows)
        print(f"{case:<6}{text}{load:>10.2f}  {imported}/{len(rows)}")
    print(f"floor: python -c pass {report['floor_ms']['python']:.1f} ms, "
          f"import graphbuild.cli + runtime {report['floor_ms']['imports']:.1f} ms (medians)")


if __name__ == "__main__":
    main()
