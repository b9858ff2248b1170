"""The shipped algorithms install with the package and are found by name: `graphbuild list`,
`graphbuild run NAME`, `gb.compile(NAME)`; a file of the same name still wins."""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from test_cli import assert_clean_failure, gb

import graphbuild
from graphbuild.api import shipped_names, shipped_path
from graphbuild.api.shipped import summary

PACKAGE_ALGORITHMS = Path(graphbuild.__file__).resolve().parent / "algorithms"


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def test_every_program_in_the_package_is_listed_with_what_it_computes(cache):
    names = sorted(p.stem for p in PACKAGE_ALGORITHMS.glob("*.gdsl"))
    assert shipped_names() == names and len(names) >= 14
    proc = gb("list", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert sorted(rows) == names
    assert rows["bfs"]["params"] == [{"name": "source", "type": "node", "default": 0, "range": None},
                                     {"name": "cutoff", "type": "int", "default": -1, "range": "[-1, inf)"}]
    assert rows["pagerank"]["params"][0]["range"] == "[0, 1]"
    assert rows["pagerank"]["outputs"] == [{"name": "rank", "kind": "vector", "type": "float"},
                                           {"name": "delta", "kind": "scalar", "type": "float"}]
    assert rows["katz"]["summary"].startswith("Katz centrality: x = alpha * A^T x + beta, i.e.")
    assert all(row["summary"].endswith(".") for row in rows.values())
    table = gb("list", cache=cache, env={"COLUMNS": "250"})
    assert table.returncode == 0 and "personalized_pagerank" in table.stdout


def test_run_and_compile_take_a_name(cache, tmp_path):
    proc = gb("run", "bfs", "--json", "-p", "source=33", cache=cache)
    assert proc.returncode == 0, proc.stderr
    columns = json.loads(proc.stdout)["columns"]
    want = nx.single_source_shortest_path_length(nx.karate_club_graph(), 33)
    assert dict(zip(columns["node"], columns["level"])) == want
    assert gb("compile", "pagerank", "--json", cache=cache).returncode == 0
    assert "algorithm hits" in gb("compile", "hits", "--emit", "ast", cache=cache).stdout
    assert_clean_failure(gb("run", "pagerankk", cache=cache), 66, "program not found: pagerankk",
                         "nor a shipped algorithm: betweenness,")


def test_a_file_named_like_an_algorithm_wins(cache):
    workdir = cache.parent / "cwd"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "bfs").write_text("algorithm mine():\n    return degree()\n")
    proc = gb("run", "bfs", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["algorithm"] == "mine"


def test_names_resolve_inside_the_installed_package():
    assert shipped_path("pagerank") == str(PACKAGE_ALGORITHMS / "pagerank.gdsl")
    for not_a_name in ("../pagerank", "pagerank.gdsl", "page rank", ""):
        assert shipped_path(not_a_name) is None
    assert summary(shipped_path("sssp")).startswith("Single-source shortest path distances")


def test_source_loops_run_by_name(cache):
    # the loops over sources (closeness, harmonic, betweenness) on the default graph, karate
    G = nx.karate_club_graph()
    for name, column, want in [("betweenness", "bc", nx.betweenness_centrality(G)),
                               ("closeness", "closeness", nx.closeness_centrality(G)),
                               ("harmonic", "harmonic", nx.harmonic_centrality(G))]:
        proc = gb("run", name, "--json", "--threads", "2", cache=cache)
        assert proc.returncode == 0, proc.stderr
        columns = json.loads(proc.stdout)["columns"]
        got = dict(zip(columns["node"], columns[column]))
        assert all(abs(got[v] - want[v]) <= 1e-9 * max(1.0, abs(want[v])) for v in G), name
