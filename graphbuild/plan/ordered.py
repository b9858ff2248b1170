"""Ordered processing: loop nests the executor runs in priority order (issue 11.4).

Bucketed peeling.  k-core's loop nest

    while any(A):
        k = max(k, min(where(A, D, top)))
        P = A and D <= k
        while any(P):
            C = where(P, k, C)
            A = A and not P
            D = count(A[u] for u in nbrs)
            P = A and D <= k
        k = k + 1

peels, level by level, every alive node with at most k alive neighbors.  Every pass sweeps
all n nodes as written, but after the first recount D[v] is exactly v's count of alive
neighbors, so a round's recount is a push from the peeled nodes (1 off D at the end of
each of their arcs) and the next round's peel set is exactly the alive nodes whose D fell
from k + 1 to k: any other alive node had D > k when the round began.  The executor
(csrc/exec/peel.c) runs the same levels and rounds in the same order that way, each
costing the peeled nodes' arcs plus, once per level, the alive nodes; the scalar
instructions run one by one as written, so every slot and register ends bitwise as the
plain run leaves it (D is an integer count; C, A and P depend only on which nodes peel
in which round).

The claim (Kernel.ordered = "peel" on the head kernel `any(A)`) holds when the nest's 19
instructions are exactly the template in csrc/exec/peel_check.c: A, P bool and D, C int
slots, all distinct; the kernels' effects, compared as terms (temp numbering and micro-op
order free, `and` commutative), are the ones above; the edge kernel is the gather shape
of count over A with no default, demand or changed claim; no instruction between the
peel step and the inner loop's end writes k.  C re-checks the same rule at
gb_plan_create and refuses a claim that does not hold.
"""
from __future__ import annotations

from .model import Instr, Kernel, Plan

_SHAPE = ("kernel", "jump_if_false", "add_i", "check_iter", "kernel", "max_i", "kernel",
          "const", "const", "kernel", "jump_if_false", "add_i", "check_iter", "kernel",
          "fused", "jump", "add_i", "mov", "jump")


def _term(op: str, a: list, t: dict) -> str | None:
    if op == "load":
        return f"L{a[1]}"
    if op == "bcast":
        return f"B{a[1]}"
    if op == "imm":
        return f"I{a[1]}"
    x = [t.get(i, "") for i in a[1:]]
    if op == "not":
        return f"not({x[0]})"
    if op == "le_i":
        return f"le({x[0]},{x[1]})"
    if op == "where":
        return f"where({x[0]},{x[1]},{x[2]})"
    if op == "and":
        return "and({},{})".format(*sorted(x[:2]))
    return None


def render(k: Kernel) -> list[str] | None:
    """A node kernel's effects as sorted terms, or None if it uses other micro-ops."""
    if k.domain != "node":
        return None
    t: dict[int, str] = {}
    effects = []
    for m in k.micro:
        a = m.args
        if m.op == "store":
            effects.append(f"S{a[1]}={t.get(a[2], '')}")
        elif m.op in ("red_any", "red_min_i"):
            effects.append(f"{m.op}:r{a[1]}={t.get(a[2], '')}")
        else:
            term = _term(m.op, a, t)
            if term is None:
                return None
            t[a[0]] = term
    return sorted(effects)


def _step(a: int, d: int, k: int, p: int) -> list[str]:
    return ["S{}=and({},{})".format(p, *sorted([f"L{a}", f"le(L{d},B{k})"]))]


def nest_holds(plan: Plan, h: int) -> bool:
    """Whether the loop nest headed by the kernel instruction at h is the peeling template."""
    code = plan.code
    if h + len(_SHAPE) > len(code) or [i.op for i in code[h:h + 19]] != list(_SHAPE):
        return False
    q: list[Instr] = code[h:h + 19]
    if (q[1].args[-1] != h + 19 or q[10].args[-1] != h + 16 or q[15].args[-1] != h + 9
            or q[18].args[-1] != h):
        return False
    ks = [plan.kernels[q[i].args[0]] for i in (0, 4, 6, 9, 13)]
    ka, km, kp, kq, kr = ks
    ke, kn = plan.kernels[q[14].args[0]], plan.kernels[q[14].args[1]]
    loads = [m.args[1] for m in ka.micro if m.op == "load"]
    if len(loads) != 1 or ke.domain != "edge":
        return False
    a, d, k = loads[0], ke.out_slot, q[5].args[0]
    stores = [m.args[1] for m in kp.micro if m.op == "store"]
    cores = [m.args[1] for m in kr.micro if m.op == "store" and m.args[1] != a]
    if len(stores) != 1 or len(cores) != 1:
        return False
    p, c = stores[0], cores[0]
    slots = plan.slots
    if (len({a, d, c, p}) != 4 or (slots[a], slots[p], slots[d], slots[c]) != ("bool", "bool", "int", "int")
            or ke.agg != "count" or ke.shape != "gather" or ke.filter_temp != -1
            or ke.default_kind != "identity" or ke.demand_slot >= 0 or ke.changed
            or [m.args[1] for m in ke.micro] != [a]):
        return False
    mins = [m.args for m in km.micro if m.op == "red_min_i"]
    bcasts = [m.args[1] for m in km.micro if m.op == "bcast"]
    if len(mins) != 1 or len(bcasts) != 1:
        return False
    if (render(ka) != [f"red_any:r{q[1].args[0]}=L{a}"]
            or render(km) != [f"red_min_i:r{mins[0][1]}=where(L{a},L{d},B{bcasts[0]})"]
            or render(kp) != _step(a, d, k, p) or render(kn) != _step(a, d, k, p)
            or render(kq) != [f"red_any:r{q[10].args[0]}=L{p}"]
            or render(kr) != sorted([f"S{a}=and(L{a},not(L{p}))", f"S{c}=where(L{p},B{k},L{c})"])):
        return False
    written = {q[i].args[0] for i in (7, 8, 11)} | {q[10].args[0]}
    return k not in written


def claim_ordered(plan: Plan, enabled: bool = True) -> None:
    for k in plan.kernels:
        k.ordered = ""
    if not enabled:
        return
    for h, ins in enumerate(plan.code):
        if ins.op != "kernel":
            continue
        i = ins.args[0]
        runs = sum(1 for q in plan.code
                   if q.op in ("kernel", "fused") and i in q.args[:2 if q.op == "fused" else 1])
        if runs == 1 and nest_holds(plan, h):
            plan.kernels[i].ordered = "peel"
