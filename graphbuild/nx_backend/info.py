"""What networkx learns about the backend when it is imported (the `networkx.backend_info`
entry point): the functions it implements, how each differs, and its configuration.

networkx calls get_info() while importing itself, so this module imports nothing but the
standard library; interface.py holds the implementations (tests check the two lists agree).
"""
from __future__ import annotations

from typing import Any

# Each function, and what a user should know beyond networkx's own documentation.
FUNCTIONS: dict[str, str] = {
    "pagerank": "Runs pagerank.gdsl (weighted_pagerank.gdsl when edges carry weights other than "
                "1, personalized_pagerank.gdsl for a personalization on one node). Refused "
                "(networkx runs instead): personalization over several nodes, a non-uniform "
                "nstart, dangling other than the personalization.",
    "hits": "Runs hits.gdsl: power iteration from uniform hubs, stopped when the hubs change by "
            "less than tol in L1 (networkx runs a sparse SVD). Refused: a non-uniform nstart.",
    "katz_centrality": "Runs katz.gdsl, or weighted_katz.gdsl for a weight. Refused: beta as a "
                       "non-uniform dict, a nonzero nstart.",
    "degree_centrality": "Runs degree_centrality.gdsl.",
    "in_degree_centrality": "Runs in_degree_centrality.gdsl.",
    "out_degree_centrality": "Runs out_degree_centrality.gdsl.",
    "connected_components": "Runs connected_components.gdsl (min-label propagation).",
    "number_connected_components": "Runs connected_components.gdsl.",
    "node_connected_component": "Runs connected_components.gdsl.",
    "is_connected": "Runs connected_components.gdsl.",
    "weakly_connected_components": "Runs connected_components.gdsl.",
    "number_weakly_connected_components": "Runs connected_components.gdsl.",
    "is_weakly_connected": "Runs connected_components.gdsl.",
    "core_number": "Runs k_core.gdsl (level-synchronous peeling).",
    "triangles": "Runs triangle_count.gdsl (sorted adjacency, each triangle found once).",
    "clustering": "Runs clustering.gdsl. Refused: a directed graph, weight.",
    "betweenness_centrality": "Runs betweenness.gdsl (Brandes, one BFS per source). Refused: "
                              "k (networkx's own sampling), endpoints=True, weight, multigraphs.",
    "closeness_centrality": "Runs closeness.gdsl (one BFS per node). Refused: distance.",
    "harmonic_centrality": "Runs harmonic.gdsl (one BFS per node). Refused: distance, sources.",
    "single_source_shortest_path_length": "Runs bfs.gdsl with the cutoff.",
    "bfs_layers": "Runs bfs.gdsl; layers in networkx's discovery order. Refused: several sources.",
    "bfs_edges": "Runs bfs.gdsl; edges in networkx's order. Refused: reverse, sort_neighbors.",
    "descendants_at_distance": "Runs bfs.gdsl with cutoff = distance.",
    "single_source_dijkstra_path_length": "Runs sssp.gdsl (Bellman-Ford relaxation, the same "
                                          "distances). Refused: a weight function.",
    "dijkstra_path_length": "Runs sssp.gdsl. Refused: a weight function.",
    "single_source_bellman_ford_path_length": "Runs sssp.gdsl; a negative cycle stops it at n "
                                              "passes. Refused: a weight function.",
    "bellman_ford_path_length": "Runs sssp.gdsl. Refused: a weight function.",
}

DEFAULT_CONFIG: dict[str, Any] = {
    # worker threads for graphbuild's runs (None: GRAPHBUILD_THREADS or every core)
    "threads": None,
    # should_run declines graphs with fewer edges, where converting costs about what networkx's
    # own run does: nx.pagerank crosses over between 100 and 300 edges (make bench-api), and
    # below 1,000 either takes about a millisecond
    "min_edges": 1_000,
}


def get_info() -> dict[str, Any]:
    return {
        "backend_name": "graphbuild",
        "project": "graphbuild",
        "package": "graphbuild",
        "short_summary": "Shipped .gdsl algorithms compiled to parallel C.",
        "default_config": dict(DEFAULT_CONFIG),
        "functions": {name: {"additional_docs": doc} for name, doc in FUNCTIONS.items()},
    }


__all__ = ["DEFAULT_CONFIG", "FUNCTIONS", "get_info"]
