"""Generic traversal of expression trees, without recursion (trees may be deep)."""
from __future__ import annotations

from collections.abc import Iterator

from . import ast


def children(e: ast.Expr) -> list[ast.Expr]:
    """The direct sub-expressions of e, in source order."""
    if isinstance(e, ast.Unary):
        kids = [e.operand]
    elif isinstance(e, ast.Binary):
        kids = [e.left, e.right]
    elif isinstance(e, ast.Index):
        kids = [e.target, e.index]
    elif isinstance(e, ast.Call):
        kids = list(e.args)
    elif isinstance(e, ast.Aggregation):
        kids = [e.expr, e.filter, e.default]
    else:
        kids = []
    return [k for k in kids if k is not None]


def walk(e: ast.Expr | None) -> Iterator[ast.Expr]:
    """Every expression node under e, e included, parents first, in source order."""
    stack = [e] if e is not None else []
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def tree_depth(root: ast.Expr) -> int:
    """How many levels the tree under root has (a leaf alone is 1)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        e, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in children(e))
    return deepest
