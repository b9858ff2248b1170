"""Graph layouts (docs/graphs.md "Layout"): a graph relabeled by degree gives the results of
its input layout, in the input's ids and order.

- every shipped algorithm on every zoo graph (directed, undirected, weighted, string ids,
  isolated nodes, self-loops) under layout "degree", on 1 and 2 threads: against networkx
  (test_algorithms.check) and against the input layout: integer, node and bool columns
  exactly, floats within FLOAT_TOL (each node's arcs keep their input order, so only whole-
  graph float sums add in another order);
- every test program (gdsl_programs: node_id(), x[s], argmin/argmax ties, mode, nbr values)
  the same way on small graphs;
- the relabel itself (the permutation, the CSR), determinism across thread counts, the
  graph cache (a second load maps the stored layout; a damaged one is rebuilt), and the
  CLI's --layout and graph info.
"""
from __future__ import annotations

import json
import math

import pytest
from gdsl_programs import sources
from graphs import ZOO
from test_algorithms import ALGORITHMS, CASES, check

from graphbuild import runtime
from graphbuild.api import run_file
from graphbuild.compiler import compile_source
from graphbuild.errors import GraphbuildError
from graphbuild.runtime import Graph
from graphbuild.runtime.graph_cache import GraphCache, layout_key, open_graph
from graphbuild.runtime.graph import LoadOptions

FLOAT_TOL = 1e-12   # per value, relative to max(1, |value|)


def _zoo_graph(g, layout: str = "original") -> Graph:
    src, dst, weights = g.arrays()
    graph = Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))
    return graph.relabel(layout)


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= FLOAT_TOL * max(1.0, abs(a), abs(b))
    return a == b


def _same_results(want, got) -> None:
    assert want.columns.keys() == got.columns.keys() and want.values.keys() == got.values.keys()
    for name, column in want.columns.items():
        exact = want.dtypes[name] != "float"
        assert all((a == b) if exact else _close(a, b) for a, b in zip(column, got.columns[name])), name
    for name, value in want.values.items():
        other = got.values[name]
        assert (value == other) if want.dtypes[name] != "float" else _close(value, other), name


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("algorithm, g, params", CASES)
def test_shipped_algorithms_under_degree_layout(algorithm, g, params, threads) -> None:
    path = ALGORITHMS / f"{algorithm}.gdsl"
    original = run_file(path, graph=_zoo_graph(g), params=params, threads=threads)
    relabeled = run_file(path, graph=_zoo_graph(g, "degree"), params=params, threads=threads)
    check(algorithm, g, params, relabeled.columns)
    _same_results(original, relabeled)


PROGRAM_GRAPHS = {
    "directed_weighted": (6, [(0, 1), (1, 2), (2, 0), (3, 4), (0, 0), (4, 3), (2, 3), (5, 2), (5, 1)],
                          [1.0, 0.3, 2.0, 0.7, 0.9, 1.5, 0.2, 0.4, 0.4], True),
    "undirected_ties": (8, [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (1, 3), (6, 5)], None, False),
}


@pytest.mark.parametrize("gname", sorted(PROGRAM_GRAPHS))
@pytest.mark.parametrize("name", sorted(sources()))
def test_every_program_gives_the_input_layouts_results(name, gname) -> None:
    n, edges, weights, directed = PROGRAM_GRAPHS[gname]
    g = Graph.from_edges(n, edges, weights, directed)
    plan = compile_source(sources()[name], "t.gdsl", None, 1)
    try:
        want = runtime.execute(plan, g, threads=2)
    except GraphbuildError as err:   # common(u) on a directed graph: refused on either layout
        with pytest.raises(GraphbuildError) as again:
            runtime.execute(plan, g.relabel("degree"), threads=1)
        assert str(again.value) == str(err)
        return
    for threads in (1, 2):
        _same_results(want, runtime.execute(plan, g.relabel("degree"), threads=threads))


def test_degree_order_and_csr() -> None:
    # out-degrees 1, 0, 1, 3, 1: node 3 first, then 0, 2, 4 (ties by index), then 1
    g = Graph.from_edges(5, [(0, 1), (2, 1), (3, 1), (3, 2), (4, 3), (3, 0)], [1, 2, 3, 4, 5, 6],
                         directed=True, ids=[10, 11, 12, 13, 14])
    r = g.relabel("degree")
    assert (g.layout, r.layout) == ("original", "degree")
    assert r.permutation() == [3, 0, 2, 4, 1] and g.permutation() == list(range(5))
    inv = {v: p for p, v in enumerate(r.permutation())}
    for direction in ("out", "in"):
        off, nbr, w = g.csr(direction)
        roff, rnbr, rw = r.csr(direction)
        for p, v in enumerate(r.permutation()):
            assert rnbr[roff[p]:roff[p + 1]] == [inv[u] for u in nbr[off[v]:off[v + 1]]]
            assert rw[roff[p]:roff[p + 1]] == w[off[v]:off[v + 1]]   # arcs in input order
    assert r.node_ids() == g.node_ids() and r.find_node("13") == 3
    assert r.nbytes == g.nbytes + 2 * 5 * 8
    assert r.relabel("degree") is r and g.relabel("original") is g
    with pytest.raises(GraphbuildError):
        g.relabel("hilbert")


def test_relabel_is_the_same_for_any_thread_count() -> None:
    g = runtime.graph.generate_graph("kron:12")
    one, two = g.relabel("degree", threads=1), g.relabel("degree", threads=2)
    assert one.permutation() == two.permutation()
    assert one.csr("out") == two.csr("out")
    degrees = [b - a for a, b in zip(*(lambda o: (o[:-1], o[1:]))(one.csr("out")[0]))]
    assert degrees == sorted(degrees, reverse=True)


def test_degree_layout_is_deterministic_for_each_thread_count() -> None:
    g = runtime.graph.generate_graph("kron:10").relabel("degree")
    plan = compile_source((ALGORITHMS / "pagerank.gdsl").read_text(), "pagerank.gdsl", None, 1)
    runs = [runtime.execute(plan, g, threads=t).columns["rank"] for t in (1, 2, 2)]
    assert all(repr(r) == repr(runs[0]) for r in runs)


def test_original_layout_is_todays_graph() -> None:
    g = runtime.graph.generate_graph("kron:8")
    assert open_graph(g, layout="original") is g and open_graph(g, layout="auto") is g
    assert open_graph(g, layout=None) is g


def test_the_cache_keeps_a_layout(tmp_path) -> None:
    cache = GraphCache(tmp_path / "cache" / "graphs", min_bytes=0)
    first = open_graph("kron:8", LoadOptions(), cache, layout="degree")
    assert first.cache_status == "stored" and first.layout == "degree"
    second = open_graph("kron:8", LoadOptions(), cache, layout="degree")
    assert second.cache_status == "hit" and second.layout == "degree"
    assert second.permutation() == first.permutation() and second.csr("out") == first.csr("out")
    # only the relabeled graph is stored; the input layout is its own entry
    assert len(cache.entries()) == 1
    plain = open_graph("kron:8", LoadOptions(), cache)
    assert plain.layout == "original" and plain.cache_status == "stored" and len(cache.entries()) == 2
    key = layout_key(cache.spec_key("kron:8", LoadOptions()), "degree")
    assert key != cache.spec_key("kron:8", LoadOptions())
    assert not cache.warnings


def test_a_damaged_layout_entry_is_rebuilt(tmp_path) -> None:
    cache = GraphCache(tmp_path / "cache" / "graphs", min_bytes=0)
    open_graph("kron:8", LoadOptions(), cache, layout="degree")
    (blob,) = cache.entries()
    data = bytearray(blob.read_bytes())
    data[-9] ^= 1   # in the inverse permutation, the file's last section
    blob.write_bytes(bytes(data))
    again = open_graph("kron:8", LoadOptions(), cache, layout="degree")
    assert again.cache_status == "stored" and again.layout == "degree"
    assert any("discarding graph cache entry" in w for w in cache.warnings)


def _cli(*args):
    from typer.testing import CliRunner

    from graphbuild.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("threads", ["1", "2"])
def test_cli_run_with_layout(tmp_path, threads) -> None:
    common = ["--cache-dir", str(tmp_path), "--json", "-t", threads, "-g", "kron:9"]
    for algorithm in ("connected_components", "bfs"):
        path = str(ALGORITHMS / f"{algorithm}.gdsl")
        extra = ["-p", "source=5"] if algorithm == "bfs" else []
        want = json.loads(_cli("run", path, *common, *extra))
        for layout in ("degree", "degree", "auto", "original"):   # degree twice: from the cache
            got = json.loads(_cli("run", path, *common, *extra, "--layout", layout))
            assert got["columns"] == want["columns"]


def test_graph_info_shows_the_layout(tmp_path) -> None:
    report = json.loads(_cli("graph", "info", "kron:6", "--cache-dir", str(tmp_path), "--json",
                             "--layout", "degree"))
    assert report["layout"] == "degree"
    assert json.loads(_cli("graph", "info", "kron:6", "--no-cache", "--json"))["layout"] == "original"
    assert "layout" in _cli("graph", "info", "kron:6", "--no-cache", "--layout", "degree")


def test_zoo_is_covered() -> None:
    assert any(g.directed for g in ZOO) and any(not g.directed for g in ZOO)


def test_python_api_layout(tmp_path, monkeypatch) -> None:
    import numpy as np

    import graphbuild as gb

    monkeypatch.setenv("GRAPHBUILD_CACHE_DIR", str(tmp_path))
    plain = gb.Graph.load("kron:8")
    relabeled = gb.Graph.load("kron:8", layout="degree")
    assert (plain.layout, relabeled.layout) == ("original", "degree")
    assert list(plain.ids) == list(relabeled.ids)
    program = gb.compile(ALGORITHMS / "bfs.gdsl")
    source = plain.ids[5]
    want, got = program.run(plain, source=source), program.run(relabeled, source=source)
    assert np.array_equal(np.asarray(want["level"]), np.asarray(got["level"]))
    with pytest.raises(gb.UsageError if hasattr(gb, "UsageError") else GraphbuildError):
        gb.Graph.load("kron:8", layout="hilbert")
