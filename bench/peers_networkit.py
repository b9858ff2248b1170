"""networkit peers (parallel C++, run with the bench's thread count).

Only run() is timed; reading the scores back into numpy is not (networkit keeps them in C++).
"""
from __future__ import annotations

import time

import numpy as np

import bench_params as P
from context import Context

UNREACHED = 1e300  # networkit reports unreachable nodes at the largest double


def _timed_run(algo):
    start = time.perf_counter()
    algo.run()
    return time.perf_counter() - start


def bfs(ctx: Context):
    nk, g, s = ctx.nk, ctx.nk_graph, ctx.source

    def trial():
        algo = nk.distance.BFS(g, s, storePaths=False)
        seconds = _timed_run(algo)
        dist = np.asarray(algo.getDistances())
        return np.where(dist > UNREACHED, -1, dist).astype(np.int64), seconds
    return trial


def connected_components(ctx: Context):
    nk, g = ctx.nk, ctx.nk_graph

    def trial():
        algo = nk.components.ConnectedComponents(g)
        seconds = _timed_run(algo)
        return np.asarray(algo.getPartition().getVector()), seconds
    return trial


def sssp(ctx: Context):
    nk, g, s = ctx.nk, ctx.nk_graph_w, ctx.source

    def trial():
        algo = nk.distance.Dijkstra(g, s, storePaths=False)
        seconds = _timed_run(algo)
        dist = np.asarray(algo.getDistances())
        return np.where(dist > UNREACHED, np.inf, dist), seconds
    return trial


def _pagerank(ctx: Context):
    """networkit's PageRank with pagerank.gdsl's stop rule (L1 change <= n * tol).

    On an undirected graph networkit does no sink handling (its DistributeSinks applies to
    directed graphs only), so the rank of isolated nodes is not spread. With a uniform
    teleport that only rescales the fixed point, so the check compares sum-normalized vectors.
    """
    nk = ctx.nk
    algo = nk.centrality.PageRank(ctx.nk_graph, damp=P.DAMPING, tol=ctx.n * P.PR_TOL)
    algo.norm = nk.centrality.Norm.L1_NORM
    algo.maxIterations = P.PR_MAX_ITER
    seconds = _timed_run(algo)
    scores = np.asarray(algo.scores())
    return scores / scores.sum(), seconds, algo.numberOfIterations()


def pagerank(ctx: Context):
    def trial():
        scores, seconds, _ = _pagerank(ctx)
        return scores, seconds
    return trial


def pagerank_per_iteration(ctx: Context):
    """The converged run's time divided by its own iteration count; its result is checked
    against graphbuild's converged PageRank (networkit's iterations are not graphbuild's)."""
    def trial():
        scores, seconds, iterations = _pagerank(ctx)
        return scores, seconds / max(iterations, 1)
    return trial


def katz(ctx: Context):
    """networkit iterates x <- alpha * A (1 + x) + beta, then scales x to unit length: its fixed
    point is (1 + beta) K - 1 for the Katz vector K = beta (I - alpha A)^-1 1 that katz.gdsl and
    networkx compute; the check maps graphbuild's K through that identity."""
    nk, g = ctx.nk, ctx.nk_graph

    def trial():
        algo = nk.centrality.KatzCentrality(g, alpha=P.KATZ_ALPHA, beta=P.KATZ_BETA, tol=P.KATZ_TOL)
        seconds = _timed_run(algo)
        return np.asarray(algo.scores()), seconds
    return trial


def label_propagation(ctx: Context):
    nk, g = ctx.nk, ctx.nk_graph

    def trial():
        algo = nk.community.PLP(g)
        seconds = _timed_run(algo)
        return np.asarray(algo.getPartition().getVector()), seconds
    return trial


def degree_centrality(ctx: Context):
    nk, g, n = ctx.nk, ctx.nk_graph, ctx.n

    def trial():
        # normalized=True divides by n, not n - 1; the division is done here instead.
        algo = nk.centrality.DegreeCentrality(g, normalized=False)
        seconds = _timed_run(algo)
        return np.asarray(algo.scores()) / (n - 1), seconds
    return trial


def triangle_count(ctx: Context):
    """Triangles per node from LocalClusteringCoefficient (its turbo mode counts them by
    degree-ordered intersections): t = c d (d - 1) / 2."""
    nk, g = ctx.nk, ctx.nk_graph

    def trial():
        algo = nk.centrality.LocalClusteringCoefficient(g, turbo=True)
        seconds = _timed_run(algo)
        c = np.asarray(algo.scores())
        d = np.asarray([g.degree(v) for v in range(ctx.n)], dtype=np.float64)
        return np.rint(c * d * (d - 1) / 2).astype(np.int64), seconds
    return trial


def k_core(ctx: Context):
    nk, g = ctx.nk, ctx.nk_graph

    def trial():
        algo = nk.centrality.CoreDecomposition(g)
        seconds = _timed_run(algo)
        return np.asarray(algo.scores()).astype(np.int64), seconds
    return trial
