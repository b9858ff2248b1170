# graphbuild — common tasks.  `make test` is what CI runs.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install install-test native test test-py test-c bench lint clean

# Install graphbuild (builds the C executor through cffi).
install:
	$(PIP) install .

# Install with the test extras (pytest, hypothesis, networkx, scipy, numpy, ruff) and the
# Spark engine's (pyspark: its tests run in local mode, on the machine's Java 17).
install-test:
	$(PIP) install ".[test,spark]"

# Build the C extension in place, for working in the source tree.
native:
	$(PYTHON) setup.py -q build_ext --inplace

# Everything CI checks: lint, the Python suite against the installed package, networkx's own
# tests against the networkx backend, then the C tests under AddressSanitizer and
# UndefinedBehaviorSanitizer (and ThreadSanitizer).
test: install-test lint test-py test-nx test-c

# Spread over the cores (at most 4 workers); the Spark tests share one worker (tests/conftest.py).
test-py:
	$(PYTHON) -P -m pytest -q -n auto --maxprocesses 4 --dist loadgroup

# networkx's test modules for every function the backend implements, each call dispatched to
# graphbuild (networkx runs what the backend refuses); plans cached in a scratch directory.
NX_TESTS = networkx.algorithms.link_analysis networkx.algorithms.centrality.tests.test_katz_centrality \
	networkx.algorithms.centrality.tests.test_degree_centrality networkx.algorithms.traversal.tests.test_bfs \
	networkx.algorithms.components networkx.algorithms.tests.test_core networkx.algorithms.shortest_paths \
	networkx.algorithms.tests.test_cluster networkx.algorithms.centrality.tests.test_betweenness_centrality \
	networkx.algorithms.centrality.tests.test_closeness_centrality \
	networkx.algorithms.centrality.tests.test_harmonic_centrality

.PHONY: test-nx
test-nx:
	@cache=$$(mktemp -d) && trap 'rm -rf "$$cache"' EXIT && \
	GRAPHBUILD_CACHE_DIR="$$cache" NETWORKX_TEST_BACKEND=graphbuild NETWORKX_FALLBACK_TO_NX=True \
	$(PYTHON) -P -m pytest -q -p no:cacheprovider --pyargs $(NX_TESTS)

include tests/c/Makefile.inc

# Static checks (ruff comes with the test extras; installed here if it is missing).
lint:
	$(PYTHON) -m ruff --version >/dev/null 2>&1 || $(PIP) install ruff
	$(PYTHON) -m ruff check graphbuild tests bench

# Remove build products and caches.
clean:
	rm -rf build dist *.egg-info graphbuild/_native*.so graphbuild/_native.c graphbuild/_native.o \
	       .pytest_cache tests/c/build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# ---- benchmarks (bench/) ----
.PHONY: bench-quick bench-opt bench-deps

# Install the peers the benchmarks compare against (the "bench" extra: networkx, scipy, numpy,
# igraph, networkit); a peer that is missing shows as n/a in the tables.
bench-deps:
	$(PIP) install ".[bench]"

# graphbuild vs scipy, igraph, networkit, networkx (scale 16), a hand-written C PageRank and the
# C baselines of the published BFS, CC, SSSP and k-core algorithms (bench/baseline/) on
# Kronecker graphs of scale 16, 18 and 20, results checked; tables in bench/results/ (~20 min).
bench: native
	$(PYTHON) bench/run.py --scales 16 18 20

# Only the rows with a published-algorithm C baseline (bfs, connected_components, sssp, k_core:
# bench/baseline/) at scales 16, 18 and 20; the other rows of each table are kept from its
# previous run and marked as carried over (~10 minutes).
.PHONY: bench-baselines
bench-baselines: native
	$(PYTHON) bench/run.py --scales 16 18 20 --only bfs,connected_components,sssp,k_core --keep-other-rows

# The same at scale 16 only (a few minutes).
bench-quick: native
	$(PYTHON) bench/run.py --scales 16

# Each shipped algorithm at -O0 and -O1 on Kronecker scale 18: speedups, plan statistics and a
# check that both levels agree; table in bench/results/opt.md.
bench-opt: native
	$(PYTHON) bench/opt.py --scale 18

# Issue 12's betweenness targets: 64 sampled sources at Kronecker scale 18 and exact
# betweenness at scale 14, graphbuild (2 threads) against networkit and igraph over the same
# sources; one markdown row each for bench/results/betweenness.md (exact at 14: ~10 minutes).
.PHONY: bench-betweenness
bench-betweenness: native
	$(PYTHON) bench/betweenness.py 2 1 18:64 14:0

# ---- the Python API and the networkx backend (bench/api.py) ----
.PHONY: bench-api

# Issue 15's targets: Graph.from_edges on 1M numpy edges, converting a 1M-edge networkx graph,
# nx.pagerank through the backend against networkx at Kronecker scale 16, gb.run at scale 20
# call-to-array against the C run, and should_run's crossover; bench/results/api.md (a few
# minutes).  Runs the installed package: networkx finds backends through entry points.
bench-api: install
	$(PYTHON) bench/api.py

# Compile time against program size (250, 500, 1,000 and 10,000 variables, four program
# shapes), CPU seconds per stage and the growth rate; table in bench/results/compile.md.
.PHONY: bench-compile
bench-compile:
	$(PYTHON) bench/compile.py

# ---- layouts (bench/layout.py) ----
.PHONY: bench-layout

# Issue 14's layout step: PageRank per iteration on kron:20 and uniform:20 (2 threads) under
# the input layout and the degree layout, beside the GAP-style C pull loop on both CSRs; the
# one-off relabel cost and the graph-cache hit with a stored layout; bench/results/layout.md
# (a few minutes).
bench-layout: native
	$(PYTHON) bench/layout.py --graphs kron:20 uniform:20 --threads 2

# The `auto` rule's evidence: every shipped whole-graph algorithm under both layouts on
# kron:16/18/20, uniform:20 and a Chung-Lu power-law graph (web:20); bench/results/layout_algos.md
# (about 10 minutes on an idle machine).
.PHONY: bench-layout-algos
bench-layout-algos: native
	$(PYTHON) bench/layout_algos.py --threads 2

# How far a hand-written pull PageRank gets against the GAP-style loop on the input graph
# (layout, tuned loop, sorted in-neighbors, segments; bench/baseline/pagerank_layout.c), in
# turns in one process; bench/results/layout_best.md (a few minutes).
.PHONY: bench-layout-best
bench-layout-best: native
	$(PYTHON) bench/layout_best.py --graphs kron:20 --threads 2

# ---- graph input (bench/io.py) ----
.PHONY: bench-io bench-memory

# Kronecker scale 20 written once as a ~430 MB edge list (bench/data/), then timed: parse +
# build directed and undirected, the graph cache's first store and its hit (a few minutes).
bench-io: native
	$(PYTHON) bench/io.py --scale 20

# profile-memory --predict against measured peak RSS for pagerank, bfs and sssp on Kronecker
# scales 16, 18 and 20, and scipy's PageRank memory; table in bench/results/memory.md (~10 min).
bench-memory: native
	$(PYTHON) bench/memory.py --scales 16 18 20

# ---- writing results (bench/output.py) ----
.PHONY: bench-output

# PageRank on Kronecker scale 20: --top 0 / --top 3 / --output .csv .jsonl .json / --json, one
# process each, CPU and wall; appended to bench/results/output.md (about a minute).
bench-output: install
	$(PYTHON) bench/output.py --scale 20

# ---- the Spark engine (bench/spark.py) ----
.PHONY: bench-spark

# PageRank and connected components on Kronecker scales 14-20 on the C engine and on Spark in
# local mode (2 cores), per iteration; table in bench/results/spark.md (needs the spark extra
# and Java 17; about an hour at scale 20).
bench-spark: native
	$(PIP) install -q ".[spark]"
	$(PYTHON) bench/spark.py --scales 14 16 18 20
