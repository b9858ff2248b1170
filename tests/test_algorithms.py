"""Correctness of the shipped algorithms (algorithms/*.gdsl) against independent references.

Every case (algorithm, zoo graph, parameters) runs twice, through the same check:
- test_mirror_*: tests/mirror.py, a numpy transliteration of the .gdsl program, which proves the
  program's math on its own;
- test_pipeline_*: the real thing, graphbuild.api.run_file on the compiled program.
Both produce the columns of a pipeline run ({"node": input ids, name: values}), so one check
serves both. Tolerances: PageRank, personalized PageRank and Katz within 1e-8 in L1, HITS within
1e-6 in L1 per vector; BFS levels, SSSP distances, component partitions and core numbers exact;
label propagation exactly as the synchronous reference, and at a fixed point where it converges.
"""
from __future__ import annotations

import ast
import inspect
import math
import re
import textwrap
from pathlib import Path

import pytest
import reference
from graphs import BY_NAME, ZOO, ZooGraph, write_edge_list
from mirror import PROGRAMS, run_mirror

ALGORITHMS = Path(__file__).resolve().parents[1] / "algorithms"

# A source per graph that reaches a good part of it; ids, as on the command line.
SOURCES = {
    "karate": 16, "directed_random": 70, "isolated_selfloops": 3, "isolated_as_loops": 8,
    "weighted": 0, "string_ids": "carol", "disconnected": 19, "ring_of_cliques": 7,
}
NO_SELF_LOOPS = [g for g in ZOO if not g.has_self_loops]
UNDIRECTED = [g for g in ZOO if not g.directed]   # common(u) refuses directed graphs


def _cases(algorithm: str, graphs, params=lambda g: {}) -> list:
    return [pytest.param(algorithm, g, params(g), id=f"{algorithm}-{g.name}") for g in graphs]


CASES = (
    _cases("pagerank", ZOO)
    + _cases("personalized_pagerank", ZOO, lambda g: {"source": SOURCES[g.name]})
    # a dangling source: its own rank returns to it through the dangling rule
    + [pytest.param("personalized_pagerank", BY_NAME["directed_random"], {"source": 13},
                    id="personalized_pagerank-directed_random-dangling_source")]
    + _cases("bfs", ZOO, lambda g: {"source": SOURCES[g.name]})
    # no source given: the language's default, node index 0, the graph's first node
    + [pytest.param("bfs", BY_NAME["string_ids"], {}, id="bfs-string_ids-default_source")]
    + _cases("sssp", ZOO, lambda g: {"source": SOURCES[g.name]})
    + _cases("bfs_tree", ZOO, lambda g: {"source": SOURCES[g.name]})
    + [pytest.param("bfs_tree", BY_NAME["string_ids"], {}, id="bfs_tree-string_ids-default_source")]
    + _cases("sssp_tree", ZOO, lambda g: {"source": SOURCES[g.name]})
    + _cases("connected_components", ZOO)
    + _cases("label_propagation", ZOO)
    + _cases("degree_centrality", ZOO)
    + _cases("k_core", NO_SELF_LOOPS)
    + _cases("hits", ZOO)
    + _cases("katz", ZOO)
    + _cases("weighted_pagerank", ZOO)
    # alpha below 1 / (largest eigenvalue of the weighted adjacency matrix) on every zoo graph
    + _cases("weighted_katz", ZOO, lambda g: {"alpha": 0.02})
    + _cases("in_degree_centrality", ZOO)
    + _cases("out_degree_centrality", ZOO)
    + _cases("triangle_count", UNDIRECTED)
    + _cases("clustering", UNDIRECTED)
    + _cases("betweenness", ZOO)
    + _cases("closeness", ZOO)
    + [pytest.param("closeness", g, {"wf_improved": False}, id=f"closeness-{g.name}-plain")
       for g in ZOO if g.name in ("disconnected", "directed_random")]
    + _cases("harmonic", ZOO)
    + [pytest.param("betweenness_sample", g, {"k": k, "seed": 5}, id=f"betweenness_sample-{g.name}-k{k}")
       for g in ZOO for k in (1, 3, g.n - 1, g.n, g.n + 4)]
    + [pytest.param("bfs", BY_NAME[name], {"source": SOURCES[name], "cutoff": cutoff},
                    id=f"bfs-{name}-cutoff{cutoff}")
       for name in ("karate", "directed_random") for cutoff in (0, 1, 2)]
)


def _source(g: ZooGraph, params: dict):
    return params.get("source", g.nodes[0])


def _by_id(g: ZooGraph, columns: dict[str, list], name: str) -> dict:
    assert len(columns["node"]) == len(columns[name]) == g.n
    assert set(columns["node"]) == set(g.nodes), "the node column holds the input's own ids"
    return dict(zip(columns["node"], columns[name]))


def _l1(got: dict, want: dict) -> float:
    return sum(abs(got[v] - want[v]) for v in want)


def check(algorithm: str, g: ZooGraph, params: dict, columns: dict[str, list]) -> None:
    """Assert that a run's columns are the reference result for (algorithm, g, params)."""
    if algorithm == "pagerank":
        assert _l1(_by_id(g, columns, "rank"), reference.pagerank(g)) < 1e-8
    elif algorithm == "personalized_pagerank":
        want = reference.personalized_pagerank(g, _source(g, params))
        assert _l1(_by_id(g, columns, "rank"), want) < 1e-8
    elif algorithm == "weighted_pagerank":
        assert _l1(_by_id(g, columns, "rank"), reference.weighted_pagerank(g)) < 1e-8
    elif algorithm == "bfs":
        cutoff = params.get("cutoff", -1)
        want = reference.bfs_levels(g, _source(g, params), cutoff if cutoff >= 0 else None)
        assert _by_id(g, columns, "level") == want
    elif algorithm == "sssp":
        assert _by_id(g, columns, "dist") == reference.sssp(g, _source(g, params))
    elif algorithm == "bfs_tree":
        source = _source(g, params)
        level = _by_id(g, columns, "level")
        assert level == reference.bfs_levels(g, source)
        _check_tree(g, source, _by_id(g, columns, "parent"), reference.bfs_predecessors(g, source))
        arcs = _arcs(g)
        for v, p in _by_id(g, columns, "parent").items():
            assert p is None or (level[p] == level[v] - 1 and (p, v) in arcs)
    elif algorithm == "sssp_tree":
        source = _source(g, params)
        preds, dist = reference.sssp_predecessors(g, source)
        got = _by_id(g, columns, "dist")
        assert got == {v: dist.get(v, math.inf) for v in g.nodes}
        _check_tree(g, source, _by_id(g, columns, "pred"), preds)
    elif algorithm == "connected_components":
        comp = _by_id(g, columns, "comp")
        parts: dict = {}
        for v, label in comp.items():
            parts.setdefault(label, set()).add(v)
        assert {frozenset(p) for p in parts.values()} == reference.components(g)
        # the label is a node of its own component: the smallest by index
        assert all(label == min(p, key=g.index.__getitem__) for label, p in parts.items())
    elif algorithm == "label_propagation":
        label = _by_id(g, columns, "label")
        want, converged = reference.label_propagation(g, params.get("max_iter", 30))
        assert label == want
        assert (reference.unstable_nodes(g, label) == []) == converged
    elif algorithm in ("degree_centrality", "in_degree_centrality", "out_degree_centrality"):
        direction = algorithm.partition("_degree")[0] if algorithm != "degree_centrality" else ""
        got, want = _by_id(g, columns, "centrality"), reference.degree_centrality(g, direction)
        assert max(abs(got[v] - want[v]) for v in g.nodes) < 1e-12
    elif algorithm == "k_core":
        assert _by_id(g, columns, "core") == reference.core_number(g)
    elif algorithm == "triangle_count":
        assert _by_id(g, columns, "triangles") == reference.triangles(g)
    elif algorithm == "clustering":
        got, want = _by_id(g, columns, "clustering"), reference.clustering(g)
        assert all(got[v] == float(want[v]) for v in g.nodes)
    elif algorithm == "hits":
        want_hub, want_authority = reference.hits(g)
        assert _l1(_by_id(g, columns, "hub"), want_hub) < 1e-6
        assert _l1(_by_id(g, columns, "authority"), want_authority) < 1e-6
    elif algorithm == "katz":
        assert _l1(_by_id(g, columns, "centrality"), reference.katz(g)) < 1e-8
    elif algorithm == "weighted_katz":
        want = reference.katz(g, alpha=params["alpha"], weight="weight")
        assert _l1(_by_id(g, columns, "centrality"), want) < 1e-8
    elif algorithm in ("betweenness", "betweenness_sample", "closeness", "harmonic"):
        name = {"closeness": "closeness", "harmonic": "harmonic"}.get(algorithm, "bc")
        want = reference.source_centrality(g, algorithm, params)
        got = _by_id(g, columns, name)
        for v in g.nodes:   # Brandes' sums in another order: a few ulps apart
            assert (math.isnan(got[v]) and math.isnan(want[v])) or math.isclose(
                got[v], want[v], rel_tol=1e-9, abs_tol=1e-12), (v, got[v], want[v])
    else:
        raise AssertionError(f"no check for {algorithm}")


def _arcs(g: ZooGraph) -> set:
    arcs = {(e[0], e[1]) for e in g.edges}
    return arcs if g.directed else arcs | {(b, a) for a, b in arcs}


def _check_tree(g: ZooGraph, source, parent: dict, preds: dict) -> None:
    """parent[v] is one of networkx's valid choices preds[v]: the smallest by node index
    (the documented tie rule); no node (None) at the source and where unreachable."""
    for v in g.nodes:
        if v == source or v not in preds:
            assert parent[v] is None, v
        else:
            assert parent[v] in preds[v], v
            assert parent[v] == min(preds[v], key=g.index.__getitem__), v


def run_gdsl(algorithm_file: Path, g: ZooGraph, params: dict) -> dict[str, list]:
    """Compile and run a .gdsl file through graphbuild on a zoo graph built from arrays."""
    from graphbuild.api import run_file
    from graphbuild.runtime import Graph

    src, dst, weights = g.arrays()
    graph = Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))
    return run_file(algorithm_file, graph=graph, params=params).columns


@pytest.mark.parametrize("algorithm, g, params", CASES)
def test_mirror(algorithm: str, g: ZooGraph, params: dict) -> None:
    check(algorithm, g, params, run_mirror(ALGORITHMS / f"{algorithm}.gdsl", g, params))


@pytest.mark.parametrize("algorithm, g, params", CASES)
def test_pipeline(algorithm: str, g: ZooGraph, params: dict) -> None:
    check(algorithm, g, params, run_gdsl(ALGORITHMS / f"{algorithm}.gdsl", g, params))


# ---- the mirror is the program it claims to be -------------------------------------------


def _gdsl_params(path: Path) -> dict[str, object]:
    """The parameter defaults in a file's `algorithm NAME(...)` line (node defaults are indices)."""
    header = re.search(r"^algorithm (\w+)\((.*?)\):$", path.read_text(), re.MULTILINE | re.DOTALL)
    assert header and header.group(1) == path.stem, f"{path.name}: the algorithm is named after its file"
    params = {}
    # commas inside a range (`int in [-1, inf)`) do not separate parameters
    for part in filter(None, (p.strip() for p in re.split(r",(?![^\[(]*[\])])", header.group(2)))):
        match = re.fullmatch(r"(\w+)\s*:\s*\w+(?:\s+in\s+[\[(][^\])]*[\])])?\s*=\s*(\S+)", part)
        assert match, f"{path.name}: parameter {part!r} has no default"
        name, default = match.groups()
        params[name] = {"true": True, "false": False}.get(default, None)
        if params[name] is None:
            params[name] = ast.literal_eval(default)
    return params


def test_every_algorithm_is_mirrored() -> None:
    assert {p.stem for p in ALGORITHMS.glob("*.gdsl")} == set(PROGRAMS)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_mirror_defaults_match_gdsl(name: str) -> None:
    signature = inspect.signature(PROGRAMS[name])
    mirror_defaults = {k: p.default for k, p in list(signature.parameters.items())[1:]}
    gdsl_defaults = _gdsl_params(ALGORITHMS / f"{name}.gdsl")
    assert mirror_defaults == gdsl_defaults
    assert all(type(mirror_defaults[k]) is type(v) for k, v in gdsl_defaults.items())


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_mirror_transliterates_the_current_program(name: str) -> None:
    # The docstring is the program the mirror was written from; an edited program fails here
    # until its mirror is brought along.
    text = (ALGORITHMS / f"{name}.gdsl").read_text()
    body = text[re.search(r"^algorithm \w+\(.*?\):\n", text, re.MULTILINE | re.DOTALL).end():]
    assert inspect.cleandoc(PROGRAMS[name].__doc__) == textwrap.dedent(body).strip()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_header_says_what_how_and_where_from(name: str) -> None:
    header = (ALGORITHMS / f"{name}.gdsl").read_text().split("\nalgorithm ")[0]
    assert all(line.startswith("#") for line in header.splitlines())
    assert "Method:" in header and "Reference:" in header


# ---- the zoo itself -----------------------------------------------------------------------


def test_zoo_covers_the_cases_the_algorithms_care_about() -> None:
    assert len(ZOO) >= 6
    assert any(not g.directed for g in ZOO) and any(g.directed for g in ZOO)
    assert any(g.weighted for g in ZOO)
    assert any(isinstance(g.nodes[0], str) for g in ZOO)
    assert any(g.isolated for g in ZOO) and any(g.has_self_loops for g in ZOO)
    assert any(len(reference.components(g)) > 1 for g in ZOO)
    dangling = BY_NAME["directed_random"]
    assert sum(1 for v in dangling.nodes if not any(e[0] == v for e in dangling.edges)) >= 2
    # label propagation: a fixed point with several communities, and an oscillation
    lpa = [reference.label_propagation(g) for g in ZOO]
    assert any(converged and len(set(labels.values())) > 1 for labels, converged in lpa)
    assert any(not converged for _, converged in lpa)


def test_hits_reference_splits_a_repeated_top_evenly() -> None:
    # "disconnected" holds two identical components that share the top singular value; the
    # power iteration from uniform hubs weighs them equally, and nothing else scores.
    hub, authority = reference.hits(BY_NAME["disconnected"])
    for scores in (hub, authority):
        assert [scores[v] for v in range(15, 20)] == pytest.approx([scores[v] for v in range(20, 25)])
        assert sum(scores[v] for v in range(15, 25)) == pytest.approx(1.0)
        assert min(scores.values()) >= 0.0


@pytest.mark.parametrize("g", [g for g in ZOO if not g.isolated], ids=str)
def test_edge_list_file_holds_every_edge(g: ZooGraph, tmp_path: Path) -> None:
    path = write_edge_list(g, tmp_path)
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    parse = (lambda t: t) if isinstance(g.nodes[0], str) else int
    edges = [(parse(r[0]), parse(r[1]), *(float(x) for x in r[2:])) for r in rows]
    assert tuple(edges) == g.edges
    assert path.suffix == (".wel" if g.weighted else ".el")


def test_edge_list_refuses_isolated_nodes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="isolated_as_loops|from_edges"):
        write_edge_list(BY_NAME["isolated_selfloops"], tmp_path)


def test_sssp_reference_sees_weights() -> None:
    # the lightest path 0 -> 2 -> 1 -> 3 (1 + 2 + 1) beats the direct 0 -> 1 -> 3 (4 + 1)
    dist = reference.sssp(BY_NAME["weighted"], 0)
    assert dist[3] == 4.0 and math.isinf(dist[10])
