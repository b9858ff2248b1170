"""Property: random well-typed programs on random graphs give the same results at -O0 and
-O1 (exactly for ints and bools, within 1e-12 relative for floats), or fail with the same
error at the same source line.  Programs come from tests/gdsl_gen.py."""
from __future__ import annotations

import math

import hypothesis
from gdsl_gen import programs
from hypothesis import strategies as st

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import GraphbuildError


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 7))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=14))
    weights = None
    if draw(st.booleans()):
        weights = draw(st.lists(st.sampled_from([0.5, 1.0, 2.25, 3.0, 0.1]), min_size=len(edges),
                                max_size=len(edges)))
    return n, edges, weights, draw(st.booleans())


def outcome(source: str, level: int, graph) -> tuple:
    plan = compile_source(source, "p.gdsl", None, level)
    try:
        r = runtime.execute(plan, graph, max_iterations=100)
    except GraphbuildError as err:
        return ("error", err.kind, err.location.line if err.location else None)
    return ("ok", r.columns, r.values)


def close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return type(a) is type(b) and a == b


def same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or a[0] == "error":
        return a == b
    (_, cols_a, vals_a), (_, cols_b, vals_b) = a, b
    if cols_a.keys() != cols_b.keys() or vals_a.keys() != vals_b.keys():
        return False
    return (all(len(cols_a[k]) == len(cols_b[k]) and all(map(close, cols_a[k], cols_b[k])) for k in cols_a)
            and all(close(vals_a[k], vals_b[k]) for k in vals_a))


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(source=programs(common=True), spec=graphs())
def test_optimized_programs_compute_what_unoptimized_ones_do(source, spec):
    n, edges, weights, directed = spec
    graph = runtime.Graph.from_edges(n, edges, weights, directed)
    plain, optimized = outcome(source, 0, graph), outcome(source, 1, graph)
    assert same(plain, optimized), f"{source}\n-O0: {plain}\n-O1: {optimized}"
