"""Live buffer bytes over the plan: one point per top-level instruction, and a text chart.

A point is the bytes of the buffers in use at that instruction (live across it, read or
written by it).  Inside a loop an instruction stands for every iteration, since each
iteration holds the same buffers.  bars() draws the points as text bars scaled to the
peak (the CLI puts them in a table), merging consecutive instructions into buckets when
the plan is long.
"""
from __future__ import annotations

from typing import Any

from ..plan.model import Plan

FULL, PARTS = "█", " ▏▎▍▌▋▊▉"


def timeline(plan: Plan, per_node: list[int], nodes: int) -> list[dict[str, Any]]:
    points = []
    for pc, (ins, b) in enumerate(zip(plan.code, per_node)):
        line = plan.locations[ins.loc].line if 0 <= ins.loc < len(plan.locations) else None
        points.append({"pc": pc, "op": ins.op, "line": line, "bytes": b * nodes})
    return points


def bar(value: int, peak: int, width: int) -> str:
    """value as a bar of width characters at peak, in eighths of a character."""
    if peak <= 0:
        return ""
    eighths = round(8 * width * value / peak)
    return FULL * (eighths // 8) + (PARTS[eighths % 8] if eighths % 8 else "")


def bars(points: list[dict[str, Any]], width: int = 40, max_rows: int = 40) -> list[dict[str, Any]]:
    """Rows of {pcs, lines, bytes, bar}: each the largest point of a bucket of consecutive
    instructions, at most max_rows of them."""
    if not points:
        return []
    size = -(-len(points) // max_rows)
    peak = max(p["bytes"] for p in points)
    rows = []
    for i in range(0, len(points), size):
        bucket = points[i:i + size]
        top = max(p["bytes"] for p in bucket)
        lines = sorted({p["line"] for p in bucket if p["line"] is not None})
        rows.append({"pcs": (bucket[0]["pc"], bucket[-1]["pc"]), "ops": [p["op"] for p in bucket],
                     "lines": lines, "bytes": top, "bar": bar(top, peak, width)})
    return rows
