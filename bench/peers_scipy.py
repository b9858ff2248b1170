"""scipy peers: scipy.sparse.csgraph for searches and components, CSR SpMV for PageRank.

Each function takes the scale's Context and returns a trial callable (see timing.run_trials)
whose value is already in the form the case's check compares.
"""
from __future__ import annotations

import time

import numpy as np

import bench_params as P
from context import Context, require


def _csgraph():
    require("scipy")
    import scipy.sparse.csgraph as csgraph
    return csgraph


def bfs(ctx: Context):
    csgraph, A, s = _csgraph(), ctx.A, ctx.source

    def trial():
        order, pred = csgraph.breadth_first_order(A, s, directed=True, return_predecessors=True)
        return ("tree", order, pred), None
    return trial


def connected_components(ctx: Context):
    csgraph, A = _csgraph(), ctx.A

    def trial():
        _, labels = csgraph.connected_components(A, directed=False)
        return labels, None
    return trial


def sssp_dijkstra(ctx: Context):
    csgraph, Aw, s = _csgraph(), ctx.Aw, ctx.source

    def trial():
        return csgraph.dijkstra(Aw, directed=True, indices=s), None
    return trial


def sssp_bellman_ford(ctx: Context):
    csgraph, Aw, s = _csgraph(), ctx.Aw, ctx.source

    def trial():
        return csgraph.bellman_ford(Aw, directed=True, indices=s), None
    return trial


def _power_iteration(A, deg: np.ndarray, damping: float, tol: float, max_iter: int):
    """pagerank.gdsl step for step as SpMV: pull sums, dangling rank spread evenly, L1 stop
    rule delta < n * tol. Returns (rank, iterations run)."""
    n = A.shape[0]
    dangling = deg == 0
    inv_deg = np.zeros(n)
    np.divide(1.0, deg, out=inv_deg, where=~dangling)
    # The bench graphs are undirected, so A is symmetric and A @ x is the pull over in-edges.
    rank = np.full(n, 1.0 / n)
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        leaked = rank[dangling].sum() / n
        new = (1.0 - damping) / n + damping * (A @ (rank * inv_deg) + leaked)
        delta = np.abs(new - rank).sum()
        rank = new
        if delta < n * tol:
            break
    return rank, iterations


def pagerank(ctx: Context):
    A, deg = ctx.A, ctx.degree

    def trial():
        rank, iterations = _power_iteration(A, deg, P.DAMPING, P.PR_TOL, P.PR_MAX_ITER)
        return rank, None
    return trial


def pagerank_per_iteration(ctx: Context):
    """Fixed iteration count (tol 0), seconds per iteration."""
    A, deg = ctx.A, ctx.degree

    def trial():
        start = time.perf_counter()
        rank, iterations = _power_iteration(A, deg, P.DAMPING, 0.0, P.PR_FIXED_ITERS)
        return rank, (time.perf_counter() - start) / iterations
    return trial
