"""Plans run in the C executor: optimization never changes a result or an error.

Optimized and unoptimized plans of every test program give identical results (floats
bit for bit), run-time errors survive optimization and name their source line, and a
property test compares -O0 and -O1 on random expressions, which checks constant folding
against the executor's arithmetic.
"""
from __future__ import annotations

import math

import hypothesis
import pytest
from gdsl_programs import CORNERS, sources
from hypothesis import strategies as st

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import ErrorKind, GraphbuildError

GRAPHS = {
    "directed_weighted": {"n": 6, "edges": [(0, 1), (1, 2), (2, 0), (3, 4), (0, 0), (4, 3), (2, 3)],
                          "weights": [1.0, 0.3, 2.0, 0.7, 0.9, 1.5, 0.2], "directed": True},
    "undirected_with_isolated": {"n": 7, "edges": [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (1, 3)],
                                 "weights": None, "directed": False},
}


def graph(name: str):
    spec = GRAPHS[name]
    return runtime.Graph.from_edges(spec["n"], spec["edges"], spec["weights"], spec["directed"])


def _result_or_error(plan, g):
    try:
        return runtime.execute(plan, g)
    except GraphbuildError as exc:
        return exc


def _same(a, b) -> bool:
    """Equal bit for bit: nan matches nan, -0.0 does not match 0.0."""
    return repr(a) == repr(b)


@pytest.mark.parametrize("gname", sorted(GRAPHS))
@pytest.mark.parametrize("name", sorted(sources()))
def test_optimized_and_unoptimized_plans_agree(name, gname):
    g = graph(gname)
    plain, opt = [_result_or_error(compile_source(sources()[name], "t.gdsl", None, level), g)
                  for level in (0, 1)]
    if isinstance(plain, GraphbuildError) or isinstance(opt, GraphbuildError):
        # a program that stops on this graph (common() on a directed one) stops alike at both levels
        assert str(plain) == str(opt) and plain.kind == opt.kind, (plain, opt)
        assert "common() needs an undirected graph" in str(plain)
        return
    assert plain.columns.keys() == opt.columns.keys() and plain.values.keys() == opt.values.keys()
    for col in plain.columns:
        assert all(_same(a, b) for a, b in zip(plain.columns[col], opt.columns[col])), col
    for key in plain.values:
        assert _same(plain.values[key], opt.values[key]), key


def test_corner_programs_compute_the_right_values():
    g = graph("directed_weighted")
    r = runtime.execute(compile_source(CORNERS["loops"], "t.gdsl", None, 1), g)
    assert r.columns["acc"] == [18] * 6 and r.values == {"total": 6, "a": 2, "b": 1}
    r = runtime.execute(compile_source(CORNERS["branches"], "t.gdsl", None, 1), g, {"k": 0})
    assert r.values["q"] == 2.0 + 2  # x[1] = out_degree 1 + 1, and y = 2 on the elif path
    r = runtime.execute(compile_source(CORNERS["reductions"], "t.gdsl", None, 1), g)
    # a reduction read through fill(s) waits for the kernel that computes it
    assert r.columns["y"] == [14, 7, 14, 7, 7, 0] and r.values == {"m": 2, "k": 5}
    r = runtime.execute(compile_source(CORNERS["aggregates"], "t.gdsl", None, 1), g)
    assert r.columns["lo"][5] == math.inf  # no in-neighbors: the identity of min
    assert r.columns["t"][5] == 2.0 and r.columns["t"][1] == 4.0 * 0.3  # no edge: the default


def _run_error(source: str, params=None, level=1, **options) -> GraphbuildError:
    plan = compile_source(source, "t.gdsl", None, level)
    with pytest.raises(GraphbuildError) as err:
        runtime.execute(plan, graph("directed_weighted"), params or {}, **options)
    return err.value


@pytest.mark.parametrize("level", [0, 1])
def test_an_unused_division_by_zero_still_fails_and_names_its_line(level):
    err = _run_error("algorithm a(k: int = 0):\n    x = 10 // k\n    return k\n", level=level)
    assert err.kind is ErrorKind.RUNTIME and err.location.line == 2


def test_short_circuit_skips_the_division():
    plan = compile_source("algorithm a(k: int = 0):\n    b = k != 0 and 10 // k > 1\n    return b\n",
                          "t.gdsl", None, 1)
    assert runtime.execute(plan, graph("directed_weighted")).values == {"b": False}


def test_index_out_of_range_and_iteration_limit_name_their_lines():
    err = _run_error("algorithm a(i: int = 99):\n    x = out_degree()\n    y = x[i]\n    return y\n")
    assert err.location.line == 3
    err = _run_error("algorithm a():\n    i = 0\n    while true:\n        i = i + 1\n    return i\n",
                     max_iterations=50)
    assert err.kind is ErrorKind.RUNTIME and err.location.line == 3 and "50" in err.message


# ---- property: optimization never changes a result or an error ----------------------

def _expressions(leaves: list[str], literals: list[str], binary: list[str], unary: list[str]):
    def grow(sub):
        pair = st.tuples(sub, sub)
        return st.one_of(
            st.builds(lambda ab, op: f"({ab[0]} {op} {ab[1]})", pair, st.sampled_from(binary)),
            st.builds(lambda ab, f: f"{f}({ab[0]}, {ab[1]})", pair, st.sampled_from(["min", "max"])),
            st.builds(lambda a, f: f"{f}({a})", sub, st.sampled_from(unary)),
            st.builds(lambda ab: f"where({ab[0]} < {ab[1]}, {ab[0]}, {ab[1]})", pair),
        )
    return st.recursive(st.sampled_from(leaves + literals), grow, max_leaves=6)


INT_EXPR = _expressions(["k", "(k - 1)", "int(x)"], ["0", "1", "2", "-3", "7", "9223372036854775807"],
                        ["+", "-", "*", "//", "%", "**"], ["abs", "-"])
FLOAT_EXPR = _expressions(["x", "float(k)"], ["0.0", "-0.0", "0.5", "-2.25", "inf", "nan", "3"],
                          ["+", "-", "*", "/", "//", "%", "**"],
                          ["abs", "-", "floor", "ceil", "sqrt", "exp", "log"])
VECTOR_EXPR = _expressions(["fill(k)", "out_degree()", "fill(2)"], ["0", "1", "-3"],
                           ["+", "-", "*", "//", "%"], ["abs", "-"])


def _outcome(source: str, level: int, params: dict):
    try:
        plan = compile_source(source, "t.gdsl", None, level)
        r = runtime.execute(plan, graph("directed_weighted"), params)
    except GraphbuildError as err:
        return ("error", err.kind, err.location.line if err.location else None)
    return ("ok", {k: [repr(v) for v in vs] for k, vs in r.columns.items()},
            {k: repr(v) for k, v in r.values.items()})


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(a=INT_EXPR, b=FLOAT_EXPR, v=VECTOR_EXPR, k=st.integers(-3, 3),
                  x=st.sampled_from([0.0, -1.5, 2.0, 1e300, math.inf]))
def test_optimization_keeps_results_and_errors(a, b, v, k, x):
    source = (f"algorithm p(k: int = 0, x: float = 0.0):\n    a = {a}\n    b = {b}\n"
              f"    v = {v}\n    return a, b, v\n")
    params = {"k": k, "x": x}
    assert _outcome(source, 0, params) == _outcome(source, 1, params), source
