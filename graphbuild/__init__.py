"""graphbuild — a build tool for graph algorithms.

The pipeline, one package per stage, each with one entry function:

    .gdsl source
      -> lang.load(source, path)          AST with spans, names resolved, types checked
      -> ir.lower(module, algorithm)      typed SSA IR with structured loops and ifs
      -> passes.optimize(fn, level)       folding, CSE, DCE, loop-invariant motion, ...
      -> plan.build_plan(fn, path)        ordered ops, slots, kernels, source locations
      -> cache.PlanCache                  content-hashed on-disk store of plans
      -> runtime.execute(plan, graph, …)  one call into the C executor (csrc/)

The plan is the only thing that crosses from the compiler to the runtime, so a cache
hit never imports the compiler.  Only graphbuild.cli prints.
"""

__version__ = "0.1.0"
