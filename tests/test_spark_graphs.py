"""Graph input on the Spark engine: files read by Spark itself must give the graph the C loader
builds from the same file (node numbering, ids, arcs, weights, counts) under every loading
option, and malformed input one clear error with its line."""
from __future__ import annotations

import pytest
from graphs import ZOO, write_edge_list

from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.runtime.graph import LoadOptions, load_graph
from graphbuild.spark.graph import read_graph

FILE_ZOO = [g for g in ZOO if not g.isolated]


def c_graph(path, options: LoadOptions):
    return load_graph(path, options=options)


def c_arcs(graph) -> list[tuple]:
    offsets, neighbors, weights = graph.csr("out")
    return sorted((v, neighbors[j], weights[j] if weights is not None else 1.0)
                  for v in range(graph.node_count) for j in range(offsets[v], offsets[v + 1]))


def spark_arcs(g) -> list[tuple]:
    return sorted((r["src"], r["dst"], r["w"]) for r in g.arcs.collect())


def spark_ids(g) -> list:
    return [r["id"] for r in g.nodes.orderBy("_idx").collect()]


def assert_same_graph(spark_graph, c) -> None:
    assert spark_graph.node_count == c.node_count
    assert spark_graph.edge_count == c.edge_count
    assert spark_graph.directed == c.directed
    assert spark_ids(spark_graph) == c.node_ids()
    assert spark_arcs(spark_graph) == c_arcs(c)


@pytest.mark.parametrize("g", FILE_ZOO, ids=str)
def test_zoo_files_read_as_the_c_loader_reads_them(spark, tmp_path, g) -> None:
    path = write_edge_list(g, tmp_path)
    options = LoadOptions(undirected=not g.directed)
    assert_same_graph(read_graph(spark, str(path), options), c_graph(path, options))


MESSY = """\
# duplicates, self-loops and ids in no order
7 3 1.5
3 7 2.0
7 3 0.5
5 5 1.0
10 7 3.25
5 5 4.0
3 10 1.0
"""


@pytest.mark.parametrize("undirected, dedupe, no_self_loops, ids", [
    (False, False, False, "map"), (True, False, False, "map"), (False, True, False, "map"),
    (True, True, False, "map"), (False, False, True, "dense"), (True, True, True, "map"),
    (True, True, True, "dense"),
])
def test_loading_options_as_in_c(spark, tmp_path, undirected, dedupe, no_self_loops, ids) -> None:
    path = tmp_path / "messy.wel"
    path.write_text(MESSY)
    options = LoadOptions(undirected=undirected, dedupe=dedupe, no_self_loops=no_self_loops, ids=ids)
    assert_same_graph(read_graph(spark, str(path), options), c_graph(path, options))


def test_names_numbered_by_first_appearance_and_header_skipped(spark, tmp_path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("source,target,weight\nzoe, adam ,1.0\nadam,bob,2\n% a comment\nbob,zoe,0.25\n")
    options = LoadOptions()
    g = read_graph(spark, str(path), options)
    assert spark_ids(g) == ["zoe", "adam", "bob"]
    assert_same_graph(g, c_graph(path, options))


def test_two_column_header_over_integer_ids(spark, tmp_path) -> None:
    path = tmp_path / "h.el"
    path.write_text("from to\n10 2\n2 7\n")
    options = LoadOptions(undirected=True)
    assert_same_graph(read_graph(spark, str(path), options), c_graph(path, options))


def test_a_directory_of_csv_parts_written_by_spark(spark, tmp_path) -> None:
    rows = [(1, 2, 0.5), (2, 3, 1.5), (3, 1, 2.5), (4, 1, 1.0)]
    out = str(tmp_path / "edges.csv")
    spark.createDataFrame(rows, "src long, dst long, weight double").coalesce(2).write.csv(out)
    g = read_graph(spark, out, LoadOptions())
    text = tmp_path / "same.wel"
    text.write_text("".join(f"{a} {b} {w!r}\n" for a, b, w in rows))
    assert_same_graph(g, c_graph(text, LoadOptions()))


@pytest.mark.parametrize("undirected", [False, True])
def test_parquet_edges(spark, tmp_path, undirected) -> None:
    rows = [("b", "a", 2.0), ("a", "c", 0.5), ("c", "b", 1.0), ("d", "a", 4.0)]
    out = str(tmp_path / "edges.parquet")
    spark.createDataFrame(rows, "source string, target string, weight double").coalesce(1).write.parquet(out)
    text = tmp_path / "same.wel"
    text.write_text("".join(f"{a} {b} {w!r}\n" for a, b, w in rows))
    options = LoadOptions(undirected=undirected)
    assert_same_graph(read_graph(spark, out, options), c_graph(text, options))


def test_generated_graphs_match_the_generator(spark) -> None:
    from graphbuild.runtime.graph import generate_graph

    options = LoadOptions(dedupe=True, no_self_loops=True)
    g = read_graph(spark, "kron:6", options)
    assert_same_graph(g, generate_graph("kron:6", options))


@pytest.mark.parametrize("text, line, words", [
    ("1 2\n3 4 5\n", 2, "expected 2 columns, found 3"),
    ("1 2 0.5\n2 3 x\n", 2, "invalid weight 'x'"),
    ("1 2 0.5\n# c\n2 3 nan\n", 3, "weight 'nan' is NaN"),
    ("1 2 3 4\n", 1, "expected 2 or 3 columns, found 4"),
])
def test_malformed_files_name_the_line(spark, tmp_path, text, line, words) -> None:
    path = tmp_path / "bad.el"
    path.write_text(text)
    with pytest.raises(GraphbuildError) as info:
        read_graph(spark, str(path), LoadOptions())
    assert info.value.kind is ErrorKind.PROGRAM
    assert info.value.location.line == line and words in info.value.message


def test_missing_file_and_matrix_market(spark, tmp_path) -> None:
    with pytest.raises(GraphbuildError) as info:
        read_graph(spark, str(tmp_path / "nope.el"), LoadOptions())
    assert info.value.kind is ErrorKind.MISSING
    with pytest.raises(GraphbuildError) as info:
        read_graph(spark, str(tmp_path / "m.mtx"), LoadOptions())
    assert info.value.kind is ErrorKind.USAGE and "graph convert" in info.value.hint
