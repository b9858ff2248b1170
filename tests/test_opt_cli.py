"""Seeing the optimizer from the command line: --emit opt/plan/dot, -O0 and compile --json."""
from __future__ import annotations

import json
import re

from test_cli import cache, gb  # noqa: F401  (cache is a fixture)

JSON_KEYS = ("ops_before", "ops_after", "kernels", "edge_passes_per_iteration", "node_passes_per_iteration",
             "slots", "variables", "levels")


def test_compile_json_reports_the_optimizer_figures(cache):  # noqa: F811
    opt = json.loads(gb("compile", "algorithms/pagerank.gdsl", "--json", cache=cache).stdout)
    plain = json.loads(gb("compile", "algorithms/pagerank.gdsl", "--json", "-O0", cache=cache).stdout)
    for summary in (opt, plain):
        assert all(isinstance(summary[k], int) for k in JSON_KEYS), summary
    assert opt["ops_before"] == plain["ops_before"] == plain["ops_after"] > opt["ops_after"]
    assert opt["edge_passes_per_iteration"] == plain["edge_passes_per_iteration"] == 1
    assert opt["node_passes_per_iteration"] < plain["node_passes_per_iteration"]
    assert opt["slots"] == opt["max_live"] < plain["slots"] == plain["variables"]
    assert opt["key"] != plain["key"]


def test_emit_plan_shows_slots_levels_and_source_lines(cache):  # noqa: F811
    proc = gb("compile", "algorithms/pagerank.gdsl", "--emit", "plan", cache=cache)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    kernel = next(line for line in lines if re.match(r"\s+\d+\s+L\d+\s+kernel\s+k\d+", line))
    assert re.search(r"; \d+:\d+", kernel)
    assert any("gather s" in line for line in lines) and any("incoming = sum(" in line for line in lines)


def test_emit_dot_is_graphviz_of_the_dataflow_by_level(cache):  # noqa: F811
    proc = gb("compile", "algorithms/pagerank.gdsl", "--emit", "dot", cache=cache)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith('digraph "pagerank" {') and text.rstrip().endswith("}")
    assert "rank=same" in text and "cluster_loop" in text and "->" in text
    assert re.search(r'label="\d+: .*edge k\d+: s\d+ = sum over in', text)


def test_emit_opt_at_O0_is_the_lowered_ir(cache):  # noqa: F811
    ir = gb("compile", "algorithms/pagerank.gdsl", "--emit", "ir", cache=cache).stdout
    o0 = gb("compile", "algorithms/pagerank.gdsl", "--emit", "opt", "-O0", cache=cache).stdout
    o1 = gb("compile", "algorithms/pagerank.gdsl", "--emit", "opt", cache=cache).stdout
    assert o0 == ir != o1
