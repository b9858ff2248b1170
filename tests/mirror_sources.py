"""numpy transliterations of the shipped programs that loop over sources (`for s in ...`),
in tests/mirror.py's manner: the body of the loop once per source, in source order, with the
breadth-first search by levels and Brandes' backward sweep as the programs write them."""
from __future__ import annotations

import numpy as np
from mirror import Arcs, Frame

from graphbuild.plan.sources import sample_sources


def _kept(arcs: Arcs, keep: np.ndarray) -> Arcs:
    return Arcs(arcs.v[keep], arcs.u[keep], arcs.w[keep])


def _levels(f: Frame, s: int, arcs: Arcs) -> np.ndarray:
    """level from s; a node joins when a neighbor over `arcs` is in the frontier."""
    level = np.where(f.node_id() == s, 0, -1)
    frontier = f.node_id() == s
    depth = 0
    while np.any(frontier):
        depth = depth + 1
        frontier = f.any(arcs, frontier[arcs.u]) & (level == -1)
        level = np.where(frontier, depth, level)
    return level


def _forward(f: Frame, s: int):
    IN = f.in_nbrs
    level = np.where(f.node_id() == s, 0, -1)
    sigma = np.where(f.node_id() == s, 1.0, 0.0)
    frontier = f.node_id() == s
    depth = 0
    while np.any(frontier):
        depth = depth + 1
        frontier = f.any(IN, frontier[IN.u]) & (level == -1)
        on = _kept(IN, level[IN.u] == depth - 1)
        sigma = np.where(frontier, f.sum(on, sigma[on.u]), sigma)
        level = np.where(frontier, depth, level)
    return level, sigma, depth


def _backward(f: Frame, level: np.ndarray, sigma: np.ndarray, depth: int) -> np.ndarray:
    delta = 0.0 * sigma
    d = depth - 1
    while d > 1:
        d = d - 1
        on = _kept(f.out_nbrs, level[f.out_nbrs.u] == d + 1)
        delta = np.where(level == d, sigma * f.sum(on, (1.0 + delta[on.u]) / sigma[on.u]), delta)
    return delta


def betweenness(f: Frame):
    """
    n = node_count()
    bc = fill(0.0)
    for s in sources():
        level = where(node_id() == s, 0, -1)
        sigma = where(node_id() == s, 1.0, 0.0)
        frontier = node_id() == s
        depth = 0
        while any(frontier):
            depth = depth + 1
            frontier = any(frontier[u] for u in in_nbrs) and level == -1
            sigma = where(frontier, sum(sigma[u] for u in in_nbrs if level[u] == depth - 1), sigma)
            level = where(frontier, depth, level)
        delta = 0.0 * sigma
        d = depth - 1
        while d > 1:
            d = d - 1
            dep = sigma * sum((1.0 + delta[u]) / sigma[u] for u in out_nbrs if level[u] == d + 1)
            delta = where(level == d, dep, delta)
        bc = bc + delta
    scale = 1.0
    if n > 2:
        scale = 1.0 / float((n - 1) * (n - 2))
    bc = bc * scale
    return bc
    """
    n = f.node_count()
    bc = f.fill(0.0)
    for s in range(n):
        level, sigma, depth = _forward(f, s)
        bc = bc + _backward(f, level, sigma, depth)
    scale = 1.0
    if n > 2:
        scale = 1.0 / float((n - 1) * (n - 2))
    bc = bc * scale
    return {"bc": bc}


def betweenness_sample(f: Frame, k=64, seed=0):
    """
    n = node_count()
    bc = fill(0.0)
    sampled = fill(0)
    for s in sample(k, seed):
        level = where(node_id() == s, 0, -1)
        sigma = where(node_id() == s, 1.0, 0.0)
        frontier = node_id() == s
        depth = 0
        while any(frontier):
            depth = depth + 1
            frontier = any(frontier[u] for u in in_nbrs) and level == -1
            sigma = where(frontier, sum(sigma[u] for u in in_nbrs if level[u] == depth - 1), sigma)
            level = where(frontier, depth, level)
        delta = 0.0 * sigma
        d = depth - 1
        while d > 1:
            d = d - 1
            dep = sigma * sum((1.0 + delta[u]) / sigma[u] for u in out_nbrs if level[u] == d + 1)
            delta = where(level == d, dep, delta)
        bc = bc + delta
        sampled = sampled + int(node_id() == s)
    kk = min(k, n)
    if n > 2 and kk < n:
        bc = bc * where(sampled > 0, 1.0 / float((kk - 1) * (n - 2)), 1.0 / float(kk * (n - 2)))
    elif n > 2:
        bc = bc * (1.0 / float((n - 1) * (n - 2)))
    return bc
    """
    n = f.node_count()
    bc = f.fill(0.0)
    sampled = f.fill(0)
    for s in sample_sources(n, k, seed):
        level, sigma, depth = _forward(f, s)
        bc = bc + _backward(f, level, sigma, depth)
        sampled = sampled + (f.node_id() == s).astype(np.int64)
    kk = min(k, n)
    if n > 2 and kk < n:
        with np.errstate(divide="ignore", invalid="ignore"):
            source_scale = 1.0 / float((kk - 1) * (n - 2)) if kk > 1 else np.inf
            bc = bc * np.where(sampled > 0, source_scale, 1.0 / float(kk * (n - 2)))
    elif n > 2:
        bc = bc * (1.0 / float((n - 1) * (n - 2)))
    return {"bc": bc}


def closeness(f: Frame, wf_improved=True):
    """
    n = node_count()
    closeness = fill(0.0)
    for s in sources():
        level = where(node_id() == s, 0, -1)
        frontier = node_id() == s
        depth = 0
        while any(frontier):
            depth = depth + 1
            frontier = any(frontier[u] for u in out_nbrs) and level == -1
            level = where(frontier, depth, level)
        total = sum(where(level > 0, level, 0))
        reached = count(level > 0)
        c = 0.0
        if total > 0 and n > 1:
            c = float(reached) / float(total)
            if wf_improved:
                c = c * (float(reached) / float(n - 1))
        closeness = closeness + where(node_id() == s, c, 0.0)
    return closeness
    """
    n = f.node_count()
    closeness = f.fill(0.0)
    for s in range(n):
        level = _levels(f, s, f.out_nbrs)
        total = int(np.sum(np.where(level > 0, level, 0)))
        reached = int(np.count_nonzero(level > 0))
        c = 0.0
        if total > 0 and n > 1:
            c = float(reached) / float(total)
            if wf_improved:
                c = c * (float(reached) / float(n - 1))
        closeness = closeness + np.where(f.node_id() == s, c, 0.0)
    return {"closeness": closeness}


def harmonic(f: Frame):
    """
    harmonic = fill(0.0)
    for s in sources():
        level = where(node_id() == s, 0, -1)
        frontier = node_id() == s
        depth = 0
        while any(frontier):
            depth = depth + 1
            frontier = any(frontier[u] for u in in_nbrs) and level == -1
            level = where(frontier, depth, level)
        harmonic = harmonic + where(level > 0, 1.0 / float(level), 0.0)
    return harmonic
    """
    harmonic = f.fill(0.0)
    for s in range(f.node_count()):
        level = _levels(f, s, f.in_nbrs)
        with np.errstate(divide="ignore"):
            harmonic = harmonic + np.where(level > 0, 1.0 / level.astype(float), 0.0)
    return {"harmonic": harmonic}
