"""CSV and TSV files as people write them (issue 16.1): each file is written by pandas or
networkx, read back by pandas + networkx and by graphbuild, and the two must agree on the
nodes, the edge set (with weights) and degree centrality.  Then the options' errors, what
was guessed, and that the options reach the graph cache key, the Python API and the CLI."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import networkx as nx
import pandas as pd
import pytest

import graphbuild
import graphbuild as gb
from graphbuild.errors import GraphbuildError
from graphbuild.runtime.graph import LoadOptions, load_graph
from graphbuild.runtime.graph_cache import GraphCache, open_graph

SAME_PACKAGE = {"PYTHONSAFEPATH": "1",
                "PYTHONPATH": str(pathlib.Path(graphbuild.__file__).resolve().parents[1])}

PEOPLE = ["Evelyn Jefferson", "Smith, J.", 'Ann "Nan" Lee', "O'Brien", "Ruth  DeSand", "C#", "50% off",
          "Zoë Ó", "Pearl Oglethorpe"]


def people_frame(weighted: bool) -> pd.DataFrame:
    """Edges among names with blanks, commas, quotes, '#' and '%', and non-ASCII letters."""
    rows = [(PEOPLE[i], PEOPLE[(i * 5 + 3) % len(PEOPLE)]) for i in range(len(PEOPLE))]
    rows += [(PEOPLE[i], PEOPLE[(i + 1) % len(PEOPLE)]) for i in range(0, len(PEOPLE), 2)]
    seen: set[frozenset] = set()   # no self-loops, no pair twice (either way round)
    rows = [r for r in rows if r[0] != r[1] and not (frozenset(r) in seen or seen.add(frozenset(r)))]
    frame = pd.DataFrame(rows, columns=["source", "target"])
    if weighted:
        frame["weight"] = [0.5 + i / 4 for i in range(len(rows))]
    return frame


def davis_edgelist(path: pathlib.Path, delimiter: str) -> None:
    nx.write_edgelist(nx.davis_southern_women_graph(), path, delimiter=delimiter, data=False)


# Each case: how the file is written, graphbuild's options, pandas.read_csv's arguments
# and which of pandas' columns are source, target (and weight).
def _davis_csv(path):
    davis_edgelist(path, ",")


def _davis_tsv(path):
    davis_edgelist(path, "\t")


def _davis_header(path):
    frame = nx.to_pandas_edgelist(nx.davis_southern_women_graph(), source="woman", target="event")
    frame[["woman", "event"]].to_csv(path, index=False)


def _pandas_index(path):
    people_frame(True).to_csv(path)   # index column first, header ",source,target,weight"


def _pandas_plain(path):
    people_frame(True).to_csv(path, index=False)


def _tsv_header(path):
    people_frame(False).to_csv(path, sep="\t", index=False)


def _semicolons(path):
    people_frame(True).to_csv(path, sep=";", index=False, lineterminator="\r\n")


def _wide(path):
    frame = people_frame(True)
    frame.insert(1, "note", "x, y")
    frame["year"] = 2024
    frame.to_csv(path, index=False)


CASES = [
    # name, writer, graphbuild options, read_csv arguments, pandas columns
    ("davis.csv", _davis_csv, {}, {"header": None}, (0, 1)),
    ("davis.el", _davis_csv, {}, {"header": None}, (0, 1)),           # commas in a .el file
    ("davis.txt", _davis_tsv, {}, {"header": None, "sep": "\t"}, (0, 1)),   # tabs, guessed
    ("davis.tsv", _davis_tsv, {}, {"header": None, "sep": "\t"}, (0, 1)),
    ("davis_header.csv", _davis_header, {}, {}, ("woman", "event")),  # a header of words
    ("index.csv", _pandas_index, {"columns": "source,target,weight"}, {"index_col": 0},
     ("source", "target", "weight")),
    ("index_numbers.csv", _pandas_index, {"columns": "2,3,4"}, {"index_col": 0},
     ("source", "target", "weight")),
    ("quoted.csv", _pandas_plain, {}, {}, ("source", "target", "weight")),
    ("header.tsv", _tsv_header, {}, {"sep": "\t"}, ("source", "target")),
    ("semicolons.txt", _semicolons, {"delimiter": ";", "header": True}, {"sep": ";"},
     ("source", "target", "weight")),
    ("wide.csv", _wide, {"columns": ["target", "source", "weight"]}, {},
     ("target", "source", "weight")),
]


def reference(path: pathlib.Path, read_csv: dict, columns: tuple, directed: bool) -> nx.Graph:
    frame = pd.read_csv(path, keep_default_na=False, dtype={c: str for c in columns[:2]}
                        if isinstance(columns[0], str) else str, **read_csv)
    src, dst = columns[0], columns[1]
    attr = ["weight"] if len(columns) == 3 else None
    if attr:
        frame = frame.rename(columns={columns[2]: "weight"})
        frame["weight"] = frame["weight"].astype(float)
    return nx.from_pandas_edgelist(frame, src, dst, edge_attr=attr,
                                   create_using=nx.DiGraph if directed else nx.Graph)


DEGREE_CENTRALITY = gb.compile("degree_centrality", cache=False)


def edges_of(graph) -> dict:
    """{(u, v): weight or None} by id; an undirected edge keyed by both orders."""
    ids = graph.node_ids()
    offsets, neighbors, weights = graph.csr("out")
    found = {}
    for v in range(graph.node_count):
        for k in range(offsets[v], offsets[v + 1]):
            found[(str(ids[v]), str(ids[neighbors[k]]))] = weights[k] if weights else None
    return found


@pytest.mark.parametrize("name,writer,options,read_csv,columns", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("directed", [True, False])
def test_real_world_files_read_as_pandas_and_networkx_read_them(tmp_path, name, writer, options,
                                                                 read_csv, columns, directed):
    path = tmp_path / name
    writer(path)
    ref = reference(path, read_csv, columns, directed)
    graph = load_graph(path, options=LoadOptions(undirected=not directed, **options))
    assert graph.node_count == ref.number_of_nodes()
    assert sorted(map(str, graph.node_ids())) == sorted(map(str, ref.nodes))
    assert graph.edge_count == ref.number_of_edges()
    expected = {}
    for u, v, data in ref.edges(data=True):
        pairs = [(u, v)] if directed else [(u, v), (v, u)]
        for pair in pairs:
            expected[(str(pair[0]), str(pair[1]))] = data.get("weight")
    assert edges_of(graph) == expected
    result = DEGREE_CENTRALITY.run(gb.Graph.coerce(graph))
    mine = dict(zip(map(str, result.ids), result["centrality"]))
    theirs = nx.degree_centrality(ref)
    assert mine == pytest.approx({str(k): v for k, v in theirs.items()})


def test_davis_names_keep_their_blanks_and_the_order_of_appearance(tmp_path):
    path = tmp_path / "davis.csv"
    davis_edgelist(path, ",")
    graph = load_graph(path, undirected=True)
    assert graph.node_ids()[0] == "Evelyn Jefferson"
    assert graph.stats["delimiter"] == "," and not graph.stats["delimiter_guessed"]   # from .csv
    renamed = tmp_path / "davis.el"
    renamed.write_bytes(path.read_bytes())
    assert load_graph(renamed).stats["delimiter_guessed"]


# ---- the header rule ----------------------------------------------------------------------

HEADER_CASES = [
    # text, header option, edges expected (as "u v" lines, in order), guess
    ("woman,event\nEvelyn Jefferson,E1\nLaura Mandeville,E1\n", None,
     ["Evelyn Jefferson E1", "Laura Mandeville E1"], "header"),
    ("woman,event\nEvelyn Jefferson,E1\n", False, ["woman event", "Evelyn Jefferson E1"], None),
    ("a,b\nb,c\n", None, ["a b", "b c"], "edge"),                  # b again: an edge
    ("x1,x2\nx3,x4\n", None, ["x1 x2", "x3 x4"], "edge"),          # digits: ids
    ("1,2\n2,3\n", True, ["2 3"], None),
    ("from,to\n1,2\n", None, ["1 2"], "header"),
]


@pytest.mark.parametrize("text,header,edges,guess", HEADER_CASES)
def test_the_header_is_given_or_guessed_and_the_guess_is_said(tmp_path, text, header, edges, guess):
    path = tmp_path / "h.csv"
    path.write_text(text)
    graph = load_graph(path, options=LoadOptions(header=header))
    ids = graph.node_ids()
    offsets, neighbors, _ = graph.csr("out")
    got = sorted(f"{ids[v]} {ids[neighbors[k]]}" for v in range(graph.node_count)
                 for k in range(offsets[v], offsets[v + 1]))
    assert got == sorted(edges)
    assert graph.stats["header_guess"] == guess
    if guess == "edge":   # the first line's names are the first nodes, as networkx has them
        assert ids[:2] == edges[0].split(" ")


def test_quoting_follows_rfc_4180(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('"Smith, J.",x\n"say ""hi""" , "y"\r\n  plain  ,"with\ttab"\n')
    graph = load_graph(path, options=LoadOptions(header=False))
    assert graph.node_ids() == ["Smith, J.", "x", 'say "hi"', "y", "plain", "with\ttab"]


def test_whitespace_separated_files_keep_their_rules(tmp_path):
    path = tmp_path / "w.el"
    path.write_text("# c\n1 2 # tail\n2\t3\n3 , 1\n")
    graph = load_graph(path)
    assert graph.stats["delimiter"] == " " and not graph.stats["delimiter_guessed"]
    assert graph.edge_count == 3 and graph.node_ids() == [1, 2, 3]


@pytest.mark.parametrize("options,words", [
    ({"columns": "1"}, "SOURCE,TARGET or SOURCE,TARGET,WEIGHT"),
    ({"columns": "0,2"}, "invalid column 0"),
    ({"columns": "a,a"}, "names a column twice"),
    ({"columns": "a,b", "header": False}, "needs a header line"),
    ({"delimiter": "ab"}, "invalid delimiter"),
    ({"delimiter": '"'}, "invalid delimiter"),
    ({"header": "yes"}, "header must be True, False or None"),
])
def test_bad_options_are_usage_errors(options, words):
    with pytest.raises(GraphbuildError) as info:
        LoadOptions(**options)
    assert words in str(info.value) and info.value.kind.name == "USAGE"


def test_columns_reach_the_graph_cache_key_and_the_python_api(tmp_path):
    path = tmp_path / "p.csv"
    people_frame(True).to_csv(path)
    cache = GraphCache(tmp_path / "cache", min_bytes=0)
    forward, backward = LoadOptions(columns="2,3"), LoadOptions(columns="3,2")
    assert cache.file_key(str(path), forward) != cache.file_key(str(path), backward)
    assert cache.file_key(str(path), LoadOptions()) != cache.file_key(str(path), LoadOptions(header=True))
    first = open_graph(path, forward, cache)
    second = open_graph(path, backward, cache)
    assert first.cache_status == second.cache_status == "stored"
    assert edges_of(first) == {(v, u): w for (u, v), w in edges_of(second).items()}
    again = open_graph(path, backward, cache)
    assert again.cache_status == "hit" and again.stats["delimiter"] == ","
    api = gb.Graph.load(str(path), columns=("source", "target", "weight"), cache=False)
    assert api.weighted and api.guessed == []
    guessing = tmp_path / "g.el"
    guessing.write_text("woman,event\nEvelyn Jefferson,E1\n")
    assert gb.Graph.load(str(guessing), cache=False).guessed == [
        "comma-separated (--delimiter sets it)", "line 1 is a header (--no-header reads it as an edge)"]


def gb_cli(*args: str, cache: pathlib.Path):
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), **SAME_PACKAGE}
    return subprocess.run([sys.executable, "-m", "graphbuild", *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=cache.parent)


def test_the_cli_takes_the_options_and_says_what_it_guessed(tmp_path):
    cache = tmp_path / "cache"
    path = tmp_path / "davis.el"
    path.write_text("woman,event\n" + "".join(f"{u},{v}\n" for u, v in nx.davis_southern_women_graph().edges))
    info = gb_cli("graph", "info", str(path), "--json", cache=cache)
    report = json.loads(info.stdout)
    assert report["nodes"] == 32 and report["header_line"] == 1 and report["delimiter_guessed"]
    table = gb_cli("graph", "info", str(path), cache=cache).stdout
    assert "comma-separated" in table and "line 1 is a header" in table
    as_edge = json.loads(gb_cli("graph", "info", str(path), "--no-header", "--json", cache=cache).stdout)
    assert as_edge["nodes"] == 34
    run = gb_cli("run", "degree_centrality", "-g", str(path), "-u", cache=cache)
    assert run.returncode == 0, run.stderr
    assert "(32 nodes, 89 undirected edges; guessed: comma-separated" in run.stderr
    directed = gb_cli("run", "degree_centrality", "-g", str(path), "--header", "-d", ",", cache=cache)
    assert "(32 nodes, 89 directed edges)" in directed.stderr
    out = tmp_path / "out.el"
    converted = gb_cli("graph", "convert", str(path), str(out), "--columns", "2,1", cache=cache)
    assert converted.returncode == 0, converted.stderr
    bad = gb_cli("graph", "info", str(path), "--columns", "woman,nobody", cache=cache)
    assert bad.returncode == 65 and "no column named 'nobody' (the target column)" in bad.stderr
    usage = gb_cli("graph", "info", str(path), "--columns", "1", cache=cache)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_matrix_market_files_refuse_the_column_options(tmp_path):
    path = tmp_path / "m.mtx"
    path.write_text("%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 2\n")
    for options in ({"columns": "2,1"}, {"header": True}, {"delimiter": ","}):
        with pytest.raises(GraphbuildError, match="is a Matrix Market file: columns") as info:
            load_graph(path, options=LoadOptions(**options))
        assert info.value.kind.name == "USAGE"
    assert load_graph(path).node_ids() == [1, 2]
