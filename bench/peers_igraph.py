"""igraph peers (single-threaded C library).

python-igraph returns Python lists, so each timed call includes converting its result (and,
for SSSP, the edge-weight attribute) between Python and C: that is what a Python user of
igraph pays, and it is small next to the algorithms at these sizes.
"""
from __future__ import annotations

import warnings

import numpy as np

import bench_params as P
import checks
from context import Context


def _quiet(call):
    """igraph warns that hub/authority scores on an undirected graph are eigenvector
    centralities, and about disconnected graphs; both are expected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return call()


def bfs(ctx: Context):
    g, s, n = ctx.ig_graph, ctx.source, ctx.n

    def trial():
        vids, layers, _ = g.bfs(s)
        return checks.levels_from_layers(np.asarray(vids), np.asarray(layers), n), None
    return trial


def connected_components(ctx: Context):
    g = ctx.ig_graph

    def trial():
        return np.asarray(g.connected_components().membership), None
    return trial


def sssp(ctx: Context):
    g, s = ctx.ig_graph, ctx.source

    def trial():
        return np.asarray(g.distances(source=[s], weights="weight", algorithm="dijkstra")[0]), None
    return trial


def pagerank(ctx: Context):
    """PRPACK: solves the linear system directly, no iteration count to match."""
    g = ctx.ig_graph

    def trial():
        return np.asarray(g.pagerank(damping=P.DAMPING, directed=False)), None
    return trial


def personalized_pagerank(ctx: Context):
    g, s = ctx.ig_graph, ctx.source

    def trial():
        return np.asarray(g.personalized_pagerank(damping=P.DAMPING, directed=False,
                                                  reset_vertices=[s])), None
    return trial


def hits(ctx: Context):
    g = ctx.ig_graph

    def trial():
        hub = _quiet(lambda: np.asarray(g.hub_score()))
        authority = _quiet(lambda: np.asarray(g.authority_score()))
        return {"hub": hub, "authority": authority}, None
    return trial


def label_propagation(ctx: Context):
    g = ctx.ig_graph

    def trial():
        return np.asarray(g.community_label_propagation().membership), None
    return trial


def degree_centrality(ctx: Context):
    g, n = ctx.ig_graph, ctx.n

    def trial():
        return np.asarray(g.degree(), dtype=np.float64) / (n - 1), None
    return trial


def triangle_count(ctx: Context):
    """Triangles per node from the local clustering coefficient: t = c d (d - 1) / 2 (igraph
    has no per-node triangle count; list_triangles builds a Python list of every triangle)."""
    g = ctx.ig_graph

    def trial():
        c = np.asarray(g.transitivity_local_undirected(mode="zero"))
        d = np.asarray(g.degree(), dtype=np.float64)
        return np.rint(c * d * (d - 1) / 2).astype(np.int64), None
    return trial


def k_core(ctx: Context):
    g = ctx.ig_graph

    def trial():
        return np.asarray(g.coreness()), None
    return trial
