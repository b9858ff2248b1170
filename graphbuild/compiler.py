"""The compiler driver: source text -> Plan, listing the stages in order.

Imported only on a cache miss or for `compile --emit`, never on a cache hit.
"""
from __future__ import annotations

from . import ir, lang, passes
from .plan.build import build_plan
from .plan.dot import format_dot
from .plan.model import Plan
from .plan.options import PlanOptions
from .plan.printer import format_plan
from .plan.source import source_digest

STAGES = ("ast", "ir", "opt", "plan", "dot")


def compile_source(source: str, path: str, algorithm: str | None = None, opt_level: int = 1) -> Plan:
    module = lang.load(source, path)
    fn = ir.lower(module, algorithm)
    unoptimized_ops = ir.count_ops(fn)
    fn = passes.optimize(fn, opt_level)
    plan = build_plan(fn, path, PlanOptions.for_level(opt_level))
    plan.stats["ops_before"] = unoptimized_ops
    plan.stats["ops_after"] = ir.count_ops(fn)
    plan.stats["opt_level"] = opt_level
    plan.stats["source_sha256"] = source_digest(source)   # errors quote only this text
    return plan


def emit(source: str, path: str, stage: str, algorithm: str | None = None, opt_level: int = 1) -> str:
    """The text form of one stage, for `graphbuild compile --emit STAGE`."""
    module = lang.load(source, path)
    if stage == "ast":
        return lang.format_ast(module)
    fn = ir.lower(module, algorithm)
    if stage == "ir":
        return ir.format_ir(fn)
    fn = passes.optimize(fn, opt_level)
    if stage == "opt":
        return ir.format_ir(fn)
    plan = build_plan(fn, path, PlanOptions.for_level(opt_level))
    return format_dot(plan) if stage == "dot" else format_plan(plan, source)
