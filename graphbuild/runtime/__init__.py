"""The runtime: graph loading, parameter binding, and running plans in the C executor.

It imports nothing from the compiler; a Plan (graphbuild.plan.model) is all it needs.
"""
from .executor import DEFAULT_MAX_ITERATIONS, Executable, Result, execute
from .graph import Graph, default_graph_path, load_graph

__all__ = ["DEFAULT_MAX_ITERATIONS", "Executable", "Graph", "Result", "default_graph_path",
           "execute", "load_graph"]
