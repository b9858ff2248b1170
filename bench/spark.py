"""The C engine against the Spark engine (local mode, 2 cores) on Kronecker graphs, per iteration.

    python bench/spark.py --scales 14 16 18 20      # table in bench/results/spark.md

For each scale, kron:SCALE (GAP's graph: --dedupe --no-self-loops, undirected) is written once
as an edge list (bench/data/kron-SCALE.el) and both engines read that file: the C engine
through its loader, Spark with spark.read.  Both run the same cached plans of
algorithms/pagerank.gdsl (a fixed number of passes: tol=0) and connected_components.gdsl (to
its fixed point), and their results are compared before a time counts.  Times:
- C: the executor's own time for the whole run (min of 3 trials, 2 threads), divided by the
  passes;
- Spark: the driver's wall time of each loop pass (a pass ends at the loop's backward jump;
  Spark's jobs run inside it), median over the passes after the first (which pays for Spark's
  first planning and code generation), and the time to read and number the graph.
The crossover (where the C engine stops fitting in memory) comes from `profile-memory
--predict` at larger scales, in docs/spark.md.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results" / "spark.md"
sys.path.insert(0, str(ROOT))

from graphbuild.api import compile_file  # noqa: E402
from graphbuild.runtime import Executable  # noqa: E402
from graphbuild.runtime.graph import LoadOptions, generate_graph, load_graph  # noqa: E402
from graphbuild.runtime.graph_io import write_graph  # noqa: E402

CASES = {"pagerank": "rank", "connected_components": "comp"}


def edge_list(scale: int) -> pathlib.Path:
    path = DATA / f"kron-{scale}.el"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        g = generate_graph(f"kron:{scale}", LoadOptions(dedupe=True, no_self_loops=True), threads=2)
        write_graph(g, str(path) + ".tmp", fmt="edgelist")
        os.replace(str(path) + ".tmp", path)
    return path


def params(algorithm: str, iterations: int) -> dict:
    return {"max_iter": iterations, "tol": 0.0} if algorithm == "pagerank" else {}


def agree(algorithm: str, c_cols: dict, s_cols: dict) -> str:
    name = CASES[algorithm]
    c = dict(zip(c_cols["node"], c_cols[name]))
    s = dict(zip(s_cols["node"], s_cols[name]))
    if c.keys() != s.keys():
        return "MISMATCH (nodes)"
    if algorithm == "pagerank":
        l1 = sum(abs(c[v] - s[v]) for v in c)
        return "ok" if l1 < 1e-9 else f"MISMATCH (L1 {l1:.2e})"
    return "ok" if c == s else "MISMATCH"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[14, 16, 18, 20])
    parser.add_argument("--iterations", type=int, default=5, help="PageRank passes (default 5)")
    parser.add_argument("--driver-memory", default="12g")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from graphbuild.spark import SparkSettings, get_session
    from graphbuild.spark.engine import RunOptions, run_plan
    from graphbuild.spark.graph import read_graph
    from graphbuild.spark.params import bind
    from graphbuild.spark.results import SparkResult

    spark = get_session(SparkSettings(master="local[2]", conf={
        "spark.driver.memory": args.driver_memory, "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false"}))
    before = load_average()
    rows = []
    for scale in args.scales:
        path = edge_list(scale)
        for algorithm in CASES:
            plan = compile_file(ROOT / "algorithms" / f"{algorithm}.gdsl").plan
            p = params(algorithm, args.iterations)
            options = LoadOptions(undirected=True).for_plan(plan)
            graph = load_graph(path, options=options, threads=2)
            exe = Executable(plan)
            trials = exe.run_trials(graph, p, 3, threads=2)
            start = time.perf_counter()
            sg = read_graph(spark, str(path), options)
            load_s = time.perf_counter() - start
            start = time.perf_counter()
            result = SparkResult(run_plan(spark, plan, sg, bind(plan, sg, p), RunOptions()))
            run_s = time.perf_counter() - start
            passes = result.pass_seconds
            check = agree(algorithm, trials.result.columns, result.collect().columns)
            c_iter = trials.min / max(len(passes), 1)
            s_iter = statistics.median(passes[1:] or passes)
            row = (scale, algorithm, graph.node_count, graph.edge_count, len(passes), c_iter * 1e3,
                   s_iter, passes[0], load_s, run_s, s_iter / c_iter, check)
            rows.append(row)
            print(f"kron:{scale:<3} {algorithm:<22} passes {len(passes):>3}  C {c_iter * 1e3:9.2f} ms/iter  "
                  f"Spark {s_iter:8.2f} s/iter (first {passes[0]:.2f} s, load {load_s:.1f} s)  "
                  f"x{s_iter / c_iter:,.0f}  {check}", flush=True)
            sg.arcs.unpersist()
            sg.nodes.unpersist()
            result.run.state.unpersist()
            del graph, exe, trials
    after = load_average()
    if not args.no_write:
        write(rows, args, before, after)


def _old_rows() -> list[str]:
    """The table rows of an earlier run (a run of some scales keeps the others)."""
    if not RESULTS.exists():
        return []
    return [line for line in RESULTS.read_text().splitlines()
            if line.startswith("| ") and line.split("|")[1].strip().isdigit()]


def write(rows: list, args, before: str, after: str) -> None:
    lines = [
        "# C engine vs Spark engine, per iteration",
        "",
        f"`python bench/spark.py --scales {' '.join(map(str, args.scales))}` (`make bench-spark`): Kronecker "
        "graphs (GAP's: undirected, deduplicated, no self-loops) read from the same edge list by both "
        f"engines; C with 2 threads, Spark in local[2] mode (driver memory {args.driver_memory}, 4 shuffle "
        f"partitions). PageRank runs {args.iterations} passes, connected components to its fixed point. "
        f"Load average before {before}, after {after} (2 cores; other work on the machine inflates "
        "both columns).",
        "",
        "| scale | algorithm | nodes | edges | passes | C ms/iter | Spark s/iter | Spark first pass s "
        "| Spark load s | Spark run s | Spark / C | check |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    table = {(int(line.split("|")[1]), line.split("|")[2].strip()): line for line in _old_rows()
             if int(line.split("|")[1]) not in args.scales}
    for (scale, algorithm, n, m, passes, c_ms, s_iter, first, load_s, run_s, ratio, check) in rows:
        table[(scale, algorithm)] = (
            f"| {scale} | {algorithm} | {n:,} | {m:,} | {passes} | {c_ms:.2f} | {s_iter:.2f} | "
            f"{first:.2f} | {load_s:.1f} | {run_s:.1f} | {ratio:,.0f} | {check} |")
    lines += [table[key] for key in sorted(table)]
    if len({scale for scale, _ in table}) > len(args.scales):
        lines += ["", "Scales not in this command's --scales are kept from an earlier run."]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
