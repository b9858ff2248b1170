"""The typed IR stage: `lower(module, algorithm) -> Function`.

Values have a shape (scalar or node vector) and a dtype (int, float, bool, node); loops,
ifs and neighbor aggregations are structured regions (see nodes.py), so every pass can
look inside loop bodies and knows exactly which values cross the back edge.
"""
from __future__ import annotations

from ..errors import ErrorKind, GraphbuildError
from ..lang import ast
from .lower import lower_algorithm
from .nodes import Block, Function, Node, Op, clone, count_ops
from .printer import format_ir
from .verify import VerifyError, verify


def lower(module: ast.Module, algorithm: str | None = None) -> Function:
    """The IR of one algorithm of a checked module (the only one when algorithm is None)."""
    names = [a.name for a in module.algorithms]
    if algorithm is None:
        if len(names) != 1:
            raise GraphbuildError(f"{module.path} defines {len(names)} algorithms: {', '.join(names)}",
                                  kind=ErrorKind.USAGE, hint="choose one with --algorithm NAME")
        chosen = module.algorithms[0]
    else:
        found = [a for a in module.algorithms if a.name == algorithm]
        if not found:
            raise GraphbuildError(f"no algorithm '{algorithm}' in {module.path}; "
                                  f"it defines: {', '.join(names)}", kind=ErrorKind.USAGE)
        chosen = found[0]
    fn = lower_algorithm(module, chosen)
    fn.lowered_ops = count_ops(fn)
    return fn


__all__ = ["Block", "Function", "Node", "Op", "VerifyError", "clone", "count_ops", "format_ir",
           "lower", "verify"]
