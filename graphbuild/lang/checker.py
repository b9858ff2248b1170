"""The .gdsl checker: names, types and definite assignment, statement by statement.

It walks each algorithm in source order, so the first error it raises is the first one in
the file, and fills in the AST fields marked "set by the checker". Definite assignment is
two sets carried along the statements: `defined` (assigned on every path here) and `maybe`
(assigned on some path); a loop may run zero times, so it adds nothing to `defined`.
"""
from __future__ import annotations

import math
from dataclasses import fields
from typing import NoReturn

from ..plan import bounds
from ..types import Shape, Type
from . import ast
from .checker_builtins import BOOL, FLOAT, INT, NODE, PARAM_TYPES, article, reserved_reason, suggest
from .checker_exprs import ExprChecker, Scope, start_span
from .diagnostics import program_error

Flow = tuple[frozenset[str], frozenset[str]]  # (defined, maybe)


def assigned_in(body: list[ast.Stmt]) -> set[str]:
    """Every variable some statement in `body` (at any depth) assigns."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            names.add(stmt.target)
        elif isinstance(stmt, (ast.Repeat, ast.While, ast.For)):
            names |= assigned_in(stmt.body)
        elif isinstance(stmt, ast.If):
            for _, arm in stmt.arms:
                names |= assigned_in(arm)
            names |= assigned_in(stmt.orelse or [])
    return names


def names_read(node) -> list[ast.Name]:
    """Every Name an expression, statement or list of them reads, in source order."""
    if isinstance(node, ast.Name):
        return [node]
    if isinstance(node, (list, tuple)):
        return [n for x in node for n in names_read(x)]
    if isinstance(node, (ast.Expr, ast.Stmt)):
        return [n for f in fields(node) if f.name not in ("span", "ty")
                for n in names_read(getattr(node, f.name))]
    return []


def accumulation(stmt: ast.Stmt) -> ast.Expr | None:
    """The EXPR of `x = x + EXPR`, else None."""
    if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Binary) and stmt.value.op == "+"
            and isinstance(stmt.value.left, ast.Name) and stmt.value.left.id == stmt.target):
        return stmt.value.right
    return None


def assignments(body: list[ast.Stmt]) -> list[ast.Assign]:
    """Every assignment in body, nested blocks included, in source order."""
    out: list[ast.Assign] = []
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            out.append(stmt)
        elif isinstance(stmt, (ast.Repeat, ast.While, ast.For)):
            out += assignments(stmt.body)
        elif isinstance(stmt, ast.If):
            for _, arm in stmt.arms:
                out += assignments(arm)
            out += assignments(stmt.orelse or [])
    return out


class Checker:
    def __init__(self, module: ast.Module):
        self.module = module
        self.depth = 0   # compound statements around the current one

    def fail(self, where: ast.Span | ast.Expr, message: str, hint: str | None = None) -> NoReturn:
        span = where if isinstance(where, ast.Span) else start_span(where)
        raise program_error(self.module.path, self.module.source, span, message, hint)

    def run(self) -> None:
        if not self.module.algorithms:
            self.fail(ast.Span(1, 1), "this file defines no algorithm",
                      hint="start one with 'algorithm NAME(...):'")
        first: dict[str, ast.Algorithm] = {}
        for alg in self.module.algorithms:
            if alg.name in first:
                self.fail(alg.span, f"duplicate algorithm '{alg.name}'",
                          hint=f"the first is on line {first[alg.name].span.line}")
            first[alg.name] = alg
            self.algorithm(alg)

    def algorithm(self, alg: ast.Algorithm) -> None:
        self.scope = Scope(self.params(alg.params), assigned_in(alg.body))
        self.exprs = ExprChecker(self.scope, self.fail)
        self.top = alg.body
        self.block(alg.body, (frozenset(), frozenset()))
        if not isinstance(alg.body[-1], ast.Return):
            self.fail(alg.span, f"algorithm '{alg.name}' has no 'return'",
                      hint="end it with 'return NAME, ...'")

    # ---- parameters -----------------------------------------------------------------

    def params(self, params: list[ast.Param]) -> dict[str, Type]:
        types: dict[str, Type] = {}
        for p in params:
            if p.name in types:
                self.fail(p.span, f"duplicate parameter '{p.name}'")
            reason = reserved_reason(p.name)
            if reason is not None:
                self.fail(p.span, f"cannot name a parameter '{p.name}', {reason}")
            dtype = PARAM_TYPES.get(p.type_name)
            if dtype is None:
                self.fail(p.span, f"parameter '{p.name}' has unknown type '{p.type_name}'; "
                          "expected int, float, bool or node", hint=suggest(p.type_name, PARAM_TYPES))
            types[p.name] = Type.scalar(dtype)
            if p.default is not None:
                self.param_default(p, types[p.name])
            if p.bounds is not None:
                self.param_bounds(p, types[p.name])
        return types

    def param_bounds(self, p: ast.Param, ty: Type) -> None:
        """A range: on an int or float parameter, number ends (whole for an int), not empty,
        holding the default."""
        b = p.bounds
        if ty.dtype not in (INT, FLOAT):
            self.fail(b.span, f"only int and float parameters take a range; '{p.name}' is {article(ty)}")
        ends = []
        for end in (b.low, b.high):
            num = end.operand if isinstance(end, ast.Unary) else end
            if isinstance(num, ast.Bool):
                self.fail(end, f"an end of the range of '{p.name}' must be a number, got "
                          f"{'true' if num.value else 'false'}")
            value = -num.value if isinstance(end, ast.Unary) else num.value
            if math.isnan(value):
                self.fail(end, f"nan cannot be an end of the range of '{p.name}'")
            if ty.dtype is INT and isinstance(value, float) and not math.isinf(value):
                self.fail(end, f"the range of int parameter '{p.name}' needs whole-number ends "
                          f"(or inf), got {value!r}")
            ends.append(value)
        low, high = ends
        value = bounds.make(low, high, b.low_closed, b.high_closed)
        if low == math.inf or high == -math.inf or bounds.is_empty(value):
            shown = f"{'[' if b.low_closed else '('}{low:g}, {high:g}{']' if b.high_closed else ')'}"
            self.fail(b.span, f"the range {shown} of '{p.name}' is empty",
                      hint="write the lower end first; [a, a] holds only a")
        if p.default is not None:
            default = -p.default.operand.value if isinstance(p.default, ast.Unary) else p.default.value
            if not bounds.contains(value, default):
                self.fail(p.default, f"default {default!r} of '{p.name}' is outside its range "
                          f"{bounds.describe(value)}")
        b.value = value

    def param_default(self, p: ast.Param, ty: Type) -> None:
        """Check a literal default against the declared type and give it exactly that type."""
        lit = p.default
        num = lit.operand if isinstance(lit, ast.Unary) else lit
        if isinstance(num, ast.Bool):
            given = BOOL
        else:
            given = FLOAT if isinstance(num.value, float) else INT
        fits = given is ty.dtype or (given is INT and ty.dtype in (FLOAT, NODE))
        if not fits:
            self.fail(lit, f"default of '{p.name}' must be {article(ty)}, got {article(Type.scalar(given))}")
        if ty.dtype is NODE and isinstance(lit, ast.Unary):
            self.fail(lit, f"default of node parameter '{p.name}' must be a node index >= 0",
                      hint="0 is the graph's first node")
        if ty.dtype is FLOAT:
            num.value = float(num.value)  # a float parameter's default is a float value
        num.ty = lit.ty = ty

    # ---- statements -----------------------------------------------------------------

    def block(self, body: list[ast.Stmt], flow: Flow) -> Flow:
        # A run of assignments adds its targets to one set of the block's own: a frozenset
        # per statement would copy every name defined so far, N^2 for N statements.
        defined, maybe = set(flow[0]), set(flow[1])
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                self.assign(stmt, (defined, maybe))
                defined.add(stmt.target)
                maybe.add(stmt.target)
            else:
                after = self.statement(stmt, (frozenset(defined), frozenset(maybe)))
                defined, maybe = set(after[0]), set(after[1])
        return frozenset(defined), frozenset(maybe)

    def statement(self, stmt: ast.Stmt, flow: Flow) -> Flow:
        if isinstance(stmt, ast.For):
            return self.for_(stmt, flow)
        self.depth += 1
        try:
            return self.simple_statement(stmt, flow)
        finally:
            self.depth -= 1

    def for_(self, stmt: ast.For, flow: Flow) -> Flow:
        """A loop over sources: `s` is a scalar node defined in the body only; variables of
        the body are fresh for each source; a variable from before the loop can only be
        accumulated (`x = x + EXPR`, once, at the body's top level, read nowhere else in
        it), so the sources can run in any grouping and be summed in source order."""
        defined, maybe = flow
        if self.depth > 0:
            self.fail(stmt.span, "a 'for' loop over sources must be at the top level of the algorithm",
                      hint="sources run side by side; put other loops inside the 'for', not around it")
        scope, var = self.scope, stmt.var
        reason = reserved_reason(var)
        if reason is not None:
            self.fail(stmt.var_span, f"cannot name the source '{var}', {reason}")
        if var in scope.params or var in scope.assigned:
            kind = "parameter" if var in scope.params else "variable"
            self.fail(stmt.var_span, f"'{var}' is already a {kind}; name the source something else")
        for what, arg in zip(("k", "seed"), stmt.args):
            ty = self.expr(arg, flow)
            if ty != Type.scalar(INT):
                self.fail(arg, f"{what} of sample() must be a scalar int, got {ty}")
        self.accumulators(stmt, maybe, defined)
        for name in assigned_in(stmt.body) - maybe:
            scope.loop_locals.setdefault(name, stmt.span.line)
        scope.variables[var] = Type.scalar(NODE)
        self.depth += 1
        try:
            self.block(stmt.body, (defined | {var}, maybe | {var}))
        finally:
            self.depth -= 1
        return flow

    def accumulators(self, stmt: ast.For, maybe: frozenset[str], defined: frozenset[str]) -> None:
        outer = assigned_in(stmt.body) & maybe
        hint = "sources run side by side; write 'x = x + EXPR' to sum per-source values into x"
        seen: set[str] = set()
        for a in assignments(stmt.body):
            if a.target not in outer:
                continue
            value = accumulation(a)
            if a not in stmt.body or value is None:
                self.fail(a.span, f"'{a.target}' is assigned before the 'for' loop; inside it, it can "
                          "only be accumulated", hint=hint)
            if a.target in seen:
                self.fail(a.span, f"'{a.target}' is accumulated twice in this 'for' loop",
                          hint="add both values in one 'x = x + ...'")
            if a.target not in defined:
                self.fail(a.span, f"'{a.target}' must be assigned on every path before the 'for' "
                          "loop to accumulate into it")
            seen.add(a.target)
        for name in names_read(stmt.body):
            if name.id in outer and not any(accumulation(a) is not None and a.value.left is name
                                            for a in stmt.body):
                self.fail(name, f"cannot read '{name.id}' inside the 'for' loop that accumulates "
                          "into it", hint="its sum is complete only after the loop")

    def simple_statement(self, stmt: ast.Stmt, flow: Flow) -> Flow:
        defined, maybe = flow
        if isinstance(stmt, ast.Assign):
            self.assign(stmt, flow)
            return defined | {stmt.target}, maybe | {stmt.target}
        if isinstance(stmt, ast.Repeat):
            count = self.expr(stmt.count, flow)
            if count != Type.scalar(INT):
                hint = "convert it with int(...)" if count == Type.scalar(FLOAT) else None
                self.fail(stmt.count, f"count of 'repeat' must be a scalar int, got {count}", hint)
            end = self.block(stmt.body, (defined, maybe | assigned_in(stmt.body)))
            if stmt.until is not None:
                self.condition("until", stmt.until, end)
            return defined, end[1]
        if isinstance(stmt, ast.While):
            loop = (defined, maybe | assigned_in(stmt.body))
            self.condition("while", stmt.cond, loop)
            return defined, self.block(stmt.body, loop)[1]
        if isinstance(stmt, ast.If):
            ends = []
            for i, (cond, body) in enumerate(stmt.arms):
                self.condition("if" if i == 0 else "elif", cond, flow)
                ends.append(self.block(body, flow))
            ends.append(self.block(stmt.orelse, flow) if stmt.orelse is not None else flow)
            return (frozenset.intersection(*(d for d, _ in ends)),
                    frozenset.union(*(m for _, m in ends)))
        assert isinstance(stmt, ast.Return)
        self.return_(stmt, flow)
        return flow

    def expr(self, e: ast.Expr, flow: Flow) -> Type:
        self.scope.defined, self.scope.maybe = flow
        return self.exprs.expr(e)

    def condition(self, keyword: str, cond: ast.Expr, flow: Flow) -> None:
        ty = self.expr(cond, flow)
        if ty == Type.scalar(BOOL):
            return
        if ty.dtype is BOOL:
            hint = "reduce it with any(...) or all(...)"
        elif ty.shape is Shape.VECTOR:
            hint = "compare and reduce it, e.g. any(x > 0)"
        else:
            hint = "compare it, e.g. x > 0"
        self.fail(cond, f"condition of '{keyword}' must be a scalar bool, got {ty}", hint)

    def assign(self, stmt: ast.Assign, flow: Flow) -> None:
        name, scope = stmt.target, self.scope
        reason = reserved_reason(name)
        if reason is not None:
            self.fail(stmt.span, f"cannot assign to '{name}', {reason}", hint="pick another name")
        if name in scope.params:
            self.fail(stmt.span, f"cannot assign to parameter '{name}'",
                      hint=f"copy it into a variable first, e.g. 'my_{name} = {name}'")
        ty = self.expr(stmt.value, flow)
        old = scope.variables.get(name)
        if old is None:
            scope.variables[name] = ty
            scope.first_assigned[name] = stmt.span
        elif old != ty:
            if old.dtype is INT and ty.dtype is FLOAT:
                advice = "start it as a float, e.g. 0.0 instead of 0"
            elif old.shape is Shape.SCALAR and ty.shape is Shape.VECTOR:
                advice = "start it as a node vector, e.g. with fill(...)"
            else:
                advice = f"use a new name; '{name}' is first assigned on line " \
                         f"{scope.first_assigned[name].line}"
            self.fail(stmt.value, f"'{name}' was {old}, cannot assign {article(ty)} "
                      "(a variable keeps one type)", hint=advice)

    def return_(self, stmt: ast.Return, flow: Flow) -> None:
        if stmt is not self.top[-1]:
            self.fail(stmt.span, "'return' must be the last statement of the algorithm")
        names: list[str] = []
        unnamed = 0
        for value in stmt.values:
            self.expr(value, flow)
            if isinstance(value, ast.Name):
                name = value.id
            else:
                unnamed += 1
                name = "result" if unnamed == 1 else f"result{unnamed}"
            if name == "node":
                self.fail(value, "'node' cannot name an output column; it is the column of node ids",
                          hint="assign the value to another name and return that")
            if name in names:
                self.fail(value, f"duplicate output name '{name}'",
                          hint="assign the value to a variable with another name and return that")
            names.append(name)
        stmt.names = names


def check(module: ast.Module) -> ast.Module:
    """Resolve names, type every expression and check definite assignment, in place."""
    Checker(module).run()
    return module
