"""One size limit over both kinds of cache entry: plans (`*.gbplan` in the cache directory)
and graphs (blobs in `graphs/` with the references naming them, graphs.py).

The unit of eviction is a plan entry or a graph blob together with its references; its last
use is its mtime (every hit touches the plan entry or the blob).  evict removes the least
recently used units, whatever their kind, until the total fits; references whose blob is
gone (evicted, or a blob another process removed) go first.  Removing a blob someone has
mapped is safe: the mapping keeps the bytes until it is unmapped.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
import stat
from typing import Iterable

from ..safe_io import TEMP_PREFIX
from .graphs import BLOB_SUFFIX, graphs_dir, read_refs

PLAN_SUFFIX = ".gbplan"


@dataclasses.dataclass
class Unit:
    kind: str                      # "plan" or "graph"
    paths: list[pathlib.Path]      # the entry, or the blob then its references
    size: int
    last_used: float


def _files(directory: pathlib.Path, suffix: str) -> list[tuple[pathlib.Path, os.stat_result]]:
    found = []
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    for name in sorted(names):
        if name.endswith(suffix) and not name.startswith((".", TEMP_PREFIX)):
            try:
                st = os.lstat(directory / name)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((directory / name, st))
    return found


def units(cache_dir: str | os.PathLike) -> list[Unit]:
    """Every plan entry and every graph blob with its references (a reference without its
    blob is a unit of its own, last used never)."""
    cache_dir = pathlib.Path(cache_dir)
    result = [Unit("plan", [p], st.st_size, st.st_mtime) for p, st in _files(cache_dir, PLAN_SUFFIX)]
    graphs = graphs_dir(cache_dir)
    blobs = {p.name[: -len(BLOB_SUFFIX)]: Unit("graph", [p], st.st_size, st.st_mtime)
             for p, st in _files(graphs, BLOB_SUFFIX)}
    for ref in read_refs(graphs):
        size = _size(ref.path)
        unit = blobs.get(ref.blob)
        if unit is None:
            result.append(Unit("graph", [ref.path], size, 0.0))
        else:
            unit.paths.append(ref.path)
            unit.size += size
    return result + list(blobs.values())


def _size(path: pathlib.Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


def totals(cache_dir: str | os.PathLike) -> dict[str, dict[str, int]]:
    """Per kind: entries (plans; graph references) and bytes on disk (a shared blob once)."""
    out = {"plans": {"entries": 0, "bytes": 0}, "graphs": {"entries": 0, "blobs": 0, "bytes": 0}}
    for unit in units(cache_dir):
        kind = out["plans" if unit.kind == "plan" else "graphs"]
        kind["bytes"] += unit.size
        if unit.kind == "plan":
            kind["entries"] += 1
        else:
            refs = [p for p in unit.paths if not p.name.endswith(BLOB_SUFFIX)]
            kind["entries"] += len(refs)
            kind["blobs"] += len(unit.paths) - len(refs)
    return out


def remove(unit: Unit) -> bool:
    """Unlink the unit's files; True if its first file was there to remove."""
    first = True
    for path in unit.paths:
        try:
            path.unlink()
        except FileNotFoundError:
            first = first and path is not unit.paths[0]
        except OSError:
            return False
    return first


def evict(cache_dir: str | os.PathLike, limit: int, keep: Iterable[pathlib.Path] = ()) -> tuple[int, int]:
    """Remove least recently used units until the total is at most limit bytes; a unit holding
    a path in keep (what was just written) stays.  Returns (units removed, bytes freed)."""
    kept = {pathlib.Path(p) for p in keep}
    all_units = units(cache_dir)
    total = sum(u.size for u in all_units)
    removed = freed = 0
    for unit in sorted(all_units, key=lambda u: (u.last_used, str(u.paths[0]))):
        if total <= limit:
            break
        if kept.intersection(unit.paths):
            continue
        if remove(unit):
            removed, freed = removed + 1, freed + unit.size
        total -= unit.size
    return removed, freed


__all__ = ["Unit", "evict", "remove", "totals", "units"]
