"""The plan stage.  This package's root exports only the data model, so the runtime can read
plans without importing the compiler; the builder lives in graphbuild.plan.build."""
from .model import PLAN_FORMAT_VERSION, Instr, Kernel, Output, Param, Plan, SourceLoc

__all__ = ["PLAN_FORMAT_VERSION", "Instr", "Kernel", "Output", "Param", "Plan", "SourceLoc"]
