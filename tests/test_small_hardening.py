"""Issue 17.9, the small ones: float parameters refuse NaN and infinities unless the program's
default says it means them; the --ids dense limit message for an id past 64 bits signed, and
hexadecimal weights, are in tests/test_graph_errors.py."""
from __future__ import annotations

import json
import math

import networkx as nx
import pytest
from test_cli import assert_clean_failure, gb

import graphbuild as gbapi


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


@pytest.mark.parametrize("value, shown", [("nan", "'nan'"), ("inf", "'inf'"), ("-Infinity", "(-inf)"),
                                          ("1e999", "(inf)")])
def test_non_finite_floats_are_refused_for_parameters(cache, value, shown):
    proc = gb("run", "algorithms/pagerank.gdsl", "-p", f"damping={value}", cache=cache)
    assert_clean_failure(proc, 2, "parameter 'damping' takes a finite number", shown)
    assert proc.stdout == ""


def test_the_python_api_refuses_them_too():
    g = gbapi.Graph.from_networkx(nx.path_graph(4))
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(gbapi.UsageError, match="takes a finite number"):
            gbapi.run("pagerank", g, tol=value)
    ranks = gbapi.run("pagerank", g, damping=0.5)   # a finite value still runs
    want = nx.pagerank(nx.path_graph(4), alpha=0.5, tol=1e-12)
    assert list(ranks["rank"]) == pytest.approx([want[v] for v in range(4)], abs=1e-9)


def test_a_default_of_inf_says_the_parameter_takes_infinities(cache, tmp_path):
    prog = tmp_path / "cap.gdsl"
    prog.write_text("algorithm cap(limit: float = inf):\n"
                    "    x = min(float(node_id()), limit)\n    return x\n")
    proc = gb("run", str(prog), "-p", "limit=-inf", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)["columns"]["x"]) == {"-inf"}
    proc = gb("run", str(prog), "-p", "limit=2", "--json", cache=cache)
    assert json.loads(proc.stdout)["columns"]["x"][:4] == [0.0, 1.0, 2.0, 2.0]
    # ... but not NaN
    assert_clean_failure(gb("run", str(prog), "-p", "limit=nan", cache=cache), 2, "takes a finite number")
