"""graphbuild against its peers on Kronecker graphs: `make bench` (scales 16, 18, 20) and
`make bench-quick` (scale 16).

    python bench/run.py                       # scales 16 18 20
    python bench/run.py --scales 16 --only pagerank,bfs

For each scale and each shipped algorithm with a peer: compile once, load the graph once, run
graphbuild with 2 threads (min and median over trials; also 1 thread, for the scaling ratio),
run each peer with the same parameters, check its answer against graphbuild's, and print one
fixed-width table per scale. Tables go to bench/results/scale-N.md, all of them together to
bench/results/latest.md. Graph building and conversion are never timed.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import glob
import os
import platform
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases as C  # noqa: E402
import gb  # noqa: E402
from context import Context, PeerUnavailable  # noqa: E402
from table import PeerResult, Row, column_keys, format_details, format_table  # noqa: E402
from timing import Timing, run_trials  # noqa: E402

RESULTS = os.path.join(HERE, "results")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_graphbuild(program: gb.Program, case: C.Case, ctx: Context, threads: int, trials: int,
                   budget: float, deadline: float) -> Timing:
    graph = ctx.gb_graph_w if case.weighted else ctx.gb_graph
    params = case.params(ctx)
    clocks: set[str] = set()

    def trial():
        columns, kernel, wall = program.run(graph, params, threads, deadline_s=deadline)
        clocks.add("gb_run" if kernel != wall else "wall")
        seconds = kernel / case.per_iteration if case.per_iteration else kernel
        return columns, seconds

    timing = run_trials(trial, trials, budget)
    timing.note = f"{threads} threads, timed around " + "/".join(sorted(clocks))
    return timing


def run_peer(peer: C.Peer, case: C.Case, ctx: Context, gb_columns, trials: int, budget: float) -> PeerResult:
    res = PeerResult(note=peer.note)
    try:
        made = peer.make(ctx)
        if not isinstance(made, Timing):
            made = run_trials(made, min(trials, peer.max_trials or trials), budget)
        res.timing = made
    except PeerUnavailable as exc:
        res.error = str(exc)
        return res
    except Exception as exc:  # a peer crashing is reported, never fatal to the whole bench
        res.error = f"{type(exc).__name__}: {exc}"
        return res
    if gb_columns is None:
        res.detail = "no graphbuild result to compare with"
        return res
    check = peer.check or case.check
    try:
        res.ok, res.detail = check(res.timing.value, gb_columns, ctx)
    except Exception as exc:
        res.ok, res.detail = False, f"check raised {type(exc).__name__}: {exc}"
    res.timing.value = None  # results can be hundreds of MB at scale 20; keep only times
    return res


def bench_scale(scale: int, args, programs: dict[str, gb.Program]) -> list[Row]:
    ctx = Context(scale, threads=args.threads, log=log)
    log(f"kron{scale}: {ctx.n} nodes, {ctx.kg.m} edges, source {ctx.source}")
    rows = []
    for case in C.CASES:
        if args.only and case.name not in args.only and case.algorithm not in args.only:
            continue
        row = Row(scale, case.name, note=case.note)
        start = time.perf_counter()
        try:
            if case.algorithm not in programs:  # compiled once, shared by every scale and case
                programs[case.algorithm] = gb.Program(case.algorithm)
            program = programs[case.algorithm]
            row.gb = run_graphbuild(program, case, ctx, args.threads, args.trials, args.budget, args.deadline)
            ctx.gb_results[case.name] = row.gb.value
            if case.gb_info is not None:
                row.note = "; ".join(x for x in (row.note, case.gb_info(row.gb.value, ctx)) if x)
            # The 1-thread run shows scaling; past a limit it would cost minutes and show little.
            if not args.no_single_thread and row.gb.min_ms <= 1000 * args.single_thread_limit:
                row.gb1 = run_graphbuild(program, case, ctx, 1, max(1, args.trials // 2), args.budget / 2,
                                         args.deadline)
                row.gb1.value = None
        except gb.Deadline as exc:
            row.gb, row.gb_error = None, f"timeout: {exc}"
        except Exception as exc:
            row.gb, row.gb_error = None, f"ERROR: {type(exc).__name__}: {exc}"
        gb_columns = row.gb.value if row.gb is not None else None
        for name, peer in C.peers_for(case, scale).items():
            row.peers[name] = run_peer(peer, case, ctx, gb_columns, args.trials, args.budget)
        if row.gb is not None:
            row.gb.value = None
        rows.append(row)
        marks = [f"{n}:{'ok' if r.ok else 'n/a' if r.error else 'MISMATCH' if r.ok is False else '?'}"
                 for n, r in row.peers.items()]
        log(f"  {case.name}: gb {row.gb.min_ms:.2f} ms" if row.gb else f"  {case.name}: {row.gb_error}")
        log(f"    {' '.join(marks)}  ({time.perf_counter() - start:.1f} s)")
    builds = ", ".join(f"{k} {v:.1f} s" for k, v in ctx.build_seconds.items())
    rows.append(Row(scale, "_builds", note=builds))  # carried to the report, not a table row
    del ctx
    gc.collect()
    return rows


def environment() -> str:
    import graphbuild
    versions = [f"graphbuild from {os.path.dirname(graphbuild.__file__)}"]
    for mod in ("numpy", "scipy", "igraph", "networkit", "networkx"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except Exception:
            versions.append(f"{mod} missing")
    return (f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            + ", ".join(versions))


def load_note(before: tuple[float, float, float]) -> str:
    """Other processes on this 2-core machine skew every time; say how busy it was.  The load at
    the end includes the benchmark's own threads (up to one per core), so it counts as busy only
    past that; at the start, from half the cores on."""
    after = os.getloadavg()
    cores = os.cpu_count() or 1
    note = f"load average {before[0]:.1f} at start, {after[0]:.1f} at end"
    if before[0] > 0.5 * cores or after[0] > cores + 0.5 * cores:
        note += " (BUSY: other processes competed for the cores; times are noisy)"
    return note


@dataclass
class Carried:
    """Rows of the scale's previous table kept by --keep-other-rows: cells by column key, their
    check lines, and the previous run's own "Run ..." and "Environment: ..." lines."""

    rows: list[dict[str, str]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    run_line: str = ""
    env_line: str = ""
    said: str = ""  # when that table carried rows itself: what their own run said
    measured: list[str] = field(default_factory=list)  # ... and the rows its own run measured


def previous_rows(scale: int, skip: set[str]) -> Carried:
    """The rows of bench/results/scale-N.md whose algorithm is not in `skip` (nothing when the
    file is missing)."""
    carried = Carried()
    path = os.path.join(RESULTS, f"scale-{scale}.md")
    if not os.path.exists(path):
        return carried
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    keys: list[str] = []
    keep_detail = False
    for line in lines:
        if line.startswith("This run measured ") and "which said: " in line:
            carried.said = line.split("which said: ", 1)[1].split(". Columns", 1)[0]
            carried.measured = line[len("This run measured "):].split(";", 1)[0].split(", ")
        elif line.startswith("Run ") and not carried.run_line:
            carried.run_line = line
        elif line.startswith("Environment: ") and not carried.env_line:
            carried.env_line = line
        elif line.startswith("| scale "):
            keys = column_keys([c.strip() for c in line.strip().strip("|").split("|")])
        elif line.startswith(f"| kron{scale} ") and keys:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[1] not in skip:
                carried.rows.append(dict(zip(keys, cells)))
        elif line.startswith(f"- kron{scale} "):
            name = line.split()[2].rstrip(":")
            keep_detail = name not in skip
            if keep_detail:
                carried.details.append(line)
        elif line.startswith("  - ") and keep_detail:
            carried.details.append(line)
        elif not line.startswith("  "):
            keep_detail = False
    return carried


def report(scale: int, rows: list[Row], started: str, args, load: str,
           carried: Carried | None = None) -> str:
    table_rows = [r for r in rows if r.name != "_builds"]
    builds = next((r.note for r in rows if r.name == "_builds"), "")
    mismatches = sum(1 for r in table_rows for p in r.peers.values() if p.ok is False)
    carried = carried or Carried()
    mismatches += sum(1 for line in carried.details if line.startswith("  - ") and "MISMATCH" in line)
    order = [c.name for c in C.CASES]
    kept = []
    if carried.rows:
        names = ", ".join(r.name for r in table_rows)
        own = f"\"{carried.run_line.split(';')[0]}\"; \"{carried.env_line.split('; ')[-1].rstrip('.')}\""
        if not carried.said:
            said = own
        else:  # rows that table measured itself, and rows it had carried from an older one
            mine = [r["algorithm"] for r in carried.rows if r["algorithm"] in carried.measured]
            said = carried.said if not mine else f"{own} (for {', '.join(mine)}), else {carried.said}"
        kept = ["",
                f"This run measured {names}; the other rows are carried over from the previous "
                f"table (--keep-other-rows), which said: {said}. Columns that table lacked show -."]
    return "\n".join([
        f"## Kronecker scale {scale} (degree 16)",
        "",
        f"Run {started}; graphbuild {args.threads} threads (gb 1T: 1 thread; 1T/2T = speedup); "
        f"networkit {args.threads} threads, C baseline {args.threads} OpenMP threads; igraph, scipy "
        "and networkx single-threaded. Times in ms, min over trials; x = peer / graphbuild "
        "(> 1: graphbuild faster); `!` = result check failed, `?` = unchecked, n/a = peer unavailable.",
        f"Environment: {environment()}; {load}.",
        *kept,
        "",
        "```",
        format_table(table_rows, C.PEER_COLUMNS, carried.rows, order),
        "```",
        "",
        f"Checks ({mismatches} MISMATCH):",
        "",
        format_details(table_rows),
        *carried.details,
        "",
        f"Graph building (not timed): {builds}.",
        "",
    ])


def write_latest() -> str:
    parts = ["# graphbuild benchmarks: latest results", "",
             "Written by `make bench` / `make bench-quick` (bench/run.py); each scale from its last run.", ""]
    paths = sorted(glob.glob(os.path.join(RESULTS, "scale-*.md")),
                   key=lambda p: int(os.path.basename(p)[6:-3]))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            parts.append(f.read())
    text = "\n".join(parts)
    with open(os.path.join(RESULTS, "latest.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[16, 18, 20])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trials", type=int, default=5, help="trials per measurement (at most)")
    parser.add_argument("--budget", type=float, default=8.0,
                        help="stop adding trials to a measurement after this many seconds")
    parser.add_argument("--deadline", type=float, default=300.0,
                        help="interrupt a graphbuild run after this many seconds")
    parser.add_argument("--only", type=lambda s: set(s.split(",")), default=None,
                        help="comma-separated case or algorithm names")
    parser.add_argument("--no-single-thread", action="store_true", help="skip the 1-thread runs")
    parser.add_argument("--single-thread-limit", type=float, default=20.0,
                        help="skip the 1-thread run when 2 threads take longer than this (s)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results alone")
    parser.add_argument("--keep-other-rows", action="store_true",
                        help="with --only: keep the other rows of each scale's previous table "
                             "(marked as carried over) instead of dropping them")
    args = parser.parse_args(argv)

    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    programs: dict[str, gb.Program] = {}
    total = time.perf_counter()
    for scale in args.scales:
        t0 = time.perf_counter()
        load = os.getloadavg()
        rows = bench_scale(scale, args, programs)
        carried = None
        if args.keep_other_rows and args.only:
            carried = previous_rows(scale, {r.name for r in rows})
        text = report(scale, rows, started, args, load_note(load), carried)
        print(text, flush=True)
        log(f"kron{scale} done in {time.perf_counter() - t0:.0f} s")
        if not args.no_write:
            os.makedirs(RESULTS, exist_ok=True)
            with open(os.path.join(RESULTS, f"scale-{scale}.md"), "w", encoding="utf-8") as f:
                f.write(text)
    if not args.no_write:
        write_latest()
    log(f"bench done in {time.perf_counter() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
