"""plan.stats as profile-memory may read it: every field checked, a bad one recomputed.

A plan's stats are written by the compiler, but a plan file is anyone's text: a field of the
wrong type or length would otherwise surface as a TypeError or IndexError deep inside the
report.  Each reader takes its field from here; a missing or malformed one is recomputed
from the plan itself (plan/buffers.py, plan/liveness.py) or, for plain counts, taken as 0.
Call it on a plan the executor has validated (kernel and slot indices in range).
"""
from __future__ import annotations

from typing import Any

from ..plan.buffers import buffer_records, live_bytes_per_node
from ..plan.liveness import BYTES, max_live
from ..plan.model import Plan

COUNTS = ("inplace", "swaps", "swaps_removed", "copies_removed")


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _counts(value: Any, length: int | None = None) -> bool:
    return (isinstance(value, list) and all(_count(v) for v in value)
            and (length is None or len(value) == length))


def _record(r: Any, plan: Plan, s: int) -> bool:
    """One buffer record as plan/buffers.py writes it, for slot s."""
    return (isinstance(r, dict) and r.get("slot") == s and r.get("dtype") == plan.slots[s]
            and r.get("size_class") == BYTES[plan.slots[s]]
            and isinstance(r.get("variables"), list) and all(isinstance(v, str) for v in r["variables"])
            and isinstance(r.get("first_write_pc"), int) and not isinstance(r["first_write_pc"], bool)
            and isinstance(r.get("live"), list)
            and all(_counts(span, 2) for span in r["live"])
            and _counts(r.get("source_lines")))


def checked_stats(plan: Plan) -> dict[str, Any]:
    """buffers, live_bytes_per_node, op_levels, minimum/naive_bytes_per_node and the counts,
    each from plan.stats when well-formed, else recomputed (op_levels: one level per op)."""
    st = plan.stats if isinstance(plan.stats, dict) else {}
    n = len(plan.code)
    buffers = st.get("buffers")
    if not (isinstance(buffers, list) and len(buffers) == len(plan.slots)
            and all(_record(r, plan, s) for s, r in enumerate(buffers))):
        buffers = buffer_records(plan)
    per_node = st.get("live_bytes_per_node")
    if not _counts(per_node, n):
        per_node = live_bytes_per_node(plan)
    levels = st.get("op_levels")
    if not _counts(levels, n):
        levels = list(range(n))
    minimum = st.get("minimum_bytes_per_node")
    naive = st.get("naive_bytes_per_node")
    return {
        "buffers": buffers,
        "live_bytes_per_node": per_node,
        "op_levels": levels,
        "minimum_bytes_per_node": minimum if _count(minimum) else max_live(plan)[1],
        "naive_bytes_per_node": naive if _count(naive) else sum(BYTES[d] for d in plan.slots),
        **{name: st[name] if _count(st.get(name)) else 0 for name in COUNTS},
    }
