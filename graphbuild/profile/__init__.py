"""Memory profiles of plan runs: what `graphbuild profile-memory` reports.

    model.py     the bytes of each part of a run from the plan and the graph's counts
    timeline.py  live buffer bytes per plan instruction, and text bars of them
    report.py    build_report: the report dict (buffers, peak, minimum, naive, graph, RSS)

No printing here: the CLI (cli/profile_cmd.py) renders the report.
"""
from .model import plan_reads_in_edges
from .report import build_report

__all__ = ["build_report", "plan_reads_in_edges"]
