"""The .gdsl front end: source text to a checked, typed AST.

    source ─ lexer.tokenize ─ parser.parse ─ ast.Module ─ checker.check ─ typed ast.Module

`parse` raises the first syntax error, `check` the first name, type or definite-assignment
error, both as a GraphbuildError (kind PROGRAM) with `path:line:col` and the source line.
`format_ast` prints a checked module (for `graphbuild compile --emit ast`).
"""
from __future__ import annotations

from . import ast
from .checker import check
from .parser import parse
from .printer import format_ast


def load(source: str, path: str) -> ast.Module:
    """Parse and check a .gdsl file: what every later stage starts from."""
    return check(parse(source, path))


__all__ = ["ast", "check", "format_ast", "load", "parse"]
