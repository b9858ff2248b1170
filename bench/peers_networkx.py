"""networkx peers, run at the smallest scale only (pure Python is minutes per run beyond it)."""
from __future__ import annotations

import numpy as np

import bench_params as P
from context import Context


def _dense(mapping: dict, n: int, missing: float, dtype=np.float64) -> np.ndarray:
    out = np.full(n, missing, dtype=dtype)
    if mapping:
        out[np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))] = \
            np.fromiter(mapping.values(), dtype=dtype, count=len(mapping))
    return out


def _labels(communities, n: int) -> np.ndarray:
    labels = np.empty(n, dtype=np.int64)
    for i, members in enumerate(communities):
        labels[list(members)] = i
    return labels


def bfs(ctx: Context):
    nx, g, s, n = ctx.nx, ctx.nx_graph, ctx.source, ctx.n
    return lambda: (_dense(nx.single_source_shortest_path_length(g, s), n, -1, np.int64), None)


def connected_components(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_labels(nx.connected_components(g), n), None)


def sssp(ctx: Context):
    nx, g, s, n = ctx.nx, ctx.nx_graph_w, ctx.source, ctx.n
    return lambda: (_dense(nx.single_source_dijkstra_path_length(g, s), n, np.inf), None)


def pagerank(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_dense(nx.pagerank(g, alpha=P.DAMPING, tol=P.PR_TOL, max_iter=P.PR_MAX_ITER,
                                       weight=None), n, 0.0), None)


def personalized_pagerank(ctx: Context):
    nx, g, s, n = ctx.nx, ctx.nx_graph, ctx.source, ctx.n
    return lambda: (_dense(nx.pagerank(g, alpha=P.DAMPING, tol=P.PR_TOL, max_iter=P.PR_MAX_ITER,
                                       personalization={s: 1.0}, weight=None), n, 0.0), None)


def katz(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_dense(nx.katz_centrality(g, alpha=P.KATZ_ALPHA, beta=P.KATZ_BETA,
                                              max_iter=1000, tol=P.KATZ_TOL, normalized=False,
                                              weight=None), n, 0.0), None)


def hits(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n

    def trial():
        hub, authority = nx.hits(g, max_iter=P.HITS_MAX_ITER, tol=P.HITS_TOL, normalized=True)
        return {"hub": _dense(hub, n, 0.0), "authority": _dense(authority, n, 0.0)}, None
    return trial


def label_propagation(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_labels(nx.community.label_propagation_communities(g), n), None)


def degree_centrality(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_dense(nx.degree_centrality(g), n, 0.0), None)


def triangle_count(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_dense(nx.triangles(g), n, 0, np.int64), None)


def k_core(ctx: Context):
    nx, g, n = ctx.nx, ctx.nx_graph, ctx.n
    return lambda: (_dense(nx.core_number(g), n, 0, np.int64), None)
