"""What the plan builder may do beyond the one-op-per-kernel translation.

Each switch is one optimization that tests turn off to compare a plan with it against a
plan without it (tests/test_opt_fusion.py runs both and compares the results).
"""
from __future__ import annotations

from dataclasses import dataclass

# Whether the executor runs GB_OP_FUSED (csrc/exec/exec.c; it does).  Off, an aggregation and the node
# kernel that follows it are two instructions; on, they are one pass over the nodes.
FUSED_OP = True


@dataclass(frozen=True)
class PlanOptions:
    fuse_elementwise: bool = True   # chains of node-vector ops in one node kernel
    fuse_reductions: bool = True    # a reduction in the kernel that computes its input
    fuse_epilogue: bool = FUSED_OP  # a node kernel run per block right after an aggregation
    reuse_slots: bool = True        # slots from live ranges, in-place updates, no extra copies
    frontier: bool = True           # edge passes recompute only around changed inputs, and push
    parallel_sources: bool = True   # a loop over sources runs its passes side by side

    @staticmethod
    def for_level(level: int) -> "PlanOptions":
        """-O0: one kernel per op, one slot per value, full passes; -O1 and up: everything."""
        if level <= 0:
            return PlanOptions(False, False, False, False, False, False)
        return PlanOptions()


DEFAULT = PlanOptions()
