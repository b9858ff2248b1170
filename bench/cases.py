"""The benchmark cases: each shipped algorithm that has a peer, its parameters, peers and check.

A case runs one .gdsl program on the scale's graph with fixed parameters; each peer computes
the same thing with the same parameters, and `check(peer_value, gb_columns, ctx)` decides
whether the peer's answer agrees with graphbuild's before its time is trusted.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

import bench_params as P
import cbaseline
import checks
import peers_igraph as IG
import peers_networkit as NK
import peers_networkx as NX
import peers_scipy as SP
from context import Context
from timing import Timing

GAP_C = "GAP-style C"  # the published-algorithm baselines in bench/baseline/ (not PageRank's)
PEER_COLUMNS = ["scipy", "igraph", "networkit", "networkx", "C-i32", "C-i64", GAP_C]
NETWORKX_MAX_SCALE = 16

Columns = dict[str, np.ndarray]


@dataclass
class Peer:
    make: Callable[[Context], Any]   # -> trial callable, or a finished Timing
    check: Callable[[Any, Columns, Context], checks.Check] | None = None  # overrides the case's
    note: str = ""
    max_trials: int | None = None    # caps the trials of a slow peer


@dataclass
class Case:
    name: str                                   # the table row
    algorithm: str                              # algorithms/<algorithm>.gdsl
    params: Callable[[Context], dict[str, Any]]
    check: Callable[[Any, Columns, Context], checks.Check]
    peers: dict[str, Peer] = field(default_factory=dict)
    weighted: bool = False
    per_iteration: int = 0                      # > 0: graphbuild's time is divided by it
    note: str = ""
    gb_info: Callable[[Columns, Context], str] | None = None  # a fact about graphbuild's own result


# ---- checks ----

def _bfs(value, gb: Columns, ctx: Context) -> checks.Check:
    if isinstance(value, tuple) and value[0] == "tree":
        return checks.bfs_tree(value[1], value[2], gb["level"], ctx.source)
    return checks.exact(value, gb["level"], "levels")


def _pagerank_tol(ctx: Context) -> float:
    return P.PR_CHECK_FACTOR * ctx.n * P.PR_TOL + 1e-9


def _ranks(value, gb: Columns, ctx: Context) -> checks.Check:
    return checks.l1(checks.sum_normalized(value), checks.sum_normalized(gb["rank"]), _pagerank_tol(ctx))


def _fixed_iterations(value, gb: Columns, ctx: Context) -> checks.Check:
    return checks.l1(value, gb["rank"], P.FIXED_ITER_L1)


def _against_converged_pagerank(value, gb: Columns, ctx: Context) -> checks.Check:
    converged = ctx.gb_results.get("pagerank")
    if converged is None:
        return False, "graphbuild's converged pagerank is missing"
    return _ranks(value, converged, ctx)


def _katz(value, gb: Columns, ctx: Context) -> checks.Check:
    K = gb["centrality"]
    tol = P.KATZ_REL_L1 * float(np.abs(K).sum())
    return checks.l1(value, K, tol)


def _katz_networkit(value, gb: Columns, ctx: Context) -> checks.Check:
    expected = (1.0 + P.KATZ_BETA) * gb["centrality"] - 1.0
    expected /= np.linalg.norm(expected)
    return checks.l1(value, expected, P.KATZ_REL_L1 * float(np.abs(expected).sum()))


def _hits(value, gb: Columns, ctx: Context) -> checks.Check:
    results = [checks.l1(checks.sum_normalized(value[k]), gb[k], P.HITS_L1) for k in ("hub", "authority")]
    return all(ok for ok, _ in results), "hub " + results[0][1] + ", authority " + results[1][1]


def _label_propagation(value, gb: Columns, ctx: Context) -> checks.Check:
    return checks.fixpoint(value, ctx.A.indptr, ctx.A.indices)


def _degree(value, gb: Columns, ctx: Context) -> checks.Check:
    return checks.l1(value, gb["centrality"], 1e-9)


# ---- peers that need more than a trial callable ----

def _baseline(index64: bool, trials: int = 4) -> Callable[[Context], Timing]:
    """The C loop's best showing: OpenMP threads spinning at barriers win on an idle machine
    and lose badly when other processes want the cores, so one trial under each wait policy
    picks the faster, which then runs the remaining trials (named in the timing's note)."""
    def run(ctx: Context, policy: str | None, count: int) -> tuple[list[float], np.ndarray]:
        times, scores = cbaseline.run(ctx, P.PR_FIXED_ITERS, trials=count, threads=ctx.threads,
                                      damping=P.DAMPING, index64=index64, wait_policy=policy)
        return [t / P.PR_FIXED_ITERS for t in times], scores

    def make(ctx: Context) -> Timing:
        probes = {policy: run(ctx, policy, 1) for policy in (None, "passive")}
        policy = min(probes, key=lambda p: min(probes[p][0]))
        times, scores = probes[policy]
        more, scores = run(ctx, policy, trials - 1)
        return Timing(times + more, scores, note=f"OMP_WAIT_POLICY={policy or 'default'}")
    return make


def _gap(algorithm: str, args: Callable[[Context], list] = lambda ctx: [], trials: int = 5,
         policies: tuple[str | None, ...] = (None, "passive")) -> Callable[[Context], Timing]:
    """A published-algorithm baseline (cbaseline.GAP_PROGRAMS), `trials` runs in one process.
    As for PageRank's loop, each OpenMP wait policy first gets two trials and the faster one
    runs the rest (named in the note); the sequential k-core has no policy to pick."""
    def make(ctx: Context) -> Timing:
        def run(policy: str | None, count: int) -> tuple[list[float], np.ndarray]:
            return cbaseline.run_gap(ctx, algorithm, count, ctx.threads, args(ctx), wait_policy=policy)

        probes = {policy: run(policy, 2) for policy in policies}
        policy = min(probes, key=lambda p: min(probes[p][0]))
        times, result = probes[policy]
        if trials > len(times):
            more, result = run(policy, trials - len(times))
            times = times + more
        note = f"OMP_WAIT_POLICY={policy or 'default'}" if len(policies) > 1 else ""
        return Timing(times, result, note=note)
    return make


def _triangle_total(value, gb: Columns, ctx: Context) -> checks.Check:
    total = int(np.asarray(gb["triangles"]).sum()) // 3
    return (int(value[0]) == total), f"total {int(value[0])} vs graphbuild's {total}"


def _sssp_close(value, gb: Columns, ctx: Context) -> checks.Check:
    return checks.relative(value, gb["dist"], P.SSSP_REL, "distances")


def _source(ctx: Context) -> dict[str, Any]:
    return {"source": str(ctx.source)}  # a node parameter takes the input's id; ids are indices


CASES: list[Case] = [
    Case("bfs", "bfs", _source, _bfs, {
        "scipy": Peer(SP.bfs, note="breadth_first_order; its BFS tree is checked against the levels"),
        "igraph": Peer(IG.bfs), "networkit": Peer(NK.bfs), "networkx": Peer(NX.bfs),
        GAP_C: Peer(_gap("bfs", lambda ctx: [ctx.source]),
                    note="direction-optimizing (Beamer et al. SC'12), alpha 15, beta 18, OpenMP")}),
    Case("connected_components", "connected_components", lambda ctx: {},
         lambda v, gb, ctx: checks.same_partition(v, gb["comp"]), {
             "scipy": Peer(SP.connected_components), "igraph": Peer(IG.connected_components),
             "networkit": Peer(NK.connected_components), "networkx": Peer(NX.connected_components),
             GAP_C: Peer(_gap("connected_components"),
                         note="Afforest (Sutton et al. IPDPS'18), 2 sampling rounds, OpenMP")}),
    Case("sssp", "sssp", _source, lambda v, gb, ctx: checks.exact(v, gb["dist"], "distances"), {
        "scipy": Peer(SP.sssp_dijkstra, note="dijkstra (bellman_ford is O(n m) here: minutes at scale 16)"),
        "igraph": Peer(IG.sssp), "networkit": Peer(NK.sssp), "networkx": Peer(NX.sssp),
        GAP_C: Peer(_gap("sssp", lambda ctx: [ctx.source, P.SSSP_DELTA]), check=_sssp_close,
                    note=f"delta-stepping (Meyer & Sanders 2003), GAP's thread-local bins, "
                         f"delta {P.SSSP_DELTA}, OpenMP; checked within {P.SSSP_REL:.0e} relative")},
        weighted=True, note="integer weights 1..255 as GAP's SSSP; graphbuild runs Bellman-Ford"),
    Case("pagerank", "pagerank",
         lambda ctx: {"damping": P.DAMPING, "tol": P.PR_TOL, "max_iter": P.PR_MAX_ITER}, _ranks, {
             "scipy": Peer(SP.pagerank, note="SpMV power iteration, same stop rule"),
             "igraph": Peer(IG.pagerank, note="PRPACK direct solve"),
             "networkit": Peer(NK.pagerank, note="L1 stop rule; no sink handling on undirected graphs "
                               "(compared sum-normalized)"),
             "networkx": Peer(NX.pagerank)},
         note="converged: L1 change < n * 1e-12"),
    Case("pagerank/iter", "pagerank",
         lambda ctx: {"damping": P.DAMPING, "tol": 0.0, "max_iter": P.PR_FIXED_ITERS}, _fixed_iterations, {
             "scipy": Peer(SP.pagerank_per_iteration),
             "networkit": Peer(NK.pagerank_per_iteration, check=_against_converged_pagerank,
                               note="converged run / its iterations"),
             "C-i32": Peer(_baseline(False), note="GAP-style pull loop, int32 neighbors, OpenMP"),
             "C-i64": Peer(_baseline(True), note="the same loop with int64 neighbors"),
         }, per_iteration=P.PR_FIXED_ITERS,
         note=f"ms per iteration, {P.PR_FIXED_ITERS} iterations (tol 0)"),
    Case("personalized_pagerank", "personalized_pagerank",
         lambda ctx: {**_source(ctx), "damping": P.DAMPING, "tol": P.PR_TOL, "max_iter": P.PR_MAX_ITER},
         _ranks, {"igraph": Peer(IG.personalized_pagerank), "networkx": Peer(NX.personalized_pagerank)}),
    Case("katz", "katz",
         lambda ctx: {"alpha": P.KATZ_ALPHA, "beta": P.KATZ_BETA, "tol": P.KATZ_TOL, "normalized": False},
         _katz, {"networkit": Peer(NK.katz, check=_katz_networkit,
                                   note="its own fixed point (1+beta)K-1, mapped from graphbuild's K"),
                 "networkx": Peer(NX.katz)},
         note=f"alpha {P.KATZ_ALPHA}, unnormalized"),
    Case("hits", "hits", lambda ctx: {"max_iter": P.HITS_MAX_ITER, "tol": P.HITS_TOL}, _hits,
         {"igraph": Peer(IG.hits, note="hub_score + authority_score (ARPACK)"),
          "networkx": Peer(NX.hits, note="scipy svds")}),
    Case("label_propagation", "label_propagation", lambda ctx: {"max_iter": P.LP_MAX_ITER},
         _label_propagation, {
             "igraph": Peer(IG.label_propagation), "networkit": Peer(NK.label_propagation, note="PLP"),
             "networkx": Peer(NX.label_propagation, note="semi-synchronous")},
         note="peers update in other orders: checked for being a fixed point, not against graphbuild",
         gb_info=lambda gb, ctx: "graphbuild: " + _label_propagation(gb["label"], gb, ctx)[1]),
    Case("degree_centrality", "degree_centrality", lambda ctx: {}, _degree, {
        "igraph": Peer(IG.degree_centrality), "networkit": Peer(NK.degree_centrality),
        "networkx": Peer(NX.degree_centrality)}),
    Case("k_core", "k_core", lambda ctx: {}, lambda v, gb, ctx: checks.exact(v, gb["core"], "core numbers"), {
        "igraph": Peer(IG.k_core), "networkit": Peer(NK.k_core, note="CoreDecomposition"),
        "networkx": Peer(NX.k_core),
        GAP_C: Peer(_gap("k_core", policies=(None,)),
                    note="Batagelj-Zaversnik O(m) bucket peeling, sequential")}),
    Case("triangle_count", "triangle_count", lambda ctx: {},
         lambda v, gb, ctx: checks.exact(v, gb["triangles"], "triangles per node"), {
             "igraph": Peer(IG.triangle_count, note="transitivity_local_undirected * d(d-1)/2"),
             "networkit": Peer(NK.triangle_count, note="LocalClusteringCoefficient(turbo) * d(d-1)/2"),
             "networkx": Peer(NX.triangle_count),
             GAP_C: Peer(_gap("triangle_count", trials=3), check=_triangle_total,
                         note="GAP's ordered count, degree relabeling when skewed, OpenMP; the "
                              "total only")}),
]


def peers_for(case: Case, scale: int) -> dict[str, Peer]:
    """The case's peers at this scale; networkx (pure Python, seconds to a minute per run at
    scale 16) runs only at small scales and once."""
    return {name: replace(peer, max_trials=1) if name == "networkx" else peer
            for name, peer in case.peers.items()
            if name != "networkx" or scale <= NETWORKX_MAX_SCALE}
