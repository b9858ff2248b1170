"""The functions the backend implements, each with the rule that refuses arguments it cannot
honour exactly (networkx then runs its own implementation).

    @implements(refuse=lambda a: "reverse=True" if a["reverse"] else None)
    def bfs_edges(G, source, reverse=False, depth_limit=None, sort_neighbors=None): ...

A refusal sees the call's arguments bound to the function's signature, defaults applied, with
G still networkx's graph (can_run runs before conversion), and returns the reason or None.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

Refusal = Callable[[dict[str, Any]], "str | None"]

IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {}
REFUSALS: dict[str, Refusal] = {}


def implements(refuse: Refusal | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        IMPLEMENTATIONS[function.__name__] = function
        if refuse is not None:
            REFUSALS[function.__name__] = refuse
        return function

    return register


def refusal(name: str, args: tuple, kwargs: dict[str, Any]) -> str | None:
    """Why the backend will not run name(*args, **kwargs), or None if it will."""
    function = IMPLEMENTATIONS.get(name)
    if function is None:
        return f"graphbuild does not implement {name}"
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except TypeError as exc:
        return f"arguments networkx's {name} does not take: {exc}"
    bound.apply_defaults()
    check = REFUSALS.get(name)
    return check(bound.arguments) if check is not None else None


def is_callable_weight(arguments: dict[str, Any]) -> str | None:
    """The shared refusal of the weighted functions: a weight function, not an attribute."""
    if callable(arguments.get("weight")):
        return "weight is a function; graphbuild reads weights from an edge attribute"
    return None


__all__ = ["IMPLEMENTATIONS", "REFUSALS", "implements", "is_callable_weight", "refusal"]
