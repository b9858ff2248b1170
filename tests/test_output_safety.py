"""Issue 17.6: `--output` never destroys what was there.  A result file is written into a
temporary file and renamed over the target once complete; node ids that are not valid UTF-8
are written as the graph file's own bytes in CSV/TSV and as \\udcXX escapes in JSON."""
from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from test_cli import gb

from graphbuild.errors import GraphbuildError
from graphbuild.output import Rows, save_rows
from graphbuild.runtime import Result

EDGES = b"a\xff b\nb c\xfe\nc\xfe a\xff\nb d\n"


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def reference_ranks() -> dict[bytes, float]:
    g = nx.DiGraph()
    for line in EDGES.splitlines():
        u, v = line.split()
        g.add_edge(u, v)
    return nx.pagerank(g, alpha=0.85, tol=1e-12)


@pytest.mark.parametrize("suffix, delimiter", [(".csv", ","), (".tsv", "\t")])
def test_non_utf8_ids_are_written_as_their_bytes_over_an_existing_file(tmp_path, cache, suffix, delimiter):
    graph = tmp_path / "bytes.el"
    graph.write_bytes(EDGES)
    target = tmp_path / f"prev{suffix}"
    target.write_text("previous,content\n")
    # --json: stdout stays ASCII (the table would show the ids' bytes as they are)
    proc = gb("run", "algorithms/pagerank.gdsl", "-g", str(graph), "--output", str(target), "--json",
              cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
    text = target.read_bytes().decode("utf-8", "surrogateescape")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0] == ["node", "rank"]
    got = {row[0].encode("utf-8", "surrogateescape"): float(row[1]) for row in rows[1:]}
    want = reference_ranks()
    assert set(got) == set(want)
    for node, rank in want.items():
        assert got[node] == pytest.approx(rank, abs=1e-6)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_non_utf8_ids_in_json_are_escapes(tmp_path, cache):
    graph = tmp_path / "bytes.el"
    graph.write_bytes(EDGES)
    target = tmp_path / "out.jsonl"
    proc = gb("run", "algorithms/pagerank.gdsl", "-g", str(graph), "--output", str(target), "--json",
              cache=cache)
    assert proc.returncode == 0, proc.stderr
    target.read_bytes().decode("ascii")   # ensure_ascii: every byte ASCII
    lines = target.read_text().splitlines()
    nodes = {json.loads(line)["node"].encode("utf-8", "surrogateescape") for line in lines}
    assert nodes == set(reference_ranks())


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    target = tmp_path / "prev.csv"
    target.write_text("previous,content\n")
    # a lone surrogate that no graph file gives (only ids handed in from Python)
    result = Result("r", {"node": ["ok", "bad\ud800"], "rank": [0.5, 0.5]}, {},
                    {"node": "node", "rank": "float"})
    with pytest.raises(GraphbuildError, match="no UTF-8 form"):
        save_rows(Rows.from_result(result), str(target))
    assert target.read_text() == "previous,content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prev.csv"]


def test_output_through_a_symbolic_link_replaces_the_file_it_names(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    save_rows(Rows.from_result(Result("r", {"node": [1], "x": [2.0]}, {}, {"node": "node", "x": "float"})),
              str(link))
    assert link.is_symlink() and real.read_text() == "node,x\n1,2.0\n"
