"""PageRank, HITS, Katz and degree centralities for networkx, on the shipped programs.

Each runs on the graph's "arcs" form (networkx's adjacency matrix) or, for degrees, its
"edges" form (networkx's degree counts), with networkx's parameters and its stop rule; a
result that did not converge within max_iter raises PowerIterationFailedConvergence, as
networkx does.  Vector-valued arguments (a personalization over several nodes, a start vector)
have no .gdsl parameter to go to: the refusals below name them, and networkx runs instead.
"""
from __future__ import annotations

from numbers import Real
from typing import Any

from ..runtime.params import NodeIndex
from .graph import BackendGraph
from .programs import converged, run
from .registry import implements


def distribution(G: Any, values: dict | None) -> tuple[str, Any] | None:
    """A per-node vector as the programs can take it: ("uniform", None) for None or the same
    nonzero value on every node, ("node", v) for one nonzero value on node v; None for any
    other vector (or one that sums to zero).  Keys that are not nodes are ignored, as
    networkx ignores them."""
    if values is None:
        return ("uniform", None)
    nonzero = [(v, x) for v, x in values.items() if v in G and x != 0]
    if len(nonzero) == 1:
        return ("node", nonzero[0][0])
    if nonzero and len(nonzero) == len(G) and len({x for _, x in nonzero}) == 1:
        return ("uniform", None)
    return None


def _pagerank_refusal(a: dict[str, Any]) -> str | None:
    G = a["G"]
    teleport = distribution(G, a["personalization"])
    if teleport is None:
        return ("personalization over several nodes (or summing to zero): a .gdsl program "
                "takes scalar parameters, not a vector")
    if distribution(G, a["nstart"]) != ("uniform", None):
        return "nstart other than uniform: the programs start from the uniform vector"
    if a["dangling"] is not None and distribution(G, a["dangling"]) != teleport:
        return "dangling weights other than the personalization"
    return None


@implements(refuse=_pagerank_refusal)
def pagerank(G: BackendGraph, alpha=0.85, personalization=None, max_iter=100, tol=1.0e-6,
             nstart=None, weight="weight", dangling=None) -> dict:
    n = len(G)
    if n == 0:
        return {}
    kind, source = distribution(G, personalization)
    weighted = G.weights_for(weight) is not None
    if kind == "node":
        if weighted:
            raise NotImplementedError("personalized PageRank with edge weights: "
                                      "personalized_pagerank.gdsl counts edges")
        r = run(G.form("arcs"), "personalized_pagerank", source=NodeIndex(G.index[source]),
                damping=alpha, tol=tol, max_iter=max_iter)
    else:
        r = run(G.form("arcs", weight), "weighted_pagerank" if weighted else "pagerank",
                damping=alpha, tol=tol, max_iter=max_iter)
    converged(r["delta"], n * tol, max_iter)
    return G.to_dict(r["rank"])


def _hits_refusal(a: dict[str, Any]) -> str | None:
    if distribution(a["G"], a["nstart"]) != ("uniform", None):
        return "nstart other than uniform: hits.gdsl starts from uniform hubs"
    return None


@implements(refuse=_hits_refusal)
def hits(G: BackendGraph, max_iter=100, tol=1.0e-8, nstart=None, normalized=True) -> tuple[dict, dict]:
    if len(G) == 0:
        return {}, {}
    if max_iter <= 0:   # networkx's check before its solver starts
        import networkx as nx

        raise nx.PowerIterationFailedConvergence(max_iter)
    r = run(G.form("arcs", "weight"), "hits", max_iter=max_iter, tol=tol, normalized=bool(normalized))
    if not r["err"] < tol:
        # networkx's max_iter bounds its sparse SVD solver, which may converge where max_iter
        # power iterations do not: let networkx decide (it raises if it does not converge)
        raise NotImplementedError(f"hits.gdsl did not converge in {max_iter} power iterations")
    return G.to_dict(r["hub"]), G.to_dict(r["authority"])


def _katz_refusal(a: dict[str, Any]) -> str | None:
    G, beta, nstart = a["G"], a["beta"], a["nstart"]
    if isinstance(beta, dict):
        if set(beta) != set(G) or len(set(beta.values())) > 1:
            return "beta differs between nodes: katz.gdsl takes one beta"
    elif not isinstance(beta, Real) or isinstance(beta, bool):
        return f"beta {beta!r} is not a number"
    if nstart is not None and (set(nstart) != set(G) or any(x != 0 for x in nstart.values())):
        return "nstart other than zero: katz.gdsl starts from 0"
    return None


@implements(refuse=_katz_refusal)
def katz_centrality(G: BackendGraph, alpha=0.1, beta=1.0, max_iter=1000, tol=1.0e-6, nstart=None,
                    normalized=True, weight=None) -> dict:
    n = len(G)
    if n == 0:
        return {}
    if isinstance(beta, dict):
        beta = next(iter(beta.values()))
    name = "weighted_katz" if G.weights_for(weight) is not None else "katz"
    r = run(G.form("arcs", weight), name, alpha=float(alpha), beta=float(beta), max_iter=max_iter,
            tol=float(tol), normalized=bool(normalized))
    converged(r["err"], n * tol, max_iter)
    return G.to_dict(r["centrality"])


@implements()
def degree_centrality(G: BackendGraph) -> dict:
    if len(G) == 0:
        return {}
    return G.to_dict(run(G.form("edges"), "degree_centrality")["centrality"])


@implements()
def in_degree_centrality(G: BackendGraph) -> dict:
    if len(G) == 0:
        return {}
    return G.to_dict(run(G.form("arcs"), "in_degree_centrality")["centrality"])


@implements()
def out_degree_centrality(G: BackendGraph) -> dict:
    if len(G) == 0:
        return {}
    return G.to_dict(run(G.form("arcs"), "out_degree_centrality")["centrality"])
