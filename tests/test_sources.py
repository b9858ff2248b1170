"""Loops over sources (`for s in sources():`, `for s in sample(k, seed):`): the sampled
sources are the documented generator's (graphbuild/plan/sources.py, csrc/exec/sources.c),
and the shipped programs that loop over sources give the same bytes unoptimized and
optimized and for 1 to 16 threads (each source's values are summed in source order)."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest
from graphs import BY_NAME, ZOO, ZooGraph

from graphbuild.api import compile_file, compile_text
from graphbuild.plan.sources import sample_source, sample_sources
from graphbuild.runtime import Executable, Graph

ALGORITHMS = Path(__file__).resolve().parents[1] / "algorithms"
PROGRAMS = {"betweenness": {}, "betweenness_sample": {"k": 7, "seed": 3}, "closeness": {},
            "harmonic": {}}


def _graph(g: ZooGraph) -> Graph:
    src, dst, weights = g.arrays()
    return Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))


def _bits(result) -> dict[str, list]:
    def key(value):
        return struct.pack("<d", value) if isinstance(value, float) else value
    return {name: [key(v) for v in column] for name, column in result.columns.items()}


@pytest.mark.parametrize("n", [1, 2, 3, 5, 16, 17, 100, 1000])
@pytest.mark.parametrize("seed", [0, 1, -7, 2**62])
def test_a_sample_of_every_node_is_a_permutation(n, seed):
    assert sorted(sample_sources(n, n, seed)) == list(range(n))
    assert sample_sources(n, n + 5, seed) == sample_sources(n, n, seed)
    assert sample_sources(n, -1, seed) == []


def test_seeds_pick_different_sources_and_the_first_k_are_a_prefix():
    assert sample_sources(1000, 10, 1) != sample_sources(1000, 10, 2)
    assert sample_sources(1000, 10, 1) == sample_sources(1000, 64, 1)[:10]
    assert [sample_source(i, 1000, 1) for i in range(3)] == sample_sources(1000, 3, 1)


SAMPLED = """
algorithm picked(k: int = 3, seed: int = 0):
    picked = fill(0)
    for s in sample(k, seed):
        picked = picked + int(node_id() == s)
    return picked
"""


@pytest.mark.parametrize("g", [BY_NAME["karate"], BY_NAME["string_ids"], BY_NAME["disconnected"]],
                         ids=lambda g: g.name)
@pytest.mark.parametrize("k, seed", [(1, 0), (5, 9), (100, 4)])
def test_the_executor_samples_the_documented_sources(g, k, seed):
    ex = Executable(compile_text(SAMPLED, "picked.gdsl").plan)
    picked = ex.run(_graph(g), params={"k": k, "seed": seed}).columns["picked"]
    want = set(sample_sources(g.n, k, seed))
    assert [i for i, x in enumerate(picked) if x] == sorted(want)
    assert set(picked) <= {0, 1}


@pytest.mark.parametrize("g", ZOO, ids=lambda g: g.name)
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_unoptimized_optimized_and_every_thread_count_give_the_same_bytes(name, g):
    graph = _graph(g)
    path = ALGORITHMS / f"{name}.gdsl"
    plain = _bits(Executable(compile_file(path, opt_level=0).plan).run(graph, params=PROGRAMS[name]))
    ex = Executable(compile_file(path).plan)
    for threads in (1, 2, 3, 16):
        assert _bits(ex.run(graph, threads=threads, params=PROGRAMS[name])) == plain, threads
