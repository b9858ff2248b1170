"""The memory plan's records (plan.stats): buffers with loop-aware live ranges, reuse,
in-place updates and swaps, on hand-built programs and the shipped algorithms."""
from __future__ import annotations

import pytest
from gdsl_programs import sources
from test_opt_alloc import ALGORITHMS, BACK_EDGE, FUSED, NO_REUSE, REUSE, plan_of
from test_opt_fusion import agree

from graphbuild.plan.buffers import intervals
from graphbuild.plan.liveness import BYTES
from graphbuild.plan.model import Plan


def buffer_of(plan: Plan, variable: str) -> dict:
    return next(b for b in plan.stats["buffers"] if variable in b["variables"])


def loop_range(plan: Plan) -> range:
    """Instruction indices of the (one) loop: from its back edge's target to the back edge."""
    back = [(pc, i.args[-1]) for pc, i in enumerate(plan.code)
            if i.op in ("jump", "jump_if_false") and i.args[-1] < pc]
    (end, start), = back
    return range(start, end + 1)


def covered(live: list[list[int]], pcs: range) -> bool:
    return all(any(a <= pc <= b for a, b in live) for pc in pcs)


@pytest.mark.parametrize("options", [REUSE, FUSED], ids=["kernels", "fused"])
@pytest.mark.parametrize("name", ALGORITHMS)
def test_planned_peak_is_the_theoretical_minimum(name, options):
    plan = plan_of(sources()[name], options)
    st = plan.stats
    planned = sum(b["size_class"] for b in st["buffers"])
    assert planned == st["minimum_bytes_per_node"] == max(st["live_bytes_per_node"], default=0)
    assert len(st["buffers"]) == len(plan.slots) and len(st["live_bytes_per_node"]) == len(plan.code)
    assert st["copies"] == 0  # no vector is ever copied: moves became shared slots or swaps
    for b in st["buffers"]:
        assert b["size_class"] == BYTES[b["dtype"]] and b["live"] and b["source_lines"]
        assert b["live"][0][0] <= b["first_write_pc"] or b["first_write_pc"] == -1


# x is read on every pass: its buffer must survive the back edge
KEPT_OVER_LOOP = BACK_EDGE


def test_a_value_read_in_a_loop_is_live_over_the_whole_loop():
    plan = plan_of(KEPT_OVER_LOOP)
    x = buffer_of(plan, "x")
    assert covered(x["live"], loop_range(plan))
    assert x["first_write_pc"] < loop_range(plan).start
    assert {2, 5} <= set(x["source_lines"])


SEQUENCE = """\
algorithm a():
    a = float(node_id())
    b = sum(a[u] for u in in_nbrs)
    c = sum(b[u] for u in in_nbrs)
    d = sum(c[u] for u in in_nbrs)
    return d
"""


def test_a_dead_value_gives_its_buffer_to_a_later_one():
    plan = plan_of(SEQUENCE)
    naive = plan_of(SEQUENCE, NO_REUSE)
    # each gather needs its input and its output at once, nothing more: two buffers, not four
    assert len(plan.slots) == 2 < len(naive.slots)
    assert plan.stats["minimum_bytes_per_node"] == 16
    assert buffer_of(plan, "a") is buffer_of(plan, "c") and buffer_of(plan, "b") is buffer_of(plan, "d")
    agree(plan, naive)


ELEMENTWISE = """\
algorithm a():
    x = float(node_id())
    y = sum(x[u] for u in out_nbrs)
    z = sqrt(y * y + 1.0) - y
    return z, x
"""


def test_an_elementwise_op_writes_over_its_dying_input():
    plan = plan_of(ELEMENTWISE)
    assert plan.stats["inplace"] >= 1
    assert buffer_of(plan, "y") is buffer_of(plan, "z")
    assert plan_of(ELEMENTWISE, NO_REUSE).stats["inplace"] == 0
    agree(plan, plan_of(ELEMENTWISE, NO_REUSE))


def test_the_loop_carried_assignment_is_a_swap_or_nothing_never_a_copy():
    for name in ("pagerank", "sssp", "hits", "bfs"):
        naive, plan = plan_of(sources()[name], NO_REUSE), plan_of(sources()[name], FUSED)
        assert naive.stats["swaps"] >= 1  # rank = new_rank: the back edge swaps the buffers
        assert plan.stats["swaps"] + plan.stats["swaps_removed"] == naive.stats["swaps"]
        assert "copy_v" not in {i.op for i in plan.code}
    pagerank = plan_of(sources()["pagerank"], FUSED)
    # new_rank is computed in place over rank, so the swap disappears
    assert pagerank.stats["swaps"] == 0 and pagerank.stats["swaps_removed"] == 1
    assert buffer_of(pagerank, "rank") is buffer_of(pagerank, "new_rank")
    sssp = plan_of(sources()["sssp"], FUSED)
    assert sssp.stats["swaps"] == 1 and buffer_of(sssp, "dist") is not buffer_of(sssp, "new_dist")


def test_the_records_survive_json():
    plan = plan_of(sources()["pagerank"])
    again = Plan.from_json(plan.to_json())
    for key in ("buffers", "live_bytes_per_node", "inplace", "swaps", "copies_removed"):
        assert again.stats[key] == plan.stats[key]


def test_intervals_join_consecutive_instructions():
    assert intervals([]) == []
    assert intervals([1, 2, 3, 7, 9, 10]) == [[1, 3], [7, 7], [9, 10]]
