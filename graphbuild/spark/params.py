"""Parameters into the engine's registers, by the runtime's own rules (runtime/params.py)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..plan.model import Plan
from ..runtime.params import bind_params
from .graph import SparkGraph


def bind(plan: Plan, graph: SparkGraph, values: dict[str, Any]) -> list[Any]:
    """Registers with every parameter bound (node ids looked up in graph); the rest 0."""
    cells = [SimpleNamespace(i=0, f=0.0) for _ in plan.registers]
    bind_params(plan, graph, values, cells)   # the runtime's checks and messages
    registers: list[Any] = [0.0 if dtype == "float" else 0 for dtype in plan.registers]
    for p in plan.params:
        registers[p.reg] = cells[p.reg].f if p.dtype == "float" else cells[p.reg].i
    return registers
