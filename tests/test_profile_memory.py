"""`graphbuild profile-memory`: the report (buffers, peak, minimum, naive, graph, RSS, timeline),
--predict from the counts alone, and the command's error paths."""
from __future__ import annotations

import json

import pytest
from gdsl_programs import sources
from test_cli import gb
from test_opt_alloc import ALGORITHMS, plan_of

from graphbuild.profile import build_report, plan_reads_in_edges
from graphbuild.profile.counts import predict_counts
from graphbuild.profile.model import graph_bytes, restart_rss_peak, rss_peak
from graphbuild.profile.timeline import bar, bars
from graphbuild.runtime.graph_layout import csr_bytes, int_id_bytes


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def report_for(name: str, nodes: int = 1000, edges: int = 8000) -> dict:
    plan = plan_of(sources()[name])
    parts = graph_bytes(plan, nodes, edges, directed=True, weighted=True)
    return build_report(plan, nodes=nodes, edges=edges, directed=True, weighted=True, threads=2,
                        graph_parts=parts, baseline_rss=40 << 20)


@pytest.mark.parametrize("name", ALGORITHMS)
def test_the_planned_peak_is_the_minimum_and_the_timeline_reaches_it(name):
    r = report_for(name)
    assert r["peak_bytes"] == r["minimum_bytes"] == sum(b["bytes"] for b in r["buffers"])
    assert r["naive_bytes"] >= r["peak_bytes"] and r["saved_bytes"] == r["naive_bytes"] - r["peak_bytes"]
    assert max(p["bytes"] for p in r["timeline"]) == r["peak_bytes"]
    assert r["pool_bytes"] >= r["peak_bytes"]
    parts = ("baseline_rss_bytes", "graph_bytes", "pool_bytes", "scratch_bytes", "incremental_bytes",
             "sources_bytes", "common_bytes")
    assert r["predicted_rss_bytes"] == sum(r[k] for k in parts)
    # no load peak given: the first load is the run itself, with its result columns
    assert r["load_peak_bytes"] == 0
    assert r["rss_peak_bytes"] == r["first_load_rss_bytes"] == r["predicted_rss_bytes"] + r["results_bytes"]


def test_a_plan_without_the_records_gets_them_computed():
    plan = plan_of(sources()["pagerank"])
    full = build_report(plan, nodes=10, edges=20, directed=False, weighted=False, threads=1,
                        graph_parts={"graph_bytes": 1}, baseline_rss=0, measured_rss=5)
    for key in ("buffers", "live_bytes_per_node"):
        del plan.stats[key]
    bare = build_report(plan, nodes=10, edges=20, directed=False, weighted=False, threads=1,
                        graph_parts={"graph_bytes": 1}, baseline_rss=0, measured_rss=5)
    assert bare == full and full["mode"] == "measured" and full["rss_peak_bytes"] == 5


OUT_ONLY = """\
algorithm a():
    x = float(node_id())
    return sum(x[u] for u in out_nbrs)
"""


def test_in_edges_are_read_by_in_and_all_neighbors_and_in_degrees():
    assert plan_reads_in_edges(plan_of(sources()["pagerank"]))  # in_nbrs
    assert not plan_reads_in_edges(plan_of(OUT_ONLY))
    assert plan_reads_in_edges(plan_of("algorithm a():\n    return float(in_degree())\n"))
    assert plan_reads_in_edges(plan_of("algorithm a():\n    return float(degree())\n"))


def test_predicted_graph_bytes_follow_the_layout_rule():
    plan = plan_of(OUT_ONLY)
    parts = graph_bytes(plan, 100, 1000, directed=True, weighted=True)
    # no transpose (out-edges only), no weights (the plan does not read them)
    assert parts["csr_bytes"] == csr_bytes(100, 1000, directed=True, weighted=False, in_edges=False)
    assert parts["id_bytes"] == int_id_bytes(100)


def test_counts_from_a_generator_a_matrix_market_header_or_the_flags(tmp_path):
    c = predict_counts("kron:20", undirected=False)
    assert (c.nodes, c.edges, c.directed, c.weighted) == (1 << 20, 16 << 20, False, False)
    assert predict_counts("uniform:10:4", undirected=False).edges == 4 << 10
    mtx = tmp_path / "g.mtx"
    mtx.write_text("%%MatrixMarket matrix coordinate real general\n% c\n5 7 3\n1 2 1.0\n2 3 1.0\n3 1 1.0\n")
    c = predict_counts(str(mtx), undirected=False)
    assert (c.nodes, c.edges, c.directed, c.weighted) == (7, 3, True, True)
    el = tmp_path / "g.el"
    el.write_text("0 1\n")
    assert predict_counts(str(el), undirected=True, nodes=9, edges=4).nodes == 9
    with pytest.raises(Exception, match="--nodes and --edges"):
        predict_counts(str(el), undirected=False)


def test_bars_scale_to_the_peak_and_bucket_long_plans():
    assert bar(10, 10, 4) == "████" and bar(0, 10, 4) == "" and bar(5, 10, 4) == "██"
    points = [{"pc": i, "op": "kernel", "line": i % 3 + 1, "bytes": i} for i in range(100)]
    rows = bars(points, width=10, max_rows=20)
    assert len(rows) == 20 and rows[-1]["bytes"] == 99 and rows[-1]["bar"] == "█" * 10
    assert rows[0]["pcs"] == (0, 4) and rows[0]["lines"] == [1, 2, 3]


def test_the_command_reports_a_run(cache):
    proc = gb("profile-memory", "algorithms/sssp.gdsl", "-g", "kron:10", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["mode"] == "measured" and r["nodes"] == 1024
    assert r["peak_bytes"] == r["minimum_bytes"] == 2 * 8 * 1024 and r["swaps"] == 1
    assert r["rss_peak_bytes"] >= r["baseline_rss_bytes"] > 0 and r["graph_bytes"] > 0
    assert r["buffers"][0]["live"] and r["buffers"][0]["source_lines"]
    assert r["predicted_rss_bytes"] > r["baseline_rss_bytes"] + r["graph_bytes"] + r["peak_bytes"]
    predicted = json.loads(gb("profile-memory", "algorithms/sssp.gdsl", "-g", "kron:10", "--json",
                              "--predict", cache=cache).stdout)
    assert predicted["mode"] == "predicted"
    for key in ("nodes", "edges", "peak_bytes", "minimum_bytes", "naive_bytes", "buffers"):
        assert predicted[key] == r[key], key


def test_the_text_report_has_the_tables_and_the_timeline(cache):
    proc = gb("profile-memory", "algorithms/pagerank.gdsl", cache=cache, env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    for text in ("node-vector buffers", "rank, new_rank", "theoretical minimum", "one buffer per variable",
                 "peak RSS", "live buffer bytes over the plan", "█"):
        assert text in proc.stdout, text
    proc = gb("profile-memory", "algorithms/bfs.gdsl", "-g", "kron:30", "--predict", cache=cache,
              env={"COLUMNS": "200"})
    assert proc.returncode == 0 and "predicted peak RSS" in proc.stdout and "1,073,741,824" in proc.stdout


@pytest.mark.parametrize("args, code, message", [
    (["algorithms/pagerank.gdsl", "-g", "no-such-file.el"], 66, "does not exist"),
    (["no-such.gdsl"], 66, "no-such.gdsl"),
    (["algorithms/pagerank.gdsl", "-g", "kron:x"], 2, "kron:SCALE"),
    (["algorithms/pagerank.gdsl", "-g", "edges.el", "--predict"], 2, "--nodes and --edges"),
])
def test_errors_are_one_message_and_the_right_exit_code(cache, args, code, message):
    proc = gb("profile-memory", *args, cache=cache)
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3


def test_the_peak_count_restarts_so_building_the_graph_is_not_in_the_run() -> None:
    assert restart_rss_peak()   # Linux; elsewhere the report says its peak covers the process
    block = bytearray(64 << 20)
    block[::4096] = b"\1" * len(block[::4096])    # touch every page
    with_block = rss_peak()
    del block
    assert restart_rss_peak()
    assert rss_peak() <= with_block - (48 << 20)   # the 64 MiB block is no longer in the peak
