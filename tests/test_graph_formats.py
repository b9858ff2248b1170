"""Matrix Market files checked edge by edge against scipy's reading of them; header lines;
--ids dense; the self-loop and duplicate policies, against networkx's simple graphs."""
from __future__ import annotations

import gzip
import random

import networkx as nx
import pytest

from graphbuild.runtime.graph import LoadOptions, load_graph
from test_graph import check_against_networkx, write

# ---- Matrix Market --------------------------------------------------------------------

def mtx_reference(path: str):
    """networkx graph of what scipy reads: nodes 1..n, entry (i, j, v) an edge i -> j."""
    import scipy.io

    matrix = scipy.io.mmread(path)
    with open(path, "rb") as f:
        head = (gzip.decompress(f.read()) if path.endswith(".gz") else f.read()).split(b"\n", 1)[0]
    symmetric = b"symmetric" in head.lower()
    ref = nx.MultiGraph() if symmetric else nx.MultiDiGraph()
    ref.add_nodes_from(range(1, matrix.shape[0] + 1))
    pattern = b"pattern" in head.lower()
    for i, j, v in zip(matrix.row, matrix.col, matrix.data):
        if symmetric and i < j:
            continue   # scipy adds the mirror of each off-diagonal entry
        ref.add_edge(int(i) + 1, int(j) + 1, **({} if pattern else {"weight": float(v)}))
    return ref


MTX_CASES = [
    ("pattern.mtx", "%%MatrixMarket matrix coordinate pattern general\n% c\n4 4 3\n1 2\n2 3\n3 1\n"),
    ("real.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 2 0.5\n2 3 -2\n3 3 1e3\n1 2 7\n"),
    ("int.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 -4\n2 1 9\n"),
    ("sym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n5 5 4\n2 1 0.5\n3 3 2\n4 2 1\n2 1 3\n"),
    ("sym_pattern.mtx.gz", "%%MatrixMarket matrix coordinate pattern symmetric\n%\n\n3 3 2\n2 1\n3 2\n"),
    ("CRLF.MTX", "%%MatrixMarket MATRIX Coordinate Pattern General\r\n2 2 1\r\n2 1\r\n"),
]


@pytest.mark.parametrize("name,text", MTX_CASES, ids=[c[0] for c in MTX_CASES])
def test_matrix_market_matches_scipy(tmp_path, name, text):
    path = write(tmp_path, name, text)
    graph = load_graph(path)
    ref = mtx_reference(path)
    check_against_networkx(graph, ref, int_ids=True)
    assert graph.weighted == ("pattern" not in text.lower().split("\n")[0])
    assert graph.stats["format"] == "mtx"


def test_matrix_market_keeps_isolated_nodes_and_ignores_the_suffix(tmp_path):
    text = "%%MatrixMarket matrix coordinate pattern general\n6 6 1\n6 1\n"
    graph = load_graph(write(tmp_path, "really_mtx.el", text))
    assert graph.node_ids() == [1, 2, 3, 4, 5, 6] and graph.csr("out")[0] == [0, 0, 0, 0, 0, 0, 1]
    # --undirected on a general matrix symmetrizes; a symmetric one is undirected anyway
    assert not load_graph(write(tmp_path, "g.mtx", text), undirected=True).directed


# ---- header lines -------------------------------------------------------------------

# text, undirected, expected edges (as written in the file, without the header), header line
HEADERS = [
    ("source,target,weight\n1,2,0.5\n2,3,1\n", False, "1 2 0.5\n2 3 1\n", 1),
    ("# comment\nfrom to\n5 6\n6 7\n", False, "5 6\n6 7\n", 2),
    ("src dst w\nalice bob 1\nbob carol 2\n", False, "alice bob 1\nbob carol 2\n", 1),
    ("src dst\nalice bob\n", False, "alice bob\n", 1),          # words not seen again: a header
    ("src dst\n1 2\n2 x\n", False, "1 2\n2 x\n", 1),          # a later word id, src/dst unseen
    ("alice bob\nbob carol\n", False, "alice bob\nbob carol\n", 0),   # bob again: data
    ("n1 n2\nn3 n4\n", False, "n1 n2\nn3 n4\n", 0),                 # digits: ids, not a header
    ("a b\n", False, "a b\n", 0),                                       # alone: an edge
    ("1 2\nsrc dst\n", False, "1 2\nsrc dst\n", 0),                    # not the first line
    ("u v weight\n1 2 3\n", True, "1 2 3\n", 1),
]


@pytest.mark.parametrize("text,undirected,data,header_line", HEADERS)
def test_header_lines(tmp_path, text, undirected, data, header_line):
    graph = load_graph(write(tmp_path, "h.el", text), undirected=undirected)
    assert graph.stats["header_line"] == header_line
    expected = load_graph(write(tmp_path, "plain.el", data), undirected=undirected)
    assert graph.node_ids() == expected.node_ids()
    for direction in ("out", "in"):
        assert graph.csr(direction) == expected.csr(direction)


# ---- policies -------------------------------------------------------------------------

POLICY_TEXT = "1 2 0.5\n2 2 1\n1 2 2\n2 1 3\n2 2 4\n3 1 5\n"


def policy_graph(tmp_path, **options):
    return load_graph(write(tmp_path, "p.wel", POLICY_TEXT), options=LoadOptions(**options))


def test_self_loops_and_duplicates_are_counted_and_kept_by_default(tmp_path):
    graph = policy_graph(tmp_path)
    assert graph.edge_count == 6
    stats = graph.stats
    assert (stats["self_loops"], stats["duplicates"]) == (2, 2)   # (2,2) twice, (1,2) twice
    assert stats["self_loops_dropped"] == stats["duplicates_dropped"] == 0
    undirected = policy_graph(tmp_path, undirected=True)
    assert undirected.stats["duplicates"] == 3   # 2-1 repeats 1-2 either way round


def test_dedupe_keeps_the_first_edge_with_its_weight(tmp_path):
    graph = policy_graph(tmp_path, dedupe=True)
    assert graph.edge_count == 4 and graph.stats["duplicates_dropped"] == 2
    assert graph.csr("out") == ([0, 1, 3, 4], [1, 1, 0, 0], [0.5, 1.0, 3.0, 5.0])
    assert graph.csr("in") == ([0, 2, 4, 4], [1, 2, 0, 1], [3.0, 5.0, 0.5, 1.0])
    undirected = policy_graph(tmp_path, undirected=True, dedupe=True)
    assert undirected.edge_count == 3
    assert undirected.csr("out") == ([0, 2, 5, 6], [1, 2, 0, 1, 1, 0], [0.5, 5.0, 0.5, 1.0, 1.0, 5.0])


def test_no_self_loops_and_both(tmp_path):
    graph = policy_graph(tmp_path, no_self_loops=True)
    assert graph.edge_count == 4 and graph.stats["self_loops_dropped"] == 2
    assert 1 not in graph.csr("out")[1][graph.csr("out")[0][1]:graph.csr("out")[0][2]]
    both = policy_graph(tmp_path, no_self_loops=True, dedupe=True)
    # the repeated self-loop is dropped once, as a self-loop, not again as a duplicate
    assert (both.edge_count, both.stats["self_loops_dropped"], both.stats["duplicates_dropped"]) == (3, 2, 1)


def test_policies_match_networkx_simple_graph(tmp_path):
    rng = random.Random(3)
    lines = [f"{rng.randrange(40)} {rng.randrange(40)}" for _ in range(600)]
    path = write(tmp_path, "r.el", "\n".join(lines) + "\n")
    for undirected in (False, True):
        options = LoadOptions(undirected=undirected, dedupe=True, no_self_loops=True)
        graph = load_graph(path, options=options)
        ref = nx.read_edgelist(path, create_using=nx.Graph if undirected else nx.DiGraph, nodetype=int)
        ref.remove_edges_from(list(nx.selfloop_edges(ref)))
        assert graph.edge_count == ref.number_of_edges()
        ids = graph.node_ids()
        offsets, neighbors, _ = graph.csr("out")
        got = {(ids[v], ids[u]) for v in range(len(ids)) for u in neighbors[offsets[v]:offsets[v + 1]]}
        want = set(ref.edges()) | ({(b, a) for a, b in ref.edges()} if undirected else set())
        assert got == want


def test_dense_ids(tmp_path):
    path = write(tmp_path, "d.el", "3 0\n0 5\n")
    graph = load_graph(path, options=LoadOptions(ids="dense"))
    assert graph.node_ids() == [0, 1, 2, 3, 4, 5]
    assert graph.csr("out") == ([0, 1, 1, 1, 2, 2, 2], [5, 0], None)
    assert graph.find_node("4") == 4
    mapped = load_graph(path)
    assert mapped.node_ids() == [0, 3, 5]
    header = load_graph(write(tmp_path, "dh.csv", "from,to\n2,1\n"), options=LoadOptions(ids="dense"))
    assert header.node_count == 3 and header.stats["header_line"] == 1
