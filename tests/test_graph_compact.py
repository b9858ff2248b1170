"""Compact graph storage: the same results on compact and wide storage, in-edges and weights
stored only when a plan reads them, and Graph.nbytes as graph_layout predicts it.

Storage layouts (csrc/graph/graph_internal.h): compact (int32 offsets and neighbors, what every
graph here gets), wide (int64 both, forced with wide_index=1) and mixed (int64 offsets, int32
neighbors, wide_index=2: the layout of a graph with more than 2^31 - 1 arcs).  Each layout
runs its own instance of the executor's loops, so every shipped algorithm is run on all
three and the outputs compared bit for bit.
"""
from __future__ import annotations

import struct
from pathlib import Path

import pytest
from graphs import ZOO, write_edge_list

from graphbuild.api import compile_file, resolve_graph
from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.runtime import Graph, execute
from graphbuild.runtime.executor import ensure_graph_fits
from graphbuild.runtime.graph import LoadOptions, generate_graph, load_graph
from graphbuild.runtime.graph_cache import GraphCache, open_graph
from graphbuild.runtime.graph_layout import csr_bytes, int_id_bytes

ALGORITHMS = sorted((Path(__file__).resolve().parents[1] / "algorithms").glob("*.gdsl"))
SOURCES = {"karate": 16, "directed_random": 70, "isolated_selfloops": 3, "isolated_as_loops": 8,
           "weighted": 0, "string_ids": "carol", "disconnected": 19, "ring_of_cliques": 7}


def _layouts(g) -> list[Graph]:
    src, dst, weights = g.arrays()
    return [Graph.from_edges(g.n, zip(src, dst), weights, directed=g.directed,
                             ids=list(g.nodes), wide_index=wide) for wide in (0, 1, 2)]


def _bits(columns: dict) -> dict:
    """Columns with floats as their bit patterns (NaN == NaN, -0.0 != 0.0)."""
    def key(x):
        return struct.pack("<d", x) if isinstance(x, float) else x
    return {name: [key(x) for x in values] if isinstance(values, list) else key(values)
            for name, values in columns.items()}


@pytest.mark.parametrize("path", ALGORITHMS, ids=lambda p: p.stem)
def test_every_algorithm_same_bits_on_every_layout(path):
    plan = compile_file(str(path)).plan
    for g in ZOO:
        if (path.stem == "k_core" and g.has_self_loops) or (
                path.stem in ("triangle_count", "clustering") and g.directed):
            continue
        params = {"source": SOURCES[g.name]} if any(p.name == "source" for p in plan.params) else {}
        graphs = _layouts(g)
        assert [x.index_bytes for x in graphs] == [(4, 4), (8, 8), (8, 4)]
        results = [_bits(execute(plan, x, params, threads=t).columns)
                   for x in graphs for t in (1, 2)]
        for other in results[1:]:
            assert other == results[0], (path.stem, g.name)


def test_layouts_store_the_same_graph():
    for g in ZOO:
        compact, wide, mixed = _layouts(g)
        for direction in ("out", "in"):
            assert compact.csr(direction) == wide.csr(direction) == mixed.csr(direction)


@pytest.fixture
def directed_file(tmp_path):
    g = next(z for z in ZOO if z.name == "directed_random")
    return write_edge_list(g, tmp_path)


OUT_ONLY = """
algorithm out_reach():
    seen = node_id() == 0
    changed = 1 == 1
    while changed:
        grown = seen or any(seen[u] for u in out_nbrs)
        changed = any(grown != seen)
        seen = grown
    return seen
"""


def test_in_edges_only_when_the_plan_reads_them(directed_file, tmp_path):
    pagerank = compile_file(str(ALGORITHMS[[p.stem for p in ALGORITHMS].index("pagerank")])).plan
    src = tmp_path / "out_reach.gdsl"
    src.write_text(OUT_ONLY)
    out_only = compile_file(str(src)).plan
    assert pagerank.needs_in_edges and not out_only.needs_in_edges
    pulled = resolve_graph(str(directed_file), plan=pagerank)
    pushed = resolve_graph(str(directed_file), plan=out_only)
    assert pulled.has_in_edges and not pushed.has_in_edges
    n, m = pulled.node_count, pulled.edge_count
    assert pulled.nbytes == csr_bytes(n, m, directed=True, weighted=False, in_edges=True) + n * 8
    assert pushed.nbytes == csr_bytes(n, m, directed=True, weighted=False, in_edges=False) + n * 8
    assert pushed.nbytes < pulled.nbytes
    # The out-only program runs without them; pagerank on that graph builds them first.
    assert execute(out_only, pushed).columns["seen"] == execute(out_only, pulled).columns["seen"]
    before = execute(pagerank, pulled).columns
    assert execute(pagerank, pushed).columns == before
    assert pushed.has_in_edges and pushed.nbytes == pulled.nbytes
    assert pushed.csr("in") == pulled.csr("in")


def test_weights_only_when_the_plan_reads_them(tmp_path):
    g = next(z for z in ZOO if z.name == "weighted")
    path = write_edge_list(g, tmp_path)
    sssp = compile_file(str(next(p for p in ALGORITHMS if p.stem == "sssp"))).plan
    pagerank = compile_file(str(next(p for p in ALGORITHMS if p.stem == "pagerank"))).plan
    assert sssp.needs_weights and not pagerank.needs_weights
    light = resolve_graph(str(path), undirected=not g.directed, plan=pagerank)
    heavy = resolve_graph(str(path), undirected=not g.directed, plan=sssp)
    assert not light.weighted and light.weights_dropped and light.csr("out")[2] is None
    assert heavy.weighted and not heavy.weights_dropped
    n, m = light.node_count, light.edge_count
    assert light.nbytes == csr_bytes(n, m, directed=g.directed, weighted=False, in_edges=True) + n * 8
    assert heavy.nbytes == csr_bytes(n, m, directed=g.directed, weighted=True, in_edges=True) + n * 8
    assert heavy.nbytes - light.nbytes == 16 * m   # both directions, or 2 arcs per edge
    # A plan that reads weights never runs on a graph that dropped them.
    with pytest.raises(GraphbuildError) as info:
        execute(sssp, light, {"source": 0})
    assert info.value.kind is ErrorKind.USAGE and "without them" in str(info.value)
    with pytest.raises(GraphbuildError):
        ensure_graph_fits(sssp, light)
    assert execute(pagerank, light).columns == execute(pagerank, heavy).columns


def test_graph_cache_keys_what_is_stored(directed_file, tmp_path):
    cache = GraphCache(tmp_path / "graphs", min_bytes=0)
    lean = LoadOptions(need_in_edges=False, need_weights=False)
    first = open_graph(str(directed_file), lean, cache)
    assert first.cache_status == "stored" and not first.has_in_edges
    full = open_graph(str(directed_file), LoadOptions(), cache)
    assert full.cache_status == "stored" and full.has_in_edges   # another entry, not the lean one
    again = open_graph(str(directed_file), lean, cache)
    assert again.cache_status == "hit" and not again.has_in_edges
    again.build_in_edges(2)   # in memory, on a mapped graph
    assert again.csr("in") == full.csr("in")
    # Generated graphs are undirected: the flags do not split their entries.
    a = open_graph("kron:6", lean, cache)
    b = open_graph("kron:6", LoadOptions(), cache)
    assert a.cache_status == "stored" and b.cache_status == "hit"


@pytest.mark.parametrize("spec", ["kron:8", "uniform:7:5"])
def test_nbytes_matches_graph_layout_generated(spec):
    g = generate_graph(spec)
    assert g.index_bytes == (4, 4)
    n, m = g.node_count, g.edge_count
    assert g.nbytes == csr_bytes(n, m, directed=False, weighted=False, in_edges=True) + int_id_bytes(n)


def test_nbytes_matches_graph_layout_files(tmp_path):
    for g in ZOO:
        if g.isolated or isinstance(g.nodes[0], str):
            continue   # names are not int ids; isolated nodes do not survive an edge list
        path = write_edge_list(g, tmp_path)
        for in_edges in (True, False):
            for need_weights in (True, False):
                options = LoadOptions(undirected=not g.directed, need_in_edges=in_edges,
                                      need_weights=need_weights)
                x = load_graph(path, options=options)
                n, m = x.node_count, x.edge_count
                want = csr_bytes(n, m, directed=g.directed, weighted=x.weighted,
                                 in_edges=in_edges) + int_id_bytes(n)
                assert x.nbytes == want, (g.name, in_edges, need_weights)
                assert x.weighted == (g.weighted and need_weights)


def test_wide_storage_is_bigger_than_the_layout_says():
    """graph_layout describes what graphs get; wide_index (a test hook) forces 64-bit indices,
    which no real load chooses below 2^31 nodes or arcs, so its bytes differ on purpose."""
    g = next(z for z in ZOO if z.name == "karate")
    compact, wide, _ = _layouts(g)
    n, m = compact.node_count, compact.edge_count
    assert compact.nbytes == csr_bytes(n, m, directed=False, weighted=False, in_edges=True) + n * 8
    assert wide.nbytes - compact.nbytes == 4 * ((n + 1) + 2 * m)


def test_old_binary_versions_are_rejected(tmp_path):
    """A version-1 file (64-bit CSR, in-CSR always) is refused; the cache would rebuild it."""
    x = generate_graph("kron:5")
    cache = GraphCache(tmp_path, min_bytes=0)
    assert cache.put("k", x)
    (blob,) = cache.entries()   # the graph's bytes (cache.path("k") is the reference to them)
    data = bytearray(blob.read_bytes())
    data[8:12] = (1).to_bytes(4, "little")
    blob.write_bytes(bytes(data))
    # C refuses the version on its own; through the cache, the header check (read, not
    # mapped) comes before the MAC, and its message is the warning
    from graphbuild.runtime.native import ffi, lib
    out, err = ffi.new("gb_graph **"), ffi.new("gb_error *")
    assert lib.gb_graph_load_binary(str(blob).encode(), 1, out, err) == lib.GB_EPARSE
    assert b"format version" in ffi.string(err.message)
    assert cache.get("k") is None and any("format version" in w for w in cache.warnings)
