"""Every shipped algorithm at -O0 on every zoo graph, through the same reference checks as
the default level in test_algorithms.py (which runs -O1), and the optimized run agrees
with the unoptimized one (exactly for ints and bools, 1e-12 relative for floats)."""
from __future__ import annotations

import pytest
from graphs import ZooGraph
from test_algorithms import ALGORITHMS, CASES, check
from test_opt_programs import close

from graphbuild.api import run_file
from graphbuild.runtime import Graph


def run_at(level: int, algorithm: str, g: ZooGraph, params: dict) -> dict[str, list]:
    src, dst, weights = g.arrays()
    graph = Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))
    return run_file(ALGORITHMS / f"{algorithm}.gdsl", graph=graph, params=params, opt_level=level).columns


@pytest.mark.parametrize("algorithm, g, params", CASES)
def test_unoptimized_pipeline(algorithm: str, g: ZooGraph, params: dict) -> None:
    plain = run_at(0, algorithm, g, params)
    check(algorithm, g, params, plain)
    optimized = run_at(1, algorithm, g, params)
    assert plain.keys() == optimized.keys()
    for name in plain:
        assert all(map(close, plain[name], optimized[name])), name
