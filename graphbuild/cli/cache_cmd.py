"""`graphbuild cache info|list|clear`: look at and empty the plan cache."""
from __future__ import annotations

import datetime

from rich.table import Table

from ..cache import PlanCache
from . import CacheDir, app, err, guarded, out, settings_for, warn_all
import typer

cache_app = typer.Typer(help="Inspect or empty the plan cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
@guarded
def info(cache_dir: CacheDir = None) -> None:
    """Where the cache is, how many entries and bytes it holds.

    Example: graphbuild cache info
    """
    settings = settings_for(cache_dir)
    cache = PlanCache(settings.cache_dir)
    entries = cache.entries()
    out.print(f"location  {settings.cache_dir}", markup=False)
    out.print(f"entries   {len(entries)}", markup=False)
    out.print(f"bytes     {sum(e.size for e in entries)}", markup=False)
    warn_all(cache.warnings)


@cache_app.command("list")
@guarded
def list_entries(cache_dir: CacheDir = None) -> None:
    """One row per entry: key, algorithm, source, size, last used.

    Example: graphbuild cache list
    """
    cache = PlanCache(settings_for(cache_dir).cache_dir)
    table = Table("key", "algorithm", "source", "bytes", "last used")
    for e in sorted(cache.entries(), key=lambda e: -e.last_used):
        used = datetime.datetime.fromtimestamp(e.last_used).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(e.key[:16], e.algorithm, e.source_path, str(e.size), used)
    out.print(table)


@cache_app.command("clear")
@guarded
def clear(cache_dir: CacheDir = None) -> None:
    """Remove every entry.

    Example: graphbuild cache clear
    """
    cache = PlanCache(settings_for(cache_dir).cache_dir)
    removed = cache.clear()
    err.print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} from {cache.dir}")
    warn_all(cache.warnings)
