"""Algebraic simplification and strength reduction, rule by rule, checked for exactness.

Each case is an expression that should (or, where the identity does not hold for the
executor's arithmetic, should not) be rewritten.  The rewritten program and the
original one run in the C executor on the same parameters, nan, infinities, signed
zeros and integer extremes included, and must give the same bits, as scalars and as
node vectors (where the rule runs inside a kernel).
"""
from __future__ import annotations

import math

import hypothesis
import pytest
from gdsl_programs import lowered
from hypothesis import strategies as st

from graphbuild import ir, runtime
from graphbuild.passes.cse import cse
from graphbuild.passes.fold import fold
from graphbuild.passes.simplify import simplify
from graphbuild.passes.strength import exact_reciprocal, strength_reduce
from graphbuild.plan.build import build_plan
from graphbuild.plan.options import PlanOptions

SIMPLIFY = [  # (expression, rewritten?)
    ("x + 0.0", False), ("x + -0.0", True), ("-0.0 + x", True), ("i + 0", True), ("x - 0.0", True),
    ("x * 1.0", True), ("x / 1.0", True), ("x ** 1.0", True), ("i // 1", True), ("i % 1", True),
    ("i - i", True), ("i * 0", True), ("x - x", False), ("x * 0.0", False),
    ("b and true", True), ("b or false", True), ("b and false", True), ("b or true", True),
    ("b and b", True), ("min(x, x)", True), ("max(i, i)", True),
    ("not not b", True), ("-(-x)", True), ("abs(-x)", True), ("abs(abs(i))", True),
    ("not (x == y)", True), ("not (x != y)", True), ("not (i < j)", True), ("not (i >= j)", True),
    ("not (x < y)", False), ("i == i", True), ("i < i", True), ("x == x", False), ("x <= x", False),
    ("x + (-y)", True), ("x - (-y)", True), ("(-x) * (-y)", True), ("(-i) + j", True),
    ("where(b, x, x)", True), ("where(not b, x, y)", True), ("where(b, true, false)", True),
    ("where(b, false, true)", True), ("(i + 3) + 4", True), ("(i * 3) * 5", True), ("(3 + i) + 4", True),
]
STRENGTH = [
    ("i ** 2", True), ("x ** 2", False), ("i ** 0", True), ("x ** 0.0", True), ("x / 4.0", True),
    ("x / 0.125", True), ("x / -2.0", True), ("x / 3.0", False), ("x / 1e-320", False),
    ("x // 1.0", False), ("x * -1.0", True), ("-1 * i", True),
]
SCALARS = {"x": "x", "y": "y", "i": "i", "j": "j", "b": "b"}
# the same names as node vectors that no pass can fold away
VECTORS = {"x": "(float(node_id()) * x)", "y": "(y + float(node_id()))", "i": "(node_id() + i)",
           "j": "(j - node_id())", "b": "(b == (node_id() > 1))"}
HEADER = "algorithm r(x: float = 0.0, y: float = 0.0, i: int = 0, j: int = 0, b: bool = false):\n"


def _program(expr: str, names: dict[str, str]) -> str:
    text = "".join(names.get(ch, ch) if ch in names and _alone(expr, k) else ch for k, ch in enumerate(expr))
    return HEADER + f"    a = {text}\n    return a\n"


def _alone(expr: str, k: int) -> bool:
    """expr[k] is a one-letter variable name, not part of a word."""
    before = expr[k - 1] if k > 0 else " "
    after = expr[k + 1] if k + 1 < len(expr) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def _graph():
    return runtime.Graph.from_edges(4, [(0, 1), (1, 2), (3, 3)], None, True)


def _run(fn, params) -> str:
    plan = build_plan(fn, "r.gdsl", PlanOptions.for_level(0))
    try:
        r = runtime.execute(plan, _graph(), params)
    except Exception as exc:  # noqa: BLE001  (the same error on both sides is the same outcome)
        return f"error {type(exc).__name__}"
    return repr((r.columns, r.values))


def _rewritten(source: str, pass_) -> tuple:
    base = cse(fold(lowered(source)))
    before = ir.format_ir(base)
    after_fn = pass_(cse(fold(lowered(source))))
    ir.verify(after_fn)
    return base, after_fn, ir.format_ir(after_fn) != before


FLOATS = st.sampled_from([0.0, -0.0, 1.5, -2.25, 3.0, 1e308, -1e-310, 5e-324, math.inf, -math.inf, math.nan,
                          0.1, 7.0, -1.0])
INTS = st.sampled_from([0, 1, -1, 2, 3, -7, 2**62, 2**63 - 1, -2**63, 12345])
CASES = [(e, r, simplify) for e, r in SIMPLIFY] + [(e, r, strength_reduce) for e, r in STRENGTH]


@pytest.mark.parametrize("shape", ["scalar", "vector"])
@pytest.mark.parametrize("expr, rewrites, pass_", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_where_exact_and_keeps_every_bit(expr, rewrites, pass_, shape):
    source = _program(expr, SCALARS if shape == "scalar" else VECTORS)
    base, rewritten, changed = _rewritten(source, pass_)
    assert changed == rewrites, ir.format_ir(rewritten)

    @hypothesis.settings(max_examples=25, deadline=None, derandomize=True)
    @hypothesis.given(x=FLOATS, y=FLOATS, i=INTS, j=INTS, b=st.booleans())
    def same(x, y, i, j, b):
        params = {"x": x, "y": y, "i": i, "j": j, "b": b}
        assert _run(base, params) == _run(rewritten, params), params

    same()


def test_exact_reciprocal_only_for_powers_of_two_with_normal_reciprocals():
    assert exact_reciprocal(4.0) == 0.25 and exact_reciprocal(-0.5) == -2.0
    assert exact_reciprocal(2.0 ** 1022) == 2.0 ** -1022
    assert exact_reciprocal(2.0 ** 1023) is None   # 2**-1023 is subnormal
    assert exact_reciprocal(3.0) is None and exact_reciprocal(0.0) is None
    assert exact_reciprocal(math.inf) is None
