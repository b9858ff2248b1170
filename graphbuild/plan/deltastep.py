"""Min-plus loops run as delta-stepping (claimed in the plan; issue 11.4).

Bellman-Ford,
    while changed:
        new = min(x, min(x[u] + weight for u in nbrs)); changed = any(new < x); x = new
applies the monotone map F(x) = min(x, min_u fl(x[u] + w)) until it stops changing: it
ends at the greatest fixpoint of F below the start x0 (any fixpoint g <= x0 stays below
every pass, g = F(g) <= F(x_k)).  Any other order of single updates x[v] = min(x[v],
fl(x[u] + w)) that ends at a fixpoint ends at the same one (it stays above g for the same
reason, and is a fixpoint below x0), so delta-stepping (Meyer & Sanders, J. Algorithms
2003) leaves bitwise the plain loop's floats.  An edge kernel claims `delta_step` when
- it carries its changed set (changed.py), aggregates `min` of x[u] + weight, x a float;
- its loop is exactly the compiler's `while` around the pair with an unobserved pass
  counter (unionfind.loop_registers without its entry rule: x may start anywhere).
At run time (csrc/exec/deltastep.c) the loop's first pass runs delta-stepping instead of
the pair, leaving x and E with the fixpoint and any's register false, unless a weight the
pushes read is negative or NaN, x holds a NaN, -0.0 or -inf, the counter's step is not 1,
or n passes could pass --max-iterations (the plain loop needs at most n: with weights >= 0
a shortest walk repeats no node): then the plain loop's passes run.
"""
from __future__ import annotations

from .changed import _gathered
from .model import Plan
from .unionfind import loop_registers


def claim_delta_step(plan: Plan) -> None:
    """After claim_changed: marks the edge kernels whose loop may run as delta-stepping."""
    for k in plan.kernels:
        k.delta_step = False
    for pc, ins in enumerate(plan.code):
        if ins.op != "fused":
            continue
        ke = plan.kernels[ins.args[0]]
        ke.delta_step = (ke.changed and ke.agg == "min" and ke.shape == "plus_weight"
                         and plan.slots[_gathered(ke)] == "float"
                         and loop_registers(plan, pc, ke, entry=False) is not None)
