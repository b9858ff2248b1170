"""Output other tools read (issue 16.2): every format round-trips through pandas, values
checked against networkx; the top rows against a full sort; files whole or not at all."""
from __future__ import annotations

import io
import json
import math
import os

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from graphbuild.output import Rows, id_text, save_rows, top_indices
from graphbuild.runtime.graph import load_graph
from graphbuild.runtime.graph_io import write_graph

from test_cli import ALGORITHMS, assert_clean_failure, gb

EDGES = "alpha beta\nbeta gamma\ngamma alpha\ngamma delta\nepsilon delta\n"


def _networkx(path) -> nx.DiGraph:
    g = nx.DiGraph()
    for line in path.read_text().splitlines():
        u, v = line.split()
        g.add_edge(u, v)
    return g


def _frame(fmt: str, text: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    if fmt == "tsv":
        return pd.read_csv(io.StringIO(text), sep="\t", keep_default_na=False, na_values=[""])
    if fmt == "jsonl":
        return pd.read_json(io.StringIO(text), lines=True, precise_float=True)
    return pd.read_json(io.StringIO(json.dumps(json.loads(text)["columns"])), precise_float=True)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json"])
@pytest.mark.parametrize("to_stdout", [False, True])
def test_every_row_round_trips_through_pandas(tmp_path, fmt, to_stdout):
    edges = tmp_path / "g.el"
    edges.write_text(EDGES)
    cache = tmp_path / "cache"
    target = "-" if to_stdout else str(tmp_path / f"ranks.{fmt}")
    args = ["--format", fmt] if to_stdout else []
    proc = gb("run", "algorithms/pagerank.gdsl", "-g", str(edges), "--output", target, *args, cache=cache)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout if to_stdout else (tmp_path / f"ranks.{fmt}").read_text()
    frame = _frame(fmt, text)
    expected = nx.pagerank(_networkx(edges), alpha=0.85, tol=1e-12)
    assert list(frame.columns) == ["node", "rank"] and frame["rank"].dtype == np.float64
    assert sorted(frame["node"]) == sorted(expected)
    for node, rank in zip(frame["node"], frame["rank"]):
        assert rank == pytest.approx(expected[node], abs=1e-6)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_infinity_and_no_node_read_back_as_numbers(tmp_path, fmt):
    """sssp from alpha: epsilon is unreachable (inf); bfs's parent-less nodes."""
    edges = tmp_path / "g.el"
    edges.write_text(EDGES)
    out = tmp_path / f"dist.{fmt}"
    proc = gb("run", "algorithms/sssp.gdsl", "-g", str(edges), "-p", "source=alpha", "-o", str(out),
              cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    frame = _frame(fmt, out.read_text())
    assert frame["dist"].dtype == np.float64
    expected = nx.single_source_shortest_path_length(_networkx(edges), "alpha")
    got = dict(zip(frame["node"], frame["dist"]))
    for node in got:
        assert got[node] == (expected[node] if node in expected else math.inf)


def test_json_infinities_are_strings_pandas_reads_as_float(tmp_path):
    edges = tmp_path / "g.el"
    edges.write_text(EDGES)
    proc = gb("run", "algorithms/sssp.gdsl", "-g", str(edges), "-p", "source=alpha", "--json",
              cache=tmp_path / "cache")
    obj = json.loads(proc.stdout)   # strict JSON: no Infinity token
    assert "inf" in obj["columns"]["dist"]
    frame = pd.read_json(io.StringIO(json.dumps(obj["columns"])))
    assert frame["dist"].dtype == np.float64 and np.isinf(frame["dist"]).sum() == 1


def _rows(n: int, rng: np.random.Generator) -> Rows:
    values = rng.random(n) * 10.0 ** rng.integers(-300, 300, n)
    specials = [0.0, -0.0, 1.0, 3.0, -2.5, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308,
                0.1, 1e16, 123456789012345680.0]
    values[:len(specials)] = specials
    parent = rng.integers(-1, n, n)
    ids = np.array([f"n{i}" for i in range(n - 5)] + ['a,b', 'say "hi"', "tab\there", "line\nbreak", " sp "],
                   dtype=object)
    return Rows("t", ids, {"x": values, "parent": parent, "flag": rng.random(n) < 0.5,
                           "count": rng.integers(-2**63, 2**63 - 1, n)},
                {"x": "float", "parent": "node", "flag": "bool", "count": "int"}, {"delta": 0.5})


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json"])
@pytest.mark.parametrize("threads", [1, 3])
def test_values_are_exact_in_every_format(tmp_path, fmt, threads, monkeypatch):
    import graphbuild.output as output

    monkeypatch.setattr(output, "CHUNK_ROWS", 97)   # many chunks, out of order on threads
    rows = _rows(1000, np.random.default_rng(7))
    path = tmp_path / f"r.{fmt}"
    save_rows(rows, str(path), threads=threads)
    text = path.read_text()
    if fmt.startswith("json"):   # exactness by Python's json (pandas' parser is not exact near
        # the smallest doubles); "inf", "-inf", "nan" strings read by float()
        objects = [json.loads(line) for line in text.splitlines()]
        frame = pd.DataFrame(objects if fmt == "jsonl" else objects[0]["columns"])
    else:
        frame = _frame(fmt, text)
    assert list(frame["node"]) == list(rows.ids)
    x = np.array([float(v) for v in frame["x"]])
    same = (x == rows.columns["x"]) | (np.isnan(x) & np.isnan(rows.columns["x"]))
    assert same.all() and np.array_equal(np.signbit(x), np.signbit(rows.columns["x"]))
    assert list(frame["count"]) == rows.columns["count"].tolist()
    assert [bool(v) for v in frame["flag"]] == rows.columns["flag"].tolist()
    parents = [rows.ids[p] if p >= 0 else None for p in rows.columns["parent"]]
    assert [None if (isinstance(v, float) and math.isnan(v)) or v is None else v
            for v in frame["parent"]] == parents


def test_non_utf8_ids_read_back_as_the_same_bytes(tmp_path):
    edges = tmp_path / "g.el"
    edges.write_bytes(b"caf\xe9 bob\nbob zo\xffe\n")
    out = tmp_path / "r.csv"
    proc = gb("run", "algorithms/bfs.gdsl", "-g", str(edges), "-p", "source=bob", "-o", str(out),
              cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out, encoding_errors="surrogateescape")   # the graph file's own bytes
    assert sorted(frame["node"]) == sorted(["caf\udce9", "bob", "zo\udcffe"])
    assert "caf\\xe9" in proc.stdout   # the table shows the byte as an escape
    assert id_text("caf\udce9") == "caf\\xe9" and id_text("café") == "café" and id_text(3) == 3


def test_top_indices_match_a_full_sort():
    rng = np.random.default_rng(3)
    for n, k in [(1, 1), (10, 3), (1000, 10), (1000, 1000), (500, 600)]:
        values = rng.integers(0, 20, n).astype(np.float64)   # many ties
        values[rng.random(n) < 0.1] = np.nan
        values[rng.random(n) < 0.05] = -np.inf
        expected = sorted(range(n), key=lambda i: (math.isnan(values[i]), -values[i] if not
                                                   math.isnan(values[i]) else 0, i))[:k]
        assert top_indices(values, k).tolist() == expected
    ids = np.array([50, 7, 9, 100], dtype=np.int64)
    assert top_indices(np.array([1, -1, 3, 0]), 4, ids).tolist() == [2, 3, 0, 1]   # by id, no node last


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    import graphbuild.output as output

    path = tmp_path / "r.csv"
    path.write_text("old\n")
    rows = _rows(300, np.random.default_rng(1))
    monkeypatch.setattr(output, "CHUNK_ROWS", 50)
    calls = []

    def failing(self, first, count):
        calls.append(first)
        if len(calls) > 2:
            raise OSError(28, "No space left on device")
        return b"x\n"

    monkeypatch.setattr(output._Cells, "format", failing)
    with pytest.raises(output.GraphbuildError, match="No space left"):
        save_rows(rows, str(path))
    assert path.read_text() == "old\n" and os.listdir(tmp_path) == ["r.csv"]


def test_table_on_a_pipe_is_plain_text_with_whole_ids(tmp_path):
    long_id = "a-node-with-a-very-long-identifier-" * 4
    edges = tmp_path / "g.el"
    edges.write_text(f"{long_id} b\nb c\n")
    proc = gb("run", "algorithms/pagerank.gdsl", "-g", str(edges), "--top", "3", cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    assert not any(c in proc.stdout for c in "│┃─━┌└…")
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["node", "rank"] and long_id in proc.stdout
    assert len([line for line in lines if line and not line.startswith(("node", "delta"))]) == 3


def test_format_needs_output_and_a_known_name(tmp_path):
    cache = tmp_path / "cache"
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "--format", "csv", cache=cache), 2, "--output")
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "-o", "-", "--format", "xml", cache=cache), 2,
                         "--format")


def test_compile_emit_plan_writes_the_output_file(tmp_path):
    cache = tmp_path / "cache"
    target = tmp_path / "bfs.plan.txt"
    printed = gb("compile", "algorithms/bfs.gdsl", "--emit", "plan", cache=cache)
    written = gb("compile", "algorithms/bfs.gdsl", "--emit", "plan", "-o", str(target), cache=cache)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "" and target.read_text() == printed.stdout.rstrip("\n") + "\n"
    plan_file = tmp_path / "bfs.plan.json"
    assert gb("compile", "algorithms/bfs.gdsl", "-o", str(plan_file), cache=cache).returncode == 0
    assert json.loads(plan_file.read_text())["plan"]["algorithm"] == "bfs"
    assert (ALGORITHMS / "bfs.gdsl").exists()


@pytest.mark.parametrize("suffix,sep", [(".csv", ","), (".tsv", "\t"), (".csv.gz", ",")])
def test_graph_convert_writes_a_table_pandas_reads(tmp_path, suffix, sep):
    """Weighted, with ids that need RFC 4180 quoting (a double quote) and ones that do not."""
    edges = [("plain", 'say"hi"', 0.5), ('say"hi"', "semi;colon", 1.0), ("semi;colon", "x", 2.25),
             ("x", "plain", 1e-9), ("plain", "x", 7.0)]
    source = tmp_path / "g.wel"
    source.write_text("".join(f"{u} {v} {w!r}\n" for u, v, w in edges))
    g = load_graph(str(source))
    path = tmp_path / f"g{suffix}"
    write_graph(g, path)
    frame = pd.read_csv(path, sep=sep)
    assert list(frame.columns) == ["source", "target", "weight"]
    assert sorted(zip(frame["source"], frame["target"], frame["weight"])) == sorted(edges)


def test_graph_convert_cli_el_to_csv(tmp_path):
    source = tmp_path / "g.el"
    source.write_text("1 2\n2 3\n3 1\n")
    target = tmp_path / "g.csv"
    proc = gb("graph", "convert", str(source), str(target), cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(target)
    assert list(frame.columns) == ["source", "target"]
    assert sorted(zip(frame["source"], frame["target"])) == [(1, 2), (2, 3), (3, 1)]
