"""The parser: tree shapes, precedence, spans, statements, aggregations, definitions."""
from __future__ import annotations

import math

import pytest

from graphbuild.errors import GraphbuildError
from graphbuild.lang import ast, parse


def sexpr(e: ast.Expr) -> str:
    """A compact, unambiguous rendering of an expression tree."""
    if isinstance(e, ast.Num):
        return repr(e.value)
    if isinstance(e, ast.Bool):
        return "true" if e.value else "false"
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Unary):
        return f"({e.op} {sexpr(e.operand)})"
    if isinstance(e, ast.Binary):
        return f"({e.op} {sexpr(e.left)} {sexpr(e.right)})"
    if isinstance(e, ast.Index):
        return f"{sexpr(e.target)}[{sexpr(e.index)}]"
    if isinstance(e, ast.Call):
        return f"{e.func}({', '.join(sexpr(a) for a in e.args)})"
    assert isinstance(e, ast.Aggregation)
    text = f"{e.func}({sexpr(e.expr)} for {e.var} in {e.direction}"
    if e.filter is not None:
        text += f" if {sexpr(e.filter)}"
    if e.default is not None:
        text += f", default={sexpr(e.default)}"
    return text + ")"


def value_of(text: str) -> ast.Expr:
    module = parse(f"algorithm f():\n    x = {text}\n    return x\n", "t.gdsl")
    return module.algorithms[0].body[0].value


def parse_error(source: str) -> GraphbuildError:
    with pytest.raises(GraphbuildError) as info:
        parse(source, "t.gdsl")
    return info.value


@pytest.mark.parametrize("text, tree", [
    ("1 + 2 * 3", "(+ 1 (* 2 3))"),
    ("1 - 2 - 3", "(- (- 1 2) 3)"),
    ("a / b // c % d", "(% (// (/ a b) c) d)"),
    ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
    ("-2 ** 2", "(- (** 2 2))"),
    ("2 ** -1", "(** 2 (- 1))"),
    ("- - a", "(- (- a))"),
    ("not a == b", "(not (== a b))"),
    ("a or b and c", "(or a (and b c))"),
    ("not a and not b or c", "(or (and (not a) (not b)) c)"),
    ("a + 1 < b * 2", "(< (+ a 1) (* b 2))"),
    ("(a < b) == c", "(== (< a b) c)"),
    ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
    ("x[u] / deg[u]", "(/ x[u] deg[u])"),
    ("x[s + 1]", "x[(+ s 1)]"),
    ("-x[0]", "(- x[0])"),
    ("true and false", "(and true false)"),
    ("min(a, b, c)", "min(a, b, c)"),
    ("node_count()", "node_count()"),
    ("f(a, b,)", "f(a, b)"),
])
def test_precedence_and_associativity(text, tree):
    assert sexpr(value_of(text)) == tree


def test_inf_and_nan_are_float_literals():
    inf, nan = value_of("inf"), value_of("nan")
    assert isinstance(inf, ast.Num) and inf.value == math.inf
    assert isinstance(nan, ast.Num) and math.isnan(nan.value)


@pytest.mark.parametrize("text, tree", [
    ("sum(rank[u] / deg[u] for u in in_nbrs)", "sum((/ rank[u] deg[u]) for u in in_nbrs)"),
    ("count(true for v in nbrs)", "count(true for v in nbrs)"),
    ("min(d[u] + weight for u in out_nbrs if weight > 0.5)",
     "min((+ d[u] weight) for u in out_nbrs if (> weight 0.5))"),
    ("mode(l[u] for u in nbrs, default=-1)", "mode(l[u] for u in nbrs, default=(- 1))"),
    ("max(x[u] for u in nbrs if x[u] > 0, default=0.0,)",
     "max(x[u] for u in nbrs if (> x[u] 0), default=0.0)"),
    ("sum(sum(x[u] for u in nbrs))", "sum(sum(x[u] for u in nbrs))"),
])
def test_aggregations(text, tree):
    assert sexpr(value_of(text)) == tree


def test_aggregation_spans():
    agg = value_of("sum(rank[u] for u in in_nbrs)")
    assert isinstance(agg, ast.Aggregation)
    assert agg.span == ast.Span(2, 9, 3)
    assert agg.var_span == ast.Span(2, 25, 1)
    assert agg.direction_span == ast.Span(2, 30, 7)


def test_spans_point_at_operators_names_and_brackets():
    e = value_of("a + rank[u] * 2")
    assert e.span == ast.Span(2, 11, 1)                      # the '+'
    assert e.left.span == ast.Span(2, 9, 1)
    mul = e.right
    assert mul.span == ast.Span(2, 21, 1)                    # the '*'
    assert mul.left.span == ast.Span(2, 17, 1)               # the '[' of the Index
    assert mul.left.target.span == ast.Span(2, 13, 4)        # 'rank'
    call = value_of("node_count()")
    assert call.span == ast.Span(2, 9, 10)
    neg = value_of("-a")
    assert neg.span == ast.Span(2, 9, 1)


def test_statements():
    source = """\
algorithm f(k: int = 3):
    i = 0
    repeat k:
        i = i + 1
    repeat k until i > 10:
        i = i * 2
    while i > 0:
        i = i - 1
    if i == 0:
        j = 1
    elif i == 1:
        j = 2
    elif i == 2:
        j = 3
    else:
        j = 4
    if true:
        j = 5
    return i, j + 1
"""
    body = parse(source, "t.gdsl").algorithms[0].body
    assign, rep, rep_until, loop, cond, cond2, ret = body
    assert isinstance(assign, ast.Assign) and assign.target == "i" and assign.span == ast.Span(2, 5, 1)
    assert isinstance(rep, ast.Repeat) and rep.until is None and sexpr(rep.count) == "k"
    assert rep.span == ast.Span(3, 5, 6) and len(rep.body) == 1
    assert sexpr(rep_until.until) == "(> i 10)"
    assert isinstance(loop, ast.While) and sexpr(loop.cond) == "(> i 0)"
    assert isinstance(cond, ast.If) and [sexpr(c) for c, _ in cond.arms] == [
        "(== i 0)", "(== i 1)", "(== i 2)"]
    assert [s.value.value for _, b in cond.arms for s in b] == [1, 2, 3]
    assert cond.orelse[0].value.value == 4
    assert cond2.orelse is None
    assert isinstance(ret, ast.Return) and [sexpr(v) for v in ret.values] == ["i", "(+ j 1)"]
    assert ret.span == ast.Span(19, 5, 6)


def test_definitions_and_parameters():
    source = """\
# two algorithms in one file
algorithm first(damping: float = 0.85, tol: float = 1e-6, source: node, flag: bool = false,
                shift: int = -1, low: float = -inf,):
    return damping

algorithm second():
    return 1
"""
    module = parse(source, "t.gdsl")
    assert module.path == "t.gdsl" and module.source == source
    first, second = module.algorithms
    assert (first.name, first.span) == ("first", ast.Span(2, 11, 5))
    assert [(p.name, p.type_name) for p in first.params] == [
        ("damping", "float"), ("tol", "float"), ("source", "node"), ("flag", "bool"),
        ("shift", "int"), ("low", "float")]
    damping, tol, source_p, flag, shift, low = first.params
    assert damping.span == ast.Span(2, 17, 7)
    assert damping.default.value == 0.85 and tol.default.value == 1e-6
    assert source_p.default is None
    assert isinstance(flag.default, ast.Bool) and flag.default.value is False
    assert isinstance(shift.default, ast.Unary) and shift.default.operand.value == 1
    assert sexpr(low.default) == "(- inf)"
    assert second.params == []


def test_continuation_lines_inside_brackets():
    source = "algorithm f():\n    x = min(1,\n  2,\n            3) + (4 *\n5)\n    return x\n"
    body = parse(source, "t.gdsl").algorithms[0].body
    assert sexpr(body[0].value) == "(+ min(1, 2, 3) (* 4 5))"
    assert body[1].span.line == 6


def test_source_without_trailing_newline():
    module = parse("algorithm f():\n    return 1", "t.gdsl")
    assert isinstance(module.algorithms[0].body[0], ast.Return)


def test_empty_file_parses_to_no_algorithms():
    assert parse("# nothing\n", "t.gdsl").algorithms == []


@pytest.mark.parametrize("source, message, line, col", [
    ("algorithm f()\n    return 1\n", "expected ':' after the parameter list, got end of line", 1, 14),
    ("algorithm (): \n", "expected the algorithm's name after 'algorithm', got '('", 1, 11),
    ("algorithm f(a: int b: int):\n", "expected ',' or ')' in the parameter list, got 'b'", 1, 20),
    ("algorithm f():\n    x = 1 2\n", "expected end of line, got '2'", 2, 11),
    ("algorithm f():\n    x = (1 + 2\n    return x\n", "'(' was never closed", 2, 9),
    ("algorithm f():\n    x = (1 + 2]\n", "closing ']' does not match '('", 2, 15),
    ("algorithm f():\n    x = (1 + 2 3)\n", "expected ')' to close the parenthesis, got '3'", 2, 16),
    ("algorithm f():\n    x = sum(y for u nbrs)\n", "expected 'in' after 'for u', got 'nbrs'", 2, 21),
    ("algorithm f():\n    x = sum(y for 1 in nbrs)\n", "expected the neighbor variable after 'for'",
     2, 19),
    ("algorithm f():\n    x = sum(y for u in if)\n", "expected a neighbor direction", 2, 24),
    ("algorithm f():\n    while true: x = 1\n", "expected end of line after ':', got 'x'", 2, 17),
    ("algorithm f():\n    return 1\n  x = 2\n", "inconsistent dedent", 3, 3),
    ("algorithm f():\n    x = a < b == c\n", "comparisons do not chain; use 'and'", 2, 15),
    ("algorithm f():\n    x = y[1\n", "'[' was never closed", 2, 10),
    ("algorithm f():\n    x = y[1)\n", "closing ')' does not match '['", 2, 12),
    ("algorithm f():\n    elif true:\n        x = 1\n", "'elif' without a matching 'if'", 2, 5),
    ("algorithm f():\n    x = 1\n    if x == 1:\n        x = 2\n    else\n", "expected ':' after 'else'",
     5, 9),
    ("algorithm f():\n    for = 1\n", "cannot assign to keyword 'for'", 2, 5),
    ("algorithm f():\n    in\n", "expected a statement, got 'in'", 2, 5),
    ("algorithm f():\n    x = 1\n    x *= 2\n", "'*=' is not supported", 3, 7),
    ("algorithm f(a: int = true and false):\n", "expected ',' or ')' in the parameter list", 1, 27),
    ("algorithm f(a: int = -true):\n", "a parameter default must be a literal", 1, 22),
])
def test_syntax_errors(source, message, line, col):
    err = parse_error(source)
    assert message in err.message
    assert (err.location.line, err.location.col) == (line, col)


@pytest.mark.parametrize("text, message, col", [
    ("(" * 41 + "1" + ")" * 41, "expression nested too deeply (more than 40 levels)", 49),
    ("- " * 41 + "1", "expression nested too deeply (more than 40 levels)", 89),
    ("not " * 41 + "true", "expression nested too deeply (more than 40 levels)", 169),
    (" + ".join(["1"] * 101), "expression is too deep (more than 100 levels)", 9),
])
def test_nesting_limits_keep_every_stage_off_the_recursion_limit(text, message, col):
    err = parse_error(f"algorithm f():\n    x = {text}\n    return x\n")
    assert err.message == message
    assert (err.location.line, err.location.col) == (2, col)
    assert err.hint == "split it into several assignments"


def test_deep_but_allowed_expressions_parse():
    for text in ("(" * 39 + "1" + ")" * 39, " + ".join(["1"] * 100), "abs(" * 38 + "1" + ")" * 38):
        value_of(text)
