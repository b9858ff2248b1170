"""`graphbuild cache info|list|verify|prune|clear|explain`: look at, check and trim the cache
(plans, and the graphs in its graphs/ directory: one size limit, one LRU order)."""
from __future__ import annotations

import datetime
import os
import pathlib
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..cache import PlanCache, key_components, key_of, usage
from ..cache.counters import read_counts
from ..cache.graphs import graphs_dir, read_refs
from ..cache.trust import CachePolicy
from ..errors import ErrorKind, GraphbuildError
from ..settings import human_size, parse_duration, parse_size
from . import Algorithm, CacheDir, OptLevel, app, dumps, err, guarded, out, settings_for, warn_all

cache_app = typer.Typer(
    help="Inspect, check, trim or empty the cache: plans and graphs, under one size limit.\n\n"
         "Examples: graphbuild cache info; graphbuild cache prune --max-size 100M",
    no_args_is_help=True)
app.add_typer(cache_app, name="cache")

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def _open(cache_dir: Optional[pathlib.Path]) -> tuple[PlanCache, int]:
    settings = settings_for(cache_dir)
    return (PlanCache(settings.cache_dir, max_size=settings.cache_max_size,
                      policy=CachePolicy.from_settings(settings)), settings.cache_max_size)


def _when(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


@cache_app.command("info")
@guarded
def info(cache_dir: CacheDir = None, json_: Json = False) -> None:
    """Where the cache is, its entries and bytes (in all, and per kind: plans, graphs), its
    size limit (one limit for both kinds), and the hits and misses recorded.

    Example: graphbuild cache info
    """
    cache, limit = _open(cache_dir)
    kinds = usage.totals(cache.dir)
    counts = read_counts(cache.dir)
    report = {"location": str(cache.dir),
              "entries": kinds["plans"]["entries"] + kinds["graphs"]["entries"],
              "bytes": kinds["plans"]["bytes"] + kinds["graphs"]["bytes"], "limit": limit,
              "plans": kinds["plans"], "graphs": kinds["graphs"], **counts}
    if json_:
        out.print(dumps(report), markup=False)
    else:
        for name, value in report.items():
            if name in ("plans", "graphs"):
                files = value.get("blobs")
                blobs = f" in {files} file{'s' if files != 1 else ''}" if files is not None else ""
                shown = f"{_entries(value['entries'])}{blobs}, {human_size(value['bytes'])}"
            elif name in ("bytes", "limit") and value >= 1024:
                shown = f"{value} ({human_size(value)})"
            else:
                shown = value
            out.print(f"{name:<9} {shown}", markup=False)
    warn_all(cache.warnings)


@cache_app.command("list")
@guarded
def list_entries(cache_dir: CacheDir = None, json_: Json = False) -> None:
    """One row per entry, most recently used first: key, kind, algorithm or graph source, size,
    last used.  Graph entries that share one stored graph show the same blob.

    Example: graphbuild cache list
    """
    cache, _ = _open(cache_dir)
    plans = cache.entries(details=True)
    graphs = read_refs(graphs_dir(cache.dir), cache.policy.key())
    rows = [{"key": e.key, "kind": "plan", "algorithm": e.algorithm, "source_path": e.source_path,
             "bytes": e.size, "last_used": e.last_used, "problem": e.problem or None} for e in plans]
    rows += [{"key": g.key, "kind": "graph", "source_path": g.source, "options": g.options, "blob": g.blob,
              "layout": g.layout, "bytes": g.size, "last_used": g.last_used, "problem": g.problem or None}
             for g in graphs]
    rows.sort(key=lambda r: (-r["last_used"], r["key"]))
    if json_:
        out.print(dumps({"entries": rows}), markup=False)
    else:
        table = Table("key", "kind", "algorithm / load", "source", "bytes", "last used")
        for column in (0, 4, 5):  # the source path is the one to shorten on a narrow terminal
            table.columns[column].no_wrap = True
        for r in rows:
            source = r["source_path"] if not r["problem"] else f"(damaged: {r['problem']})"
            what = r.get("algorithm") or ("?" if r["kind"] == "plan" else _options(r["options"], r["layout"]))
            table.add_row(r["key"][:16], r["kind"], what, source, str(r["bytes"]),
                          _when(r["last_used"]) if r["last_used"] else "-")
        out.print(table)
    warn_all(cache.warnings)


def _options(options: dict, layout: str = "original") -> str:
    """A graph entry's load options as the flags that give them, and its layout if relabeled."""
    flags = [f"--{name.replace('_', '-')}" for name in ("undirected", "dedupe", "no_self_loops")
             if options.get(name)] + ([f"--layout {layout}"] if layout != "original" else [])
    return " ".join(flags) or "(default load)"


@cache_app.command("verify")
@guarded
def verify(cache_dir: CacheDir = None,
           fix: Annotated[bool, typer.Option("--fix", help="Remove the bad entries.")] = False) -> None:
    """Check every entry: a plan's header, checksum, version, and the plan as the executor
    validates it; a graph reference's MAC and the blob it names; a graph blob's header, content
    id and MAC, and that a reference names it.  Exits 65 if a bad entry remains (with --fix,
    bad entries are removed and it exits 0).

    Examples:

      graphbuild cache verify

      graphbuild cache verify --fix
    """
    from ..runtime import Executable  # validation by the C side, as a run would do it
    from ..runtime.graph_cache import GraphCache

    cache, _ = _open(cache_dir)
    graphs = GraphCache(graphs_dir(cache.dir), policy=cache.policy, max_size=None)
    checked = len(cache.entries()) + len(graphs.refs()) + len(graphs.entries())
    bad = [(e.path, e.key, e.problem) for e in cache.verify(check=Executable, fix=fix)]
    bad += [(path, f"graphs/{path.name}", problem) for path, problem in graphs.verify(fix=fix)]
    for _, name, problem in bad:
        out.print(f"bad  {name}  {problem}" + ("  (removed)" if fix else ""), markup=False)
    err.print(f"checked {_entries(checked)} in {cache.dir}: {len(bad)} bad"
              + (", removed" if fix and bad else ""), markup=False)
    warn_all(cache.warnings + graphs.warnings)
    remaining = [path for path, _, _ in bad if os.path.lexists(path)]
    if remaining:
        raise typer.Exit(ErrorKind.PROGRAM.exit_code)


def _parse(parser, text: Optional[str], option: str):
    if text is None:
        return None
    try:
        return parser(text)
    except ValueError as exc:
        raise GraphbuildError(f"{option}: {exc}", kind=ErrorKind.USAGE) from None


@cache_app.command("prune")
@guarded
def prune(
    cache_dir: CacheDir = None,
    max_size: Annotated[Optional[str], typer.Option(
        "--max-size", help="Trim to this size, least recently used first (e.g. 500M, 2G).")] = None,
    older_than: Annotated[Optional[str], typer.Option(
        "--older-than", help="Remove entries unused for this long (e.g. 30m, 12h, 7d).")] = None,
) -> None:
    """Remove old or least recently used entries; with no option, trim to the size limit
    (cache_max_size, 1G by default).

    Examples:

      graphbuild cache prune --max-size 500M

      graphbuild cache prune --older-than 7d
    """
    size = _parse(parse_size, max_size, "--max-size")
    age = _parse(parse_duration, older_than, "--older-than")
    cache, _ = _open(cache_dir)
    result = cache.prune(max_size=size, older_than=age)
    left = usage.units(cache.dir)
    err.print(f"removed {_entries(result.removed)} ({human_size(result.freed)}); "
              f"{_entries(len(left))} ({human_size(sum(u.size for u in left))}) left in {cache.dir}",
              markup=False)
    warn_all(cache.warnings)


@cache_app.command("clear")
@guarded
def clear(cache_dir: CacheDir = None) -> None:
    """Remove every entry (the hit and miss counts stay).

    Example: graphbuild cache clear
    """
    cache, _ = _open(cache_dir)
    removed = cache.clear()
    err.print(f"removed {_entries(removed)} from {cache.dir}", markup=False)
    warn_all(cache.warnings)


@cache_app.command("explain")
@guarded
def explain(
    file: Annotated[pathlib.Path, typer.Argument(help="The .gdsl program.")],
    algorithm: Algorithm = None,
    opt_level: OptLevel = 1,
    cache_dir: CacheDir = None,
    json_: Json = False,
) -> None:
    """Show what goes into the program's cache key: each component and its SHA-256, the key,
    and whether the cache holds an entry for it.  Compare two outputs to see why a compile missed.

    Examples:

      graphbuild cache explain algorithms/pagerank.gdsl

      graphbuild cache explain algorithms/pagerank.gdsl -O0 --json
    """
    from ..api import PLAN_SUFFIXES, program_source

    if str(file).endswith(PLAN_SUFFIXES):
        raise GraphbuildError(f"{file} is a plan file; plan files run as they are and have no cache key",
                              kind=ErrorKind.USAGE)
    components = key_components(program_source(file)[1], algorithm, opt_level)
    key = key_of(components)
    cache, _ = _open(cache_dir)
    entry = cache.lookup(key)
    status = "absent" if entry is None else ("damaged: " + entry.problem if entry.problem else "present")
    if json_:
        out.print(dumps({"components": [{"name": c.name, "value": c.shown(), "sha256": c.digest}
                                        for c in components],
                         "key": key, "entry": status, "path": str(cache.path_of(key))}), markup=False)
        return
    out.print(f"{'component':<19} {'sha256':<16}  value", markup=False)
    for c in components:
        out.print(f"{c.name:<19} {c.digest[:16]}  {c.shown()}", markup=False)
    out.print(f"{'key':<19} {key}", markup=False)
    detail = f" ({human_size(entry.size)}, last used {_when(entry.last_used)})" if entry else ""
    out.print(f"{'entry':<19} {status}{detail}: {cache.path_of(key)}", markup=False)
    warn_all(cache.warnings)
