"""graphbuild as a networkx backend: every implemented function against networkx's own on the
zoo and on graphs networkx users have (multigraphs, tuple and mixed ids, weights, self-loops),
the refusals, should_run, the conversion cache and the registration.  networkx's own test
suite runs against the backend too (`make test-nx`)."""
from __future__ import annotations

import inspect
import math

import networkx as nx
import numpy as np
import pytest
from graphs import ZOO, to_networkx

from graphbuild.nx_backend import info, interface
from graphbuild.nx_backend.graph import BackendGraph
from graphbuild.nx_backend.registry import IMPLEMENTATIONS


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GRAPHBUILD_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "nx-cache"))
    nx.config.warnings_to_ignore.add("cache")


@pytest.fixture
def prefer_graphbuild():
    """Every call tried on graphbuild first, however small its graph (should_run says yes)."""
    config = nx.config.backends.graphbuild
    nx.config.backend_priority.algos = ["graphbuild"]
    saved, config.min_edges = config.min_edges, 0
    yield
    nx.config.backend_priority.algos = []
    config.min_edges = saved


def graphs() -> list[nx.Graph]:
    """The zoo, and what it leaves out: parallel edges, undirected self-loops, tuple and mixed
    ids, zero and fractional weights, isolated nodes, an empty graph."""
    out = [to_networkx(g) for g in ZOO]
    multi = nx.MultiDiGraph([(0, 1), (0, 1), (1, 2), (2, 0), (2, 2), (3, 0)])
    loops = nx.Graph([(0, 1), (1, 1), (1, 2), (3, 3)])
    grid = nx.grid_2d_graph(4, 3)
    mixed = nx.Graph([(3, "3"), ("3", "a"), ("a", (1, 2))])
    mixed.add_node("lonely")
    weighted = nx.gnp_random_graph(30, 0.15, seed=3, directed=True)
    for k, (u, v) in enumerate(weighted.edges):
        weighted[u][v]["weight"] = [0.0, 0.5, 1.5, 3.0][k % 4]
    umulti = nx.MultiGraph([(0, 1), (0, 1), (1, 2), ("x", "y")])
    return out + [multi, loops, grid, mixed, weighted, umulti, nx.DiGraph(), nx.Graph()]


GRAPHS = graphs()
IDS = [f"{i}-{type(G).__name__}" for i, G in enumerate(GRAPHS)]


def both(function, *args, **kwargs):
    """(networkx's answer, the backend's answer) of one call."""
    return function(*args, **kwargs), function(*args, backend="graphbuild", **kwargs)


def close(got: dict, want: dict, tol: float) -> None:
    assert set(got) == set(want)
    assert sum(abs(got[v] - want[v]) for v in want) < tol


def source_of(G):
    return next(iter(G)) if len(G) else None


@pytest.mark.parametrize("G", GRAPHS, ids=IDS)
def test_link_analysis_matches_networkx(G):
    for weight in (None, "weight"):
        want, got = both(nx.pagerank, G, tol=1e-12, max_iter=10_000, weight=weight)
        close(got, want, 1e-8)
    if len(G):
        s = source_of(G)
        if not any(d.get("weight", 1) != 1 for *_, d in G.edges(data=True)):
            want, got = both(nx.pagerank, G, personalization={s: 2}, tol=1e-12, max_iter=10_000)
            close(got, want, 1e-8)
    if not G.is_multigraph():
        want, got = both(nx.katz_centrality, G, alpha=0.05, tol=1e-12)
        close(got, want, 1e-8)
        want, got = both(nx.katz_centrality, G, alpha=0.05, tol=1e-12, weight="weight")
        close(got, want, 1e-8)


def simple_top_singular_value(G) -> bool:
    """HITS is unique (networkx's SVD and a power iteration agree) when the weighted adjacency
    matrix's top singular value is simple; test_algorithms covers the repeated case."""
    if G.number_of_edges() == 0:
        return False
    sigma = np.linalg.svd(nx.to_numpy_array(G, weight="weight"), compute_uv=False)
    return len(sigma) == 1 or sigma[1] < sigma[0] * (1 - 1e-6)


@pytest.mark.parametrize("G", [G for G in GRAPHS if simple_top_singular_value(G)], ids=str)
def test_hits_matches_the_principal_singular_vectors(G):
    want, got = both(nx.hits, G, tol=1e-12, max_iter=10_000)
    for w, g in zip(want, got):
        close(g, w, 1e-6)


def same(function, *args) -> None:
    want, got = both(function, *args)
    if inspect.isgenerator(want):
        want, got = list(want), list(got)   # the same items in the same order
    assert got == want, function.__name__


@pytest.mark.parametrize("G", GRAPHS, ids=IDS)
def test_degrees_components_and_cores_match_networkx(G):
    want, got = both(nx.degree_centrality, G)
    assert got == pytest.approx(want, abs=1e-15)
    if G.is_directed():
        for f in (nx.in_degree_centrality, nx.out_degree_centrality):
            want, got = both(f, G)
            assert got == pytest.approx(want, abs=1e-15)
        same(nx.weakly_connected_components, G)
        same(nx.number_weakly_connected_components, G)
        if len(G):
            same(nx.is_weakly_connected, G)
    else:
        same(nx.connected_components, G)
        same(nx.number_connected_components, G)
        if len(G):
            same(nx.node_connected_component, G, source_of(G))
            same(nx.is_connected, G)
    if not G.is_multigraph() and nx.number_of_selfloops(G) == 0:
        same(nx.core_number, G)
    if not G.is_multigraph() and not G.is_directed():
        same(nx.triangles, G)
        same(nx.clustering, G)
        if len(G):
            node = source_of(G)
            same(nx.triangles, G, node)
            same(nx.clustering, G, [node, "not a node"])


@pytest.mark.parametrize("G", GRAPHS, ids=IDS)
def test_path_centralities_match_networkx(G):
    """Betweenness (normalized and raw counts), closeness (both scalings) and harmonic, each a
    per-source BFS in .gdsl; floats summed in another order than networkx's, so within 1e-12."""
    calls = [(nx.closeness_centrality, {"wf_improved": True}),
             (nx.closeness_centrality, {"wf_improved": False}),
             (nx.harmonic_centrality, {})]
    if not G.is_multigraph():
        calls += [(nx.betweenness_centrality, {}), (nx.betweenness_centrality, {"normalized": False})]
    for f, kwargs in calls:
        want, got = both(f, G, **kwargs)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (f.__name__, kwargs)
    if len(G):
        node = source_of(G)
        want, got = both(nx.closeness_centrality, G, node)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
        for nbunch in (node, [node, "not a node"]):
            want, got = both(nx.harmonic_centrality, G, nbunch)
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("G", GRAPHS, ids=IDS)
def test_traversals_match_networkx_in_order(G):
    for s in list(G)[:3]:
        for cutoff in (None, 0, 1, 2.5):
            want, got = both(nx.single_source_shortest_path_length, G, s, cutoff=cutoff)
            assert list(got.items()) == list(want.items())   # networkx's discovery order too
        same(nx.bfs_layers, G, s)
        for limit in (None, 1, 2):
            want, got = both(nx.bfs_edges, G, s, depth_limit=limit)
            assert list(got) == list(want)
        for distance in (-1, 0, 1, 2):
            same(nx.descendants_at_distance, G, s, distance)


@pytest.mark.parametrize("G", GRAPHS, ids=IDS)
def test_weighted_paths_match_networkx(G):
    for s in list(G)[:3]:
        for f in (nx.single_source_dijkstra_path_length, nx.single_source_bellman_ford_path_length):
            want, got = both(f, G, s)
            assert got == want
            assert [type(x) for x in got.values()] == [type(x) for x in want.values()] or \
                any(d.get("weight", 1) != 1 for *_, d in G.edges(data=True))
        want, got = both(nx.single_source_dijkstra_path_length, G, s, cutoff=2)
        assert got == want
        for t in list(G)[-2:]:
            for f in (nx.dijkstra_path_length, nx.bellman_ford_path_length):
                try:
                    want = f(G, s, t)
                except nx.NetworkXNoPath as exc:
                    with pytest.raises(nx.NetworkXNoPath, match=str(exc)):
                        f(G, s, t, backend="graphbuild")
                else:
                    assert f(G, s, t, backend="graphbuild") == want


def test_errors_are_networkx_errors(prefer_graphbuild):
    G = nx.path_graph(50)
    for call in (lambda **b: nx.pagerank(G, max_iter=1, **b), lambda **b: nx.hits(G, max_iter=0, **b),
                 lambda **b: nx.katz_centrality(G, max_iter=0, **b)):
        with pytest.raises(nx.PowerIterationFailedConvergence):
            call()
        with pytest.raises(nx.PowerIterationFailedConvergence):
            call(backend="graphbuild")
    # hits' max_iter bounds networkx's SVD solver, not power iterations: networkx decides
    with pytest.raises(NotImplementedError):
        nx.hits(G, max_iter=1, backend="graphbuild")
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.hits(G, max_iter=1)
    with pytest.raises(nx.NodeNotFound, match="Source 99 is not in G"):
        nx.single_source_shortest_path_length(G, 99, backend="graphbuild")
    with pytest.raises(nx.NodeNotFound, match="Node 99 not found in graph"):
        nx.single_source_dijkstra_path_length(G, 99, backend="graphbuild")
    cycle = nx.DiGraph([(0, 1, {"weight": 1}), (1, 2, {"weight": -3}), (2, 0, {"weight": 1}), (3, 0),
                        (4, 5, {"weight": 2})])
    for s in (0, 3):   # a negative cycle reachable from the source
        with pytest.raises(nx.NetworkXUnbounded, match="Negative cycle detected."):
            nx.single_source_bellman_ford_path_length(cycle, s, backend="graphbuild")
    want, got = both(nx.single_source_bellman_ford_path_length, cycle, 4)   # out of its reach
    assert got == want == {4: 0, 5: 2}
    with pytest.raises(nx.NetworkXPointlessConcept):
        nx.is_connected(nx.Graph(), backend="graphbuild")
    with pytest.raises(nx.NetworkXNotImplemented, match="self loops"):
        nx.core_number(nx.Graph([(0, 0)]), backend="graphbuild")


def test_negative_weights_reach_bellman_ford_not_dijkstra():
    G = nx.DiGraph([(0, 1, {"weight": 4}), (0, 2, {"weight": 1}), (2, 1, {"weight": -2})])
    want, got = both(nx.single_source_bellman_ford_path_length, G, 0)
    assert got == want == {0: 0, 2: 1, 1: -1}
    with pytest.raises(NotImplementedError) as info:
        nx.single_source_dijkstra_path_length(G, 0, backend="graphbuild")
    assert "negative weights" in str(info.value.__cause__)   # networkx wraps the backend's reason


REFUSED = [
    ("pagerank", lambda G: ((G,), {"personalization": {0: 1, 1: 2}}), "personalization over several"),
    ("pagerank", lambda G: ((G,), {"nstart": {0: 1.0}}), "nstart other than uniform"),
    ("pagerank", lambda G: ((G,), {"dangling": {0: 1}}), "dangling weights"),
    ("hits", lambda G: ((G,), {"nstart": {0: 1.0, 1: 0.5}}), "nstart other than uniform"),
    ("katz_centrality", lambda G: ((G,), {"beta": {0: 1.0, 1: 2.0, 2: 1.0}}), "beta differs"),
    ("katz_centrality", lambda G: ((G,), {"nstart": {0: 1, 1: 1, 2: 1}}), "nstart other than zero"),
    ("bfs_layers", lambda G: ((G, [0, 1]), {}), "not one node"),
    ("bfs_layers", lambda G: ((G, iter([0])), {}), "iterator"),
    ("bfs_edges", lambda G: ((G, 0), {"sort_neighbors": sorted}), "sort_neighbors"),
    ("bfs_edges", lambda G: ((G.to_directed(), 0), {"reverse": True}), "reverse=True"),
    ("descendants_at_distance", lambda G: ((G, 7, 1), {}), "not in the graph"),
    ("single_source_dijkstra_path_length", lambda G: ((G, 0), {"weight": lambda u, v, d: 1}),
     "weight is a function"),
    ("betweenness_centrality", lambda G: ((G,), {"k": 2, "seed": 1}), "k sampled sources"),
    ("betweenness_centrality", lambda G: ((G,), {"endpoints": True}), "endpoints=True"),
    ("betweenness_centrality", lambda G: ((G,), {"weight": "weight"}), "count edges, not edge weights"),
    ("betweenness_centrality", lambda G: ((nx.MultiGraph(G),), {}), "a multigraph"),
    ("closeness_centrality", lambda G: ((G,), {"distance": "weight"}), "count edges, not edge weights"),
    ("closeness_centrality", lambda G: ((G, 7), {}), "is not a node"),
    ("harmonic_centrality", lambda G: ((G,), {"sources": [0]}), "sources other than every node"),
    ("harmonic_centrality", lambda G: ((G,), {"nbunch": 7}), "neither a node nor"),
    ("pagerank", lambda G: ((G,), {"no_such_argument": 1}), "does not take"),
]


@pytest.mark.parametrize("name, call, reason", REFUSED, ids=[f"{r[0]}-{r[2]}" for r in REFUSED])
def test_refusals_say_why_and_networkx_runs_instead(name, call, reason, prefer_graphbuild):
    G = nx.path_graph(3)
    args, kwargs = call(G)
    assert reason in interface.can_run(name, args, kwargs)
    if "no_such_argument" in kwargs:
        return
    # networkx answers (or raises) as it would alone
    try:
        want = getattr(nx, name)(*call(G)[0], backend="networkx", **call(G)[1])
        want = list(want) if inspect.isgenerator(want) else want
    except Exception as exc:   # noqa: BLE001  (the same failure either way)
        with pytest.raises(type(exc)):
            got = getattr(nx, name)(*call(G)[0], **call(G)[1])
            list(got) if inspect.isgenerator(got) else got
    else:
        got = getattr(nx, name)(*call(G)[0], **call(G)[1])
        assert (list(got) if inspect.isgenerator(got) else got) == want


def test_weighted_personalization_falls_back_inside_the_call(prefer_graphbuild):
    G = nx.DiGraph([(0, 1, {"weight": 2.0}), (1, 2, {"weight": 1.0}), (2, 0, {"weight": 1.0})])
    with pytest.raises(NotImplementedError) as info:
        nx.pagerank(G, personalization={0: 1}, backend="graphbuild")
    assert "personalized PageRank with edge weights" in str(info.value.__cause__)
    assert nx.pagerank(G, personalization={0: 1}) == nx.pagerank(G, personalization={0: 1},
                                                                 backend="networkx")


def test_a_preferred_backend_runs_what_it_can(prefer_graphbuild, monkeypatch):
    calls = []
    monkeypatch.setattr(interface, "convert_from_nx",
                        lambda G, *a, **k: calls.append(G) or BackendGraph.from_networkx(G))
    G = nx.path_graph(5)
    assert nx.core_number(G) == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1} and calls == [G]


def test_should_run_declines_small_graphs():
    small = nx.path_graph(10)
    assert "min_edges" in interface.should_run("pagerank", (small,), {})
    big = nx.gnm_random_graph(2_000, nx.config.backends.graphbuild.min_edges, seed=1)
    assert interface.should_run("pagerank", (big,), {}) is True
    assert interface.should_run("pagerank", (interface.convert_from_nx(small),), {}) is True


def test_conversion_is_cached_on_the_graph(monkeypatch):
    G = nx.gnp_random_graph(200, 0.05, seed=2, directed=True)
    calls = []
    original = BackendGraph.from_networkx.__func__

    def counting(cls, *args, **kwargs):
        calls.append(args)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(BackendGraph, "from_networkx", classmethod(counting))
    first = nx.pagerank(G, backend="graphbuild")
    second = nx.pagerank(G, backend="graphbuild")
    nx.in_degree_centrality(G, backend="graphbuild")
    assert first == second and len(calls) == 1
    (converted,) = G.__networkx_cache__["backends"]["graphbuild"].values()
    assert converted._forms   # and the C graph built for the first call served the others
    G.add_edge(0, 1)          # networkx clears its cache when the graph changes
    nx.pagerank(G, backend="graphbuild")
    assert len(calls) == 2


def test_edge_attributes_are_read_once_each_with_networkx_defaults():
    plain = BackendGraph.from_networkx(nx.path_graph(3), {"weight": 1, "cost": 2.5})
    assert plain.weights["weight"] is None                  # no edge data: the unweighted graph
    assert plain.weights["cost"].tolist() == [2.5] * 4      # a default other than 1 is kept
    G = nx.DiGraph([(0, 1, {"color": "red"}), (1, 2, {"weight": 3})])
    assert BackendGraph.from_networkx(G, {"weight": 1}).weights["weight"].tolist() == [1.0, 3.0]
    with pytest.raises(ValueError, match="edge attribute 'color' must be a number"):
        BackendGraph.from_networkx(G, {"color": 1})


def test_converted_graphs_go_back_to_networkx():
    for G in GRAPHS:
        converted = interface.convert_from_nx(G, {"weight": 1})
        back = interface.convert_to_nx(converted)
        assert type(back) is type(G) and list(back) == list(G)
        assert sorted(map(repr, back.edges)) == sorted(map(repr, G.edges))
        assert interface.convert_to_nx({"a": 1}) == {"a": 1}
        assert len(converted) == len(G) and converted.number_of_edges() == G.number_of_edges()


def test_registered_functions_and_signatures_match_networkx():
    assert set(info.FUNCTIONS) == set(IMPLEMENTATIONS)
    assert nx.utils.backends.backend_info["graphbuild"]["functions"].keys() == set(IMPLEMENTATIONS)
    for name, function in IMPLEMENTATIONS.items():
        theirs = inspect.signature(getattr(nx, name)).parameters
        ours = inspect.signature(function).parameters
        dispatch = ("backend", "backend_kwargs")
        assert [(p.name, p.default) for p in ours.values()] == \
            [(p.name, p.default) for p in theirs.values() if p.name not in dispatch], name
        assert getattr(interface, name) is function
    assert "graphbuild" in nx.pagerank.backends


def test_results_are_python_values():
    G = nx.karate_club_graph()
    for value in nx.pagerank(G, backend="graphbuild").values():
        assert type(value) is float
    for value in nx.core_number(G, backend="graphbuild").values():
        assert type(value) is int
    levels = nx.single_source_shortest_path_length(G, 0, backend="graphbuild")
    assert all(type(x) is int for x in levels.values())
    assert type(nx.number_connected_components(G, backend="graphbuild")) is int
    assert math.isclose(sum(nx.pagerank(G, backend="graphbuild").values()), 1.0)
