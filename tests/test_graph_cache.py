"""The binary graph cache: stored on the first load, mapped on the next, keyed so a changed
file or changed options never meet a stale entry, and a damaged entry is rebuilt with a
warning.  Also GAP's generators as seen from Python."""
from __future__ import annotations

import os
import random

import networkx as nx
import pytest

from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.runtime.graph import Graph, LoadOptions, generate_graph, load_graph, parse_generator
from graphbuild.runtime.graph_cache import GraphCache, graph_cache_dir, open_graph


def edge_file(tmp_path, name="g.el", lines=2000, seed=1, names=False) -> str:
    rng = random.Random(seed)
    text = "".join(f"{'n' if names else ''}{rng.randrange(500)} {'n' if names else ''}{rng.randrange(500)} "
                   f"{rng.random():.6f}\n" for _ in range(lines))
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def same(a: Graph, b: Graph) -> None:
    assert (a.node_count, a.edge_count, a.directed, a.weighted) == (b.node_count, b.edge_count, b.directed,
                                                                    b.weighted)
    assert a.node_ids() == b.node_ids()
    assert a.csr("out") == b.csr("out") and a.csr("in") == b.csr("in")
    assert a.stats == b.stats


@pytest.fixture
def cache(tmp_path):
    return GraphCache(tmp_path / "cache" / "graphs", min_bytes=0, threads=2)


def test_first_load_stores_then_maps(tmp_path, cache):
    for names, undirected in ((False, False), (True, True)):
        path = edge_file(tmp_path, f"g{names}.el", names=names)
        options = LoadOptions(undirected=undirected, dedupe=True)
        first = open_graph(path, options, cache)
        assert first.cache_status == "stored"
        second = open_graph(path, options, cache)
        assert second.cache_status == "hit"
        same(first, second)
        same(second, load_graph(path, options=options))
        node = second.node_ids()[7]
        assert second.find_node(str(node)) == 7
    assert len(cache.entries()) == 2 and not cache.warnings


def test_changed_file_or_options_miss(tmp_path, cache):
    path = edge_file(tmp_path)
    open_graph(path, LoadOptions(), cache)
    with open(path, "a") as f:
        f.write("1 2 0.5\n")
    changed = open_graph(path, LoadOptions(), cache)
    assert changed.cache_status == "stored" and changed.edge_count == 2001
    for options in (LoadOptions(undirected=True), LoadOptions(dedupe=True), LoadOptions(no_self_loops=True),
                    LoadOptions(ids="dense")):
        assert open_graph(path, options, cache).cache_status == "stored"
    # same bytes under a name that reads them in another format
    wel = tmp_path / "g.wel"
    wel.write_bytes(open(path, "rb").read())
    assert open_graph(str(wel), LoadOptions(), cache).cache_status == "stored"
    assert len(cache.refs()) == 7   # one reference per key; equal bytes share a blob
    assert 2 <= len(cache.entries()) <= 7
    assert open_graph(path, LoadOptions(dedupe=True), cache).cache_status == "hit"


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_damaged_entry_is_rebuilt_with_a_warning(tmp_path, cache, damage):
    path = edge_file(tmp_path)
    good = open_graph(path, LoadOptions(), cache)
    [entry] = cache.entries()
    data = bytearray(entry.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) * 3 // 4] ^= 0x10
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"GBGRAPH\n" + bytes(range(256)) * 4)
    entry.write_bytes(bytes(data))
    rebuilt = open_graph(path, LoadOptions(), cache)
    assert rebuilt.cache_status == "stored"
    same(good, rebuilt)
    [warning] = cache.warnings
    assert warning.startswith(f"discarding graph cache entry {entry.name}: ") and "rebuilding it" in warning
    # A length other than the header's is refused by the header alone, before any hashing
    # (a sparse file of any size costs nothing); any other damage fails the MAC, which covers
    # every byte, before C's own checks.
    reason = {"truncate": "truncated", "empty": "truncated", "garbage": "not a valid graph file"}
    assert reason.get(damage, "does not verify") in warning
    assert open_graph(path, LoadOptions(), cache).cache_status == "hit"


def test_stale_temp_files_are_removed(tmp_path, cache):
    cache.dir.mkdir(parents=True)
    old, fresh = cache.dir / ".tmp-old.gbgraph", cache.dir / ".tmp-new.gbgraph"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (1, 1))
    open_graph(edge_file(tmp_path), LoadOptions(), cache)
    assert not old.exists() and fresh.exists() and len(cache.entries()) == 1


def test_unwritable_cache_only_warns(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    cache = GraphCache(blocker / "graphs", min_bytes=0)
    graph = open_graph(edge_file(tmp_path), LoadOptions(), cache)
    assert graph.cache_status is None and graph.edge_count == 2000
    assert len(cache.warnings) == 1 and "is not writable" in cache.warnings[0]


def test_small_files_pipes_and_sources(tmp_path):
    cache = GraphCache(tmp_path / "c")   # the default threshold: 1 MiB
    small = edge_file(tmp_path, lines=10)
    assert open_graph(small, LoadOptions(), cache).cache_status is None
    assert not cache.entries()
    karate = open_graph(None, LoadOptions(), cache)
    assert karate.node_count == 34 and not karate.directed
    assert open_graph(karate, LoadOptions(), cache) is karate
    assert graph_cache_dir(tmp_path / "plans") == tmp_path / "plans" / "graphs"
    with pytest.raises(GraphbuildError) as info:
        open_graph(str(tmp_path / "missing.el"), LoadOptions(), cache)
    assert info.value.kind is ErrorKind.MISSING


def test_generated_graphs_are_cached_by_spec(tmp_path, cache, monkeypatch):
    first = open_graph("kron:9:4", LoadOptions(dedupe=True), cache)
    again = open_graph("kron:9:4", LoadOptions(dedupe=True), cache)
    assert (first.cache_status, again.cache_status) == ("stored", "hit")
    same(first, again)
    assert open_graph("kron:9:4", LoadOptions(), cache).cache_status == "stored"
    # a file that happens to be named like a spec is a file
    named = tmp_path / "kron:3"
    named.write_text("5 6\n")
    monkeypatch.chdir(tmp_path)
    assert open_graph("kron:3", LoadOptions(), cache).node_ids() == [5, 6]


def test_generators():
    assert parse_generator("kron:10") == ("kron", 10, 16)
    assert parse_generator("uniform:12:3") == ("uniform", 12, 3)
    assert parse_generator("edges.el") is None
    for bad in ("kron:", "kron:0", "kron:31", "uniform:5:0", "kron:5:x", "kron:5:6:7"):
        with pytest.raises(GraphbuildError) as info:
            parse_generator(bad)
        assert info.value.kind is ErrorKind.USAGE
    g = generate_graph("uniform:10:8", threads=3)
    assert (g.node_count, g.edge_count, g.directed) == (1024, 8192, False)
    assert g.stats["format"] == "generated" and g.node_ids() == list(range(1024))
    same(g, generate_graph("uniform:10:8", threads=1))
    simple = generate_graph("kron:10", LoadOptions(dedupe=True, no_self_loops=True))
    ref = nx.Graph()
    kron = generate_graph("kron:10")
    offsets, neighbors, _ = kron.csr("out")
    ref.add_edges_from((v, u) for v in range(1024) for u in neighbors[offsets[v]:offsets[v + 1]] if u != v)
    assert simple.edge_count == ref.number_of_edges()
    assert kron.stats["input_edges"] == 1024 * 16
    assert simple.stats["self_loops_dropped"] == kron.stats["self_loops"]
