"""Graph loading: edge lists read by C, checked edge by edge against networkx reading the
same files; errors with their line and column; pipes; the Graph API.  Matrix Market,
header lines, dense ids and the policies are in test_graph_formats.py."""
from __future__ import annotations

import gzip
import os
import random
import threading
from collections import Counter

import networkx as nx
import pytest

from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.runtime.graph import Graph, default_graph_path, load_graph


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return str(path)


def arcs(graph: Graph, direction: str) -> dict:
    """Each node's id -> Counter of (neighbor id, weight) over its CSR range."""
    ids = graph.node_ids()
    offsets, neighbors, weights = graph.csr(direction)
    result = {}
    for v, node in enumerate(ids):
        row = range(offsets[v], offsets[v + 1])
        result[node] = Counter((ids[neighbors[k]], weights[k] if weights else 1.0) for k in row)
    return result


def expected_arcs(ref: nx.MultiDiGraph | nx.MultiGraph, direction: str) -> dict:
    """The same from networkx; an undirected edge is an arc at each end (a self-loop twice)."""
    result = {node: Counter() for node in ref.nodes}
    for u, v, data in ref.edges(data=True):
        w = data.get("weight", 1.0)
        if ref.is_directed():
            tail, head = (u, v) if direction == "out" else (v, u)
            result[tail][(head, w)] += 1
        else:
            result[u][(v, w)] += 1
            result[v][(u, w)] += 1
    return result


def check_against_networkx(graph: Graph, ref, int_ids: bool) -> None:
    assert graph.edge_count == ref.number_of_edges()
    assert graph.node_count == ref.number_of_nodes()
    assert graph.directed == ref.is_directed()
    expected_order = sorted(ref.nodes) if int_ids else list(ref.nodes)
    assert graph.node_ids() == expected_order
    for direction in ("out", "in"):
        assert arcs(graph, direction) == expected_arcs(ref, direction)
    if not ref.is_directed():
        offsets, _, _ = graph.csr("out")
        for v, node in enumerate(graph.node_ids()):
            assert offsets[v + 1] - offsets[v] == ref.degree(node)
    for v, node in enumerate(graph.node_ids()):
        assert graph.find_node(str(node)) == v


# name, file text, undirected, networkx read_edgelist arguments, integer ids
CASES = [
    ("spaces.el", "1 2\n2   3\n  3 1  \n1 2\n", False, {}, True),
    ("comma.csv", "1,2\n2 , 3\n3,  1\n", False, {"delimiter": ","}, True),
    ("tabs.tsv", "10\t20\n20\t30\n30\t10\n10\t10\n", False, {"delimiter": "\t"}, True),
    ("weighted.wel", "1 2 0.5\n2 3 -1e3\n3 1 inf\n1 2 7\n", False,
     {"data": [("weight", float)]}, True),
    ("comments.el", "# head\n1 2 # tail\n\n# mid\n2 3\n", False, {}, True),
    ("percent.el", "% head\n1 2 % tail\n2 3\n", False, {"comments": "%"}, True),
    ("plain.txt", "4 5\n5 6\n", False, {}, True),
    ("weighted3.wel", "a b 1.5\nb c 2\nc a -3\n", False, {"data": [("weight", float)]}, False),
    ("wel.wel.gz", "1 2 0.25\n2 1 4\n", True, {"data": [("weight", float)]}, True),
    ("tabs_w.tsv", "x\ty\t1e-3\ny\tz\t2\n", False, {"delimiter": "\t", "data": [("weight", float)]}, False),
    ("crlf.el", "1 2\r\n2 3\r\n3 1\r\n", False, {}, True),
    ("names.el", "bob alice\nalice carol\ncarol bob\ndave bob\n", False, {}, False),
    ("mixed_names.el", "5 3\n3 x\nx 5\n", False, {}, False),
    ("zeros.el", "007 7\n7 8\n", False, {}, True),
    ("sparse.el", "9000000000000000000 3\n3 123456789012\n", False, {}, True),
    ("gzipped.el.gz", "1 2 1.5\n2 3 2.5\n3 3 3.5\n", False, {"data": [("weight", float)]}, True),
    ("undirected.el", "1 2\n2 2\n1 2\n2 3\n3 3\n", True, {}, True),
    ("undirected_w.el", "a b 1\nb b 2\na b 3\n", True, {"data": [("weight", float)]}, False),
]


@pytest.mark.parametrize("name,text,undirected,nx_args,int_ids", CASES, ids=[c[0] for c in CASES])
def test_matches_networkx(tmp_path, name, text, undirected, nx_args, int_ids):
    path = write(tmp_path, name, text)
    graph = load_graph(path, undirected=undirected)
    ref = nx.read_edgelist(path, create_using=nx.MultiGraph if undirected else nx.MultiDiGraph,
                           nodetype=int if int_ids else None,
                           **{"data": False, **nx_args})
    check_against_networkx(graph, ref, int_ids)
    assert graph.weighted == ("data" in nx_args)


def test_random_files_match_networkx(tmp_path):
    rng = random.Random(7)
    for trial in range(6):
        names = trial % 2 == 1
        span = rng.choice([5, 50, 10**12])
        lines = []
        for _ in range(rng.randrange(1, 400)):
            u, v = rng.randrange(span), rng.randrange(span)
            a, b = (f"n{u}", f"n{v}") if names else (str(u), str(v))
            lines.append(f"{a}{rng.choice([' ', '  ', chr(9)])}{b}")
        path = write(tmp_path, f"r{trial}.el", "\n".join(lines) + "\n")
        undirected = trial >= 3
        graph = load_graph(path, undirected=undirected)
        ref = nx.read_edgelist(path, create_using=nx.MultiGraph if undirected else nx.MultiDiGraph,
                               nodetype=None if names else int, data=False)
        check_against_networkx(graph, ref, not names)


def test_karate_is_bundled():
    graph = load_graph(default_graph_path(), undirected=True)
    ref = nx.karate_club_graph()
    assert graph.node_count == 34 and graph.edge_count == 78
    assert graph.node_ids() == list(range(34))
    offsets, neighbors, _ = graph.csr("out")
    for v in range(34):
        assert sorted(neighbors[offsets[v]:offsets[v + 1]]) == sorted(ref.neighbors(v))


# text, line, col, message
MALFORMED = [
    ("1 2\n3 4 5 6\n", 2, 7, "expected 2 or 3 columns, found 4"),
    ("1 2\n3\n", 2, 2, "expected 2 or 3 columns, found 1"),
    ("a b c d e\n", 1, 7, "expected 2 or 3 columns, found 5"),
    ("1 2\n1 2 3\n", 2, 5, "line has 3 columns but earlier lines have 2"),
    ("# w\n1 2 3\n4 5\n", 3, 4, "line has 2 columns but earlier lines have 3 (line 2)"),
    ("1 2 abc\n", 1, 5, "invalid weight 'abc'"),
    ("1 2 0.5\n1 2 1,5\n", 2, 7, "expected 2 or 3 columns, found 4"),
    ("1 2 1.5.2\n", 1, 5, "invalid weight '1.5.2'"),
    ("1 2 --1\n", 1, 5, "invalid weight '--1'"),
    ("1 2 NaN\n", 1, 5, "weight 'NaN' is NaN"),
    ("1 2 1\n3 4 nan\n", 2, 5, "weight 'nan' is NaN"),
    ("1,,2\n", 1, 3, "empty target column"),
    (",1,2\n", 1, 1, "empty source column"),
    ("1,2,\n", 1, 5, "empty weight column"),
    ("1 ,, 2\n3 4\n", 1, 4, "empty column before ','"),   # blank-separated: commas between blanks
    ("1 2\n3 ,\n", 2, 3, "empty column after ','"),
    ("# only comments\n\n", 2, 1, "no edges in file"),
    ("", 1, 1, "no edges in file"),
    ("1 2\n3\x004\n", 2, 2, "NUL byte"),
    ("1 2 x\n1 2 3 4\n", 1, 5, "invalid weight 'x'"),   # the first error wins
    ("é b\nc d e f\n", 2, 7, "expected 2 or 3 columns, found 4"),
    ("é ü 1\né ü x\n", 2, 5, "invalid weight 'x'"),   # columns count characters, not bytes
]


@pytest.mark.parametrize("text,line,col,message", MALFORMED)
def test_malformed(tmp_path, text, line, col, message):
    path = write(tmp_path, "bad.el", text)
    with pytest.raises(GraphbuildError) as info:
        load_graph(path)
    err = info.value
    assert err.kind is ErrorKind.PROGRAM
    assert message in err.message
    assert (err.location.path, err.location.line, err.location.col) == (path, line, col)
    lines = text.split("\n")
    if line <= len(lines) and text:
        assert err.location.source_line == lines[line - 1]
    assert f"{path}:{line}:{col}: error:" in err.render()


def test_malformed_gzip_shows_line(tmp_path):
    path = write(tmp_path, "bad.el.gz", "1 2\r\n3 4 x\r\n")
    with pytest.raises(GraphbuildError) as info:
        load_graph(path)
    loc = info.value.location
    assert (loc.line, loc.col, loc.source_line) == (2, 5, "3 4 x")


def test_missing_and_unreadable(tmp_path):
    with pytest.raises(GraphbuildError) as info:
        load_graph(str(tmp_path / "nope.el"))
    assert info.value.kind is ErrorKind.MISSING and "nope.el" in info.value.message
    with pytest.raises(GraphbuildError) as info:
        load_graph(str(tmp_path))
    assert info.value.kind is ErrorKind.IO and "Is a directory" in info.value.message
    data = gzip.compress(b"".join(b"%d %d\n" % (i, i * 7 % 1000) for i in range(20000)))
    path = write(tmp_path, "cut.el", data[:len(data) // 2])
    with pytest.raises(GraphbuildError) as info:
        load_graph(path)
    assert info.value.kind is ErrorKind.IO and "truncated" in info.value.message


def load_from_pipe(data: bytes) -> Graph:
    """load_graph on /dev/fd/N of a pipe a thread writes into: no seeking, one pass."""
    read_end, write_end = os.pipe()

    def feed():
        with os.fdopen(write_end, "wb") as f:
            f.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        return load_graph(f"/dev/fd/{read_end}")
    finally:
        writer.join()
        os.close(read_end)


def test_pipes():
    text = b"".join(b"%d %d\n" % (i, (i * 7) % 5000) for i in range(50000))
    for data in (text, gzip.compress(text)):
        graph = load_from_pipe(data)
        assert (graph.node_count, graph.edge_count) == (50000, 50000)
    # Names after integers are re-interned in memory, without reading the pipe again...
    assert load_from_pipe(b"1 2\n2 x\n").node_ids() == ["1", "2", "x"]
    # ...unless an integer had leading zeros, whose spelling only the file still has.
    with pytest.raises(GraphbuildError) as info:
        load_from_pipe(b"01 2\n2 x\n")
    assert info.value.kind is ErrorKind.IO and "not a regular file" in info.value.message


def test_find_node(tmp_path):
    graph = load_graph(write(tmp_path, "a.el", "10 20\n20 30\n"))
    assert graph.find_node("30") == 2
    assert graph.find_node("030") == 2
    for token in ("40", "x", "-10", "+10", "1\x000"):
        with pytest.raises(GraphbuildError) as info:
            graph.find_node(token)
        assert info.value.kind is ErrorKind.USAGE
        assert f"node '{token}' is not in the graph" == info.value.message
    named = load_graph(write(tmp_path, "b.el", "zoë 10\n10 ölaf\n"))
    assert named.node_ids() == ["zoë", "10", "ölaf"]
    assert named.find_node("ölaf") == 2 and named.find_node("10") == 1


def test_from_edges():
    graph = Graph.from_edges(4, [(0, 1), (2, 0), (0, 1), (3, 3)], weights=[1.0, 2.0, 3.0, 4.0])
    assert (graph.node_count, graph.edge_count, graph.directed, graph.weighted) == (4, 4, True, True)
    assert graph.csr("out") == ([0, 2, 2, 3, 4], [1, 1, 0, 3], [1.0, 3.0, 2.0, 4.0])
    assert graph.csr("in") == ([0, 1, 3, 3, 4], [2, 0, 0, 3], [2.0, 1.0, 3.0, 4.0])
    assert graph.node_ids() == [0, 1, 2, 3]
    assert graph.find_node("2") == 2

    undirected = Graph.from_edges(3, [(0, 1), (1, 1)], directed=False, ids=["a", "b", "c"])
    assert undirected.csr("out") == ([0, 1, 4, 4], [1, 0, 1, 1], None)
    assert undirected.csr("in") == undirected.csr("out")
    assert undirected.node_ids() == ["a", "b", "c"]
    assert undirected.find_node("c") == 2
    with pytest.raises(GraphbuildError):
        undirected.find_node("2")

    for bad in (lambda: Graph.from_edges(2, [(0, 2)]),
                lambda: Graph.from_edges(2, [(0, 1)], weights=[1.0, 2.0]),
                lambda: Graph.from_edges(2, [(0, 1)], ids=[5])):
        with pytest.raises(GraphbuildError) as info:
            bad()
        assert info.value.kind is ErrorKind.USAGE
    empty = Graph.from_edges(0, [])
    assert empty.node_ids() == [] and empty.csr("out") == ([0], [], None)
    with pytest.raises(GraphbuildError):
        graph.csr("both")


def test_error_deep_in_a_big_file_shows_its_line(tmp_path):
    lines = [f"{i} {i + 1}" for i in range(300_000)] + ["7 8 9 10"]
    for name, data in (("deep.el", "\n".join(lines) + "\n"), ("deep.el.gz", "\r\n".join(lines) + "\r\n")):
        path = write(tmp_path, name, data)
        with pytest.raises(GraphbuildError) as info:
            load_graph(path)
        loc = info.value.location
        assert (loc.line, loc.col, loc.source_line) == (300_001, 7, "7 8 9 10")
