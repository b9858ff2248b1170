"""Caches that stay in bounds (issue 16.4): graphs under the plan cache's size limit and
commands, one blob for load options that leave the same bytes, least recently used entries
of both kinds evicted, shared blobs still authenticated, counts exact under concurrency."""
from __future__ import annotations

import json
import multiprocessing
import os
import time

from test_cli import gb
from test_graph_cache import edge_file, same

from graphbuild.cache import PlanCache
from graphbuild.cache.counters import add_count, read_counts
from graphbuild.cache.usage import totals, units
from graphbuild.runtime.graph import LoadOptions, load_graph
from graphbuild.runtime.graph_cache import GraphCache, graph_cache_dir, open_graph


def _clean_file(tmp_path, name="clean.el", n=3000):
    """Edges without duplicates or self-loops: --dedupe and --no-self-loops change nothing."""
    path = tmp_path / name
    path.write_text("".join(f"{i} {(i * 7 + 1) % n}\n{i} {(i * 13 + 5) % n}\n" for i in range(n)))
    return str(path)


def _graph_cache(cache_dir, max_size=1 << 30) -> GraphCache:
    return GraphCache(graph_cache_dir(cache_dir), min_bytes=0, threads=2, max_size=max_size)


def test_load_options_with_equal_bytes_share_one_blob(tmp_path):
    path = _clean_file(tmp_path)
    cache = _graph_cache(tmp_path / "cache")
    options = [LoadOptions(), LoadOptions(dedupe=True), LoadOptions(no_self_loops=True),
               LoadOptions(dedupe=True, no_self_loops=True), LoadOptions(undirected=True)]
    for o in options:
        assert open_graph(path, o, cache).cache_status == "stored"
    assert len(cache.refs()) == 5 and len(cache.entries()) == 2   # directed and undirected bytes
    for o in options:   # every option still gets its own, correct graph
        hit = open_graph(path, o, cache)
        assert hit.cache_status == "hit"
        same(hit, load_graph(path, options=o))
    assert not cache.warnings
    kinds = totals(tmp_path / "cache")["graphs"]
    assert kinds["entries"] == 5 and kinds["blobs"] == 2
    assert kinds["bytes"] == sum(os.path.getsize(p) for p in cache.entries() + cache.refs())


def test_a_shared_blob_is_still_authenticated(tmp_path):
    path = _clean_file(tmp_path)
    cache = _graph_cache(tmp_path / "cache")
    open_graph(path, LoadOptions(), cache)
    open_graph(path, LoadOptions(dedupe=True), cache)
    (blob,) = cache.entries()
    data = bytearray(blob.read_bytes())
    data[-100] ^= 1   # the payload: neither its content id nor its MAC holds
    blob.write_bytes(bytes(data))
    fresh = _graph_cache(tmp_path / "cache")
    graph = open_graph(path, LoadOptions(dedupe=True), fresh)
    assert graph.cache_status == "stored" and any("does not verify" in w for w in fresh.warnings)
    same(graph, load_graph(path, options=LoadOptions(dedupe=True)))


def test_a_reference_cannot_be_moved_to_another_key(tmp_path):
    """Copying the reference of one graph over another's is a miss with a warning, never the
    wrong graph."""
    a, b = _clean_file(tmp_path, "a.el", 3000), _clean_file(tmp_path, "b.el", 2000)
    cache = _graph_cache(tmp_path / "cache")
    key_a = cache.file_key(a, LoadOptions())
    key_b = cache.file_key(b, LoadOptions())
    open_graph(a, LoadOptions(), cache)
    open_graph(b, LoadOptions(), cache)
    cache.path(key_b).write_bytes(cache.path(key_a).read_bytes())
    fresh = _graph_cache(tmp_path / "cache")
    graph = open_graph(b, LoadOptions(), fresh)
    assert graph.node_count == 2000 and graph.cache_status == "stored"
    assert any("does not verify" in w for w in fresh.warnings)


def test_least_recently_used_of_both_kinds_go_first(tmp_path):
    cache_dir = tmp_path / "cache"
    plans = PlanCache(cache_dir)
    gb("compile", "algorithms/bfs.gdsl", cache=cache_dir)
    gb("compile", "algorithms/pagerank.gdsl", cache=cache_dir)
    old_plan, new_plan = sorted(plans.entries(), key=lambda e: e.key)
    graphs = _graph_cache(cache_dir)
    paths = [edge_file(tmp_path, f"g{i}.el", seed=i) for i in range(3)]
    for p in paths:
        open_graph(p, LoadOptions(), graphs)
    refs = {p: graphs.path(graphs.file_key(p, LoadOptions())) for p in paths}
    clock = time.time() - 1000
    order = [old_plan.path, _blob_of(graphs, paths[0]), new_plan.path, _blob_of(graphs, paths[1]),
             _blob_of(graphs, paths[2])]   # oldest use first; a graph's use is its blob's mtime
    for i, target in enumerate(order):
        os.utime(target, (clock + i, clock + i))
    sizes = {u.paths[0]: u.size for u in units(cache_dir)}
    total = sum(sizes.values())
    keep_last_two = sizes[_blob_of(graphs, paths[1])] + sizes[_blob_of(graphs, paths[2])]
    result = plans.prune(max_size=keep_last_two)
    assert result.removed == 3
    left = {u.paths[0] for u in units(cache_dir)}
    assert left == {_blob_of(graphs, paths[1]), _blob_of(graphs, paths[2])}
    assert not refs[paths[0]].exists() and refs[paths[1]].exists()   # a reference goes with its blob
    assert result.freed == total - keep_last_two


def _blob_of(graphs: GraphCache, path: str):
    from graphbuild.cache.graphs import decode_ref

    key = graphs.file_key(path, LoadOptions())
    ref = decode_ref(graphs.path(key).read_bytes(), graphs.policy.key(), key)
    return graphs.blob_path(ref["blob"])


def test_storing_a_graph_evicts_to_the_limit(tmp_path):
    cache_dir = tmp_path / "cache"
    gb("compile", "algorithms/bfs.gdsl", cache=cache_dir)
    (plan,) = PlanCache(cache_dir).entries()
    os.utime(plan.path, (1, 1))   # long unused
    one = edge_file(tmp_path, "one.el", seed=1)
    probe = _graph_cache(tmp_path / "probe")
    open_graph(one, LoadOptions(), probe)
    blob_bytes = os.path.getsize(probe.entries()[0]) + os.path.getsize(probe.refs()[0])
    limit = blob_bytes + 100   # room for one graph and nothing beside it
    graphs = _graph_cache(cache_dir, max_size=limit)
    open_graph(one, LoadOptions(), graphs)
    assert not plan.path.exists()   # the plan was least recently used
    two = edge_file(tmp_path, "two.el", seed=2)
    open_graph(two, LoadOptions(), graphs)
    assert len(graphs.entries()) == 1 and _blob_of(graphs, two).exists()   # the new one stays
    assert len(graphs.refs()) == 1


def test_cache_commands_see_graphs(tmp_path):
    cache_dir = tmp_path / "cache"
    path = tmp_path / "big.el"
    path.write_text("".join(f"{i} {(i * 7 + 1) % 120000}\n" for i in range(120000)))   # over 1 MiB
    for flags in ([], ["--dedupe"], ["--undirected"]):
        proc = gb("run", "algorithms/bfs.gdsl", "-g", str(path), *flags, "--top", "0", cache=cache_dir)
        assert proc.returncode == 0, proc.stderr
    gb("run", "algorithms/bfs.gdsl", "-g", str(path), "--top", "0", cache=cache_dir)   # a graph hit
    report = json.loads(gb("cache", "info", "--json", cache=cache_dir).stdout)
    assert report["graphs"]["entries"] == 3 and report["graphs"]["blobs"] == 2
    assert report["plans"]["entries"] == 1
    assert report["bytes"] == report["plans"]["bytes"] + report["graphs"]["bytes"]
    assert report["graph_misses"] == 3 and report["graph_hits"] == 1
    listed = json.loads(gb("cache", "list", "--json", cache=cache_dir).stdout)["entries"]
    graphs = [e for e in listed if e["kind"] == "graph"]
    assert len(graphs) == 3 and len({e["blob"] for e in graphs}) == 2
    assert {e["source_path"] for e in graphs} == {str(path)}
    gb("cache", "clear", cache=cache_dir)
    report = json.loads(gb("cache", "info", "--json", cache=cache_dir).stdout)
    assert report["entries"] == 0 and report["bytes"] == 0
    assert os.listdir(cache_dir / "graphs") == []


def _count_many(directory: str, name: str, times: int) -> None:
    for _ in range(times):
        add_count(directory, name)


def test_counters_lose_nothing_across_processes(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_count_many, args=(str(tmp_path), name, 40))
             for name in ("hits", "graph_hits", "hits", "graph_misses")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    counts = read_counts(tmp_path)
    assert counts["hits"] == 80 and counts["graph_hits"] == 40 and counts["graph_misses"] == 40
