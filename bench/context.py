"""One benchmark graph in every library's own form, each built on first use and kept for the scale.

Building is never timed: the benchmarks time the algorithms, as GAP does. Each library's graph
comes from the same cleaned Kronecker edge arrays (bench/kron.py), none from graphbuild's.
"""
from __future__ import annotations

import importlib
import time
from functools import cached_property
from typing import Any, Callable

import numpy as np

import gb
import kron


class PeerUnavailable(Exception):
    """The peer library is not installed (or cannot run here); the reason goes in the report."""


def require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise PeerUnavailable(f"{module} not installed ({exc}); `make bench-deps` installs it") from None


class Context:
    """Graphs for one scale. Attributes are built lazily, so a case that fails early costs nothing."""

    def __init__(self, scale: int, threads: int = 2, log: Callable[[str], None] = print):
        self.scale = scale
        self.threads = threads
        self.log = log
        self.kg = kron.load(scale, log=log)
        self.kg_path = kron.cache_path(self.kg.scale, self.kg.degree, self.kg.seed)
        self.n = self.kg.n
        self.build_seconds: dict[str, float] = {}
        self.gb_results: dict[str, dict[str, np.ndarray]] = {}  # case name -> graphbuild's columns

    def _timed_build(self, what: str, build: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = build()
        self.build_seconds[what] = time.perf_counter() - start
        self.log(f"  built {what} graph in {self.build_seconds[what]:.1f} s")
        return value

    # ---- shared facts ----

    @cached_property
    def weights(self) -> np.ndarray:
        return self.kg.sssp_weights()

    @cached_property
    def degree(self) -> np.ndarray:
        return np.diff(self.A.indptr)

    @cached_property
    def source(self) -> int:
        """GAP picks search sources at random among nodes with edges; one seeded pick per scale."""
        rng = np.random.default_rng(self.kg.seed + self.scale)
        candidates = np.flatnonzero(self.degree > 0)
        return int(candidates[rng.integers(len(candidates))])

    # ---- scipy ----

    @cached_property
    def A(self):
        return self._timed_build("scipy", lambda: kron.csr(self.kg))

    @cached_property
    def Aw(self):
        return self._timed_build("scipy weighted", lambda: kron.csr(self.kg, self.weights))

    # ---- graphbuild ----

    @cached_property
    def gb_graph(self):
        return self._timed_build("graphbuild", lambda: gb.graph_from_arrays(self.n, self.kg.src, self.kg.dst))

    @cached_property
    def gb_graph_w(self):
        return self._timed_build("graphbuild weighted", lambda: gb.graph_from_arrays(
            self.n, self.kg.src, self.kg.dst, self.weights))

    # ---- networkit ----

    @cached_property
    def nk(self):
        nk = require("networkit")
        if hasattr(nk, "setLogLevel"):
            nk.setLogLevel("ERROR")
        nk.setNumberOfThreads(self.threads)
        return nk

    @cached_property
    def nk_graph(self):
        def build():
            g = self.nk.Graph(self.n, weighted=False, directed=False)
            g.addEdges((self.kg.src, self.kg.dst))
            return g
        return self._timed_build("networkit", build)

    @cached_property
    def nk_graph_w(self):
        def build():
            g = self.nk.Graph(self.n, weighted=True, directed=False)
            g.addEdges((self.weights, (self.kg.src, self.kg.dst)))
            return g
        return self._timed_build("networkit weighted", build)

    # ---- igraph ----

    @cached_property
    def ig(self):
        return require("igraph")

    @cached_property
    def ig_graph(self):
        def build():
            g = self.ig.Graph(n=self.n, edges=np.stack([self.kg.src, self.kg.dst], axis=1), directed=False)
            g.es["weight"] = self.weights.tolist()
            return g
        return self._timed_build("igraph", build)

    # ---- networkx ----

    @cached_property
    def nx(self):
        return require("networkx")

    @cached_property
    def nx_graph(self):
        """Without weights: networkx's pagerank and hits read a "weight" attribute when present."""
        def build():
            g = self.nx.Graph()
            g.add_nodes_from(range(self.n))
            g.add_edges_from(zip(self.kg.src.tolist(), self.kg.dst.tolist()))
            return g
        return self._timed_build("networkx", build)

    @cached_property
    def nx_graph_w(self):
        def build():
            g = self.nx.Graph()
            g.add_nodes_from(range(self.n))
            g.add_weighted_edges_from(zip(self.kg.src.tolist(), self.kg.dst.tolist(), self.weights.tolist()))
            return g
        return self._timed_build("networkx weighted", build)
