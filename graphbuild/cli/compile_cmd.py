"""`graphbuild compile`: parse, check, optimize, plan, and store in the cache."""
from __future__ import annotations

import pathlib
from typing import Annotated, Optional

import typer

from ..api import compile_file, program_source
from ..errors import ErrorKind, GraphbuildError
from ..safe_io import atomic_write
from . import (Algorithm, CacheDir, NoCache, OptLevel, Stage, app, dumps, err, guarded, open_cache, out,
               settings_for, warn_all)


@app.command("compile")
@guarded
def compile_command(
    file: Annotated[pathlib.Path, typer.Argument(help="The .gdsl program.")],
    emit: Annotated[Optional[Stage], typer.Option(
        help="Print one stage instead: ast, ir, opt, plan (one op per line with slots, level and "
             "source line) or dot (Graphviz of the plan's dataflow by level).")] = None,
    output: Annotated[Optional[pathlib.Path], typer.Option(
        "-o", "--output", help="Also write the plan (JSON) to this file; with --emit, write that "
                               "stage there instead of printing it.")] = None,
    algorithm: Algorithm = None,
    opt_level: OptLevel = 1,
    json_: Annotated[bool, typer.Option("--json", help="Print a JSON summary with the cache key.")] = False,
    recache: Annotated[bool, typer.Option("--recache", help="Compile even on a cache hit.")] = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Compile a program into a plan and store it in the cache.

    Examples:

      graphbuild compile algorithms/pagerank.gdsl

      graphbuild compile algorithms/bfs.gdsl --emit plan

      graphbuild compile algorithms/pagerank.gdsl --emit dot | dot -Tsvg > pagerank.svg

      graphbuild compile algorithms/sssp.gdsl -O0 -o sssp.plan.json
    """
    if emit is not None:
        from ..compiler import emit as emit_stage

        path, text = program_source(file)   # a file, or a shipped algorithm by name
        emitted = emit_stage(text, path, emit.value, algorithm, opt_level)
        if output is not None:
            write_text(output, emitted.rstrip("\n") + "\n")
            err.print(f"wrote {emit.value} of {file} to {output}", markup=False)
        else:
            out.print(emitted, markup=False)
        return
    settings = settings_for(cache_dir)
    cache = open_cache(settings, no_cache)
    compiled = compile_file(file, algorithm, opt_level, cache, recache=recache)
    if cache is not None:
        warn_all(cache.warnings)
    plan = compiled.plan
    if output is not None:
        write_text(output, plan.to_json() + "\n")
    summary = {"key": compiled.key, "cache_hit": compiled.cache_hit, "algorithm": plan.algorithm,
               "params": [p.name for p in plan.params], "outputs": [o.name for o in plan.outputs],
               "bytes_per_node": plan_bytes_per_node(plan), **plan.stats}
    if json_:
        out.print(dumps(summary), markup=False)
        return
    err.print(f"[bold]{plan.algorithm}[/] from {file}: "
              + ("[green]cache hit[/]" if compiled.cache_hit else "compiled") , markup=True)
    out.print(f"key      {compiled.key}", markup=False)
    for name in ("ops_before", "ops_after", "kernels", "node_kernels", "edge_kernels", "fused",
                 "edge_passes_per_iteration", "node_passes_per_iteration", "variables", "slots", "max_live",
                 "levels", "registers"):
        if name in summary:
            out.print(f"{name:<26} {summary[name]}", markup=False)
    out.print(f"{'bytes/node':<26} {summary['bytes_per_node']}", markup=False)


def write_text(path: pathlib.Path, text: str) -> None:
    """Write path whole or not at all."""
    try:
        with atomic_write(path, durable=False, encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise GraphbuildError(f"cannot write {path}: {exc.strerror or exc}", kind=ErrorKind.IO) from None


def plan_bytes_per_node(plan) -> int:
    """Planned node-vector memory per graph node (every slot is n elements)."""
    return sum(1 if d == "bool" else 8 for d in plan.slots)
