"""`graphbuild list`: the shipped algorithms, by the names `run` and `gb.compile` accept."""
from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..api import compile_file, shipped_names, shipped_path
from ..api.shipped import summary
from ..plan import bounds
from . import CacheDir, app, dumps, guarded, open_cache, out, settings_for, warn_all


@app.command("list")
@guarded
def list_command(
    json_: Annotated[bool, typer.Option("--json", help="Print the list as one JSON array.")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """List the shipped algorithms: each one's name, parameters, results and what it computes.

    Any of them runs by name: graphbuild run pagerank --graph web.el; in Python,
    gb.compile("pagerank").

    Examples:

      graphbuild list

      graphbuild list --json
    """
    cache = open_cache(settings_for(cache_dir), no_cache=False)
    rows = [describe(name, cache) for name in shipped_names()]
    warn_all(cache.warnings)
    if json_:
        out.print(dumps(rows), markup=False)
        return
    table = Table("name", "parameters", "returns", "computes", title="shipped algorithms")
    for row in rows:
        params = ", ".join(f"{p['name']}: {p['type']}" + (f" in {p['range']}" if p["range"] else "")
                           + ("" if p["default"] is None else f" = {p['default']}") for p in row["params"])
        returns = ", ".join(f"{o['name']} ({o['type']}{' vector' if o['kind'] == 'vector' else ''})"
                            for o in row["outputs"])
        table.add_row(row["name"], params, returns, row["summary"])
    out.print(table)


def describe(name: str, cache: Any) -> dict[str, Any]:
    path = shipped_path(name)
    plan = compile_file(path, cache=cache).plan
    return {"name": name, "path": path, "summary": summary(path),
            "params": [{"name": p.name, "type": p.dtype, "default": p.default,
                        "range": bounds.describe(p.bounds) if p.bounds is not None else None}
                       for p in plan.params],
            "outputs": [{"name": o.name, "kind": o.kind, "type": o.dtype} for o in plan.outputs]}
