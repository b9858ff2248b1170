"""`format_ast`: the checked AST as text, for `graphbuild compile --emit ast`.

One statement per line, prefixed by its line:col; expressions are fully parenthesized so
the parse is visible; each assignment shows the type the checker gave its value, and the
return shows each output's name and type.
"""
from __future__ import annotations

import math

from . import ast


def format_expr(e: ast.Expr) -> str:
    if isinstance(e, ast.Num):
        if isinstance(e.value, float) and not math.isfinite(e.value):
            return "nan" if math.isnan(e.value) else ("inf" if e.value > 0 else "-inf")
        return repr(e.value)
    if isinstance(e, ast.Bool):
        return "true" if e.value else "false"
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Unary):
        space = " " if e.op == "not" else ""
        return f"({e.op}{space}{format_expr(e.operand)})"
    if isinstance(e, ast.Binary):
        return f"({format_expr(e.left)} {e.op} {format_expr(e.right)})"
    if isinstance(e, ast.Index):
        return f"{format_expr(e.target)}[{format_expr(e.index)}]"
    if isinstance(e, ast.Call):
        return f"{e.func}({', '.join(format_expr(a) for a in e.args)})"
    assert isinstance(e, ast.Aggregation)
    text = f"{e.func}({format_expr(e.expr)} for {e.var} in {e.direction}"
    if e.filter is not None:
        text += f" if {format_expr(e.filter)}"
    if e.default is not None:
        text += f", default={format_expr(e.default)}"
    return text + ")"


def _typed(e: ast.Expr) -> str:
    return f"{format_expr(e)} : {e.ty}" if e.ty is not None else format_expr(e)


def _block(body: list[ast.Stmt], depth: int, out: list[str]) -> None:
    def line(span: ast.Span, text: str) -> None:
        out.append(f"{span.line:>4}:{span.col:<3} {'    ' * depth}{text}")

    for stmt in body:
        if isinstance(stmt, ast.Assign):
            line(stmt.span, f"{stmt.target} = {_typed(stmt.value)}")
        elif isinstance(stmt, ast.Repeat):
            until = f" until {format_expr(stmt.until)}" if stmt.until is not None else ""
            line(stmt.span, f"repeat {format_expr(stmt.count)}{until}:")
            _block(stmt.body, depth + 1, out)
        elif isinstance(stmt, ast.While):
            line(stmt.span, f"while {format_expr(stmt.cond)}:")
            _block(stmt.body, depth + 1, out)
        elif isinstance(stmt, ast.For):
            args = ", ".join(format_expr(a) for a in stmt.args)
            line(stmt.span, f"for {stmt.var} in {stmt.kind}({args}):")
            _block(stmt.body, depth + 1, out)
        elif isinstance(stmt, ast.If):
            for i, (cond, arm) in enumerate(stmt.arms):
                line(cond.span if i else stmt.span, f"{'elif' if i else 'if'} {format_expr(cond)}:")
                _block(arm, depth + 1, out)
            if stmt.orelse is not None:
                out.append(f"{'':8} {'    ' * depth}else:")
                _block(stmt.orelse, depth + 1, out)
        else:
            assert isinstance(stmt, ast.Return)
            values = ", ".join(format_expr(v) for v in stmt.values)
            outputs = ", ".join(f"{n}: {v.ty}" for n, v in zip(stmt.names, stmt.values))
            line(stmt.span, f"return {values}" + (f"    -> {outputs}" if outputs else ""))


def format_ast(module: ast.Module) -> str:
    """Every algorithm of `module`, its parameters and its statements, as text."""
    out: list[str] = [f"# {module.path}"]
    for alg in module.algorithms:
        params = ", ".join(
            f"{p.name}: {p.type_name}" + (_format_bounds(p.bounds) if p.bounds is not None else "")
            + (f" = {format_expr(p.default)}" if p.default is not None else "")
            for p in alg.params)
        out.append(f"{alg.span.line:>4}:{alg.span.col:<3} algorithm {alg.name}({params}):")
        _block(alg.body, 1, out)
    return "\n".join(out) + "\n"


def _format_bounds(b: ast.Bounds) -> str:
    return (f" in {'[' if b.low_closed else '('}{format_expr(b.low)}, {format_expr(b.high)}"
            f"{']' if b.high_closed else ')'}")
