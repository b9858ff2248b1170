"""The executor's decisions, made here and written in the plan (C checks each one).

Per edge kernel:
- shape: which specialized loop runs it (csrc/exec/special.c) -- `agg(x[u])` is gather,
  `agg(x[u] if f[u])` gather_if, `agg(x[u] + weight)` plus_weight, `sum(x[u] * weight)`
  times_weight, `count(...)` of a constant count, `sum(common(u) for u in DIR)` with no
  filter or default intersect (csrc/exec/intersect.c: sorted adjacency, each triangle
  found once in a degree or index orientation); anything else generic (interpreted);
- frontier and incremental: a selective aggregation (min, max, any, all, mode, count) of a
  pure shape, reading neither its own output nor a register default, gives at v a result
  that depends only on v's neighbors' inputs; its passes may recompute only the nodes next
  to a changed input (sparse) and switch to a full pass when those hold a quarter of the
  arcs (switching) -- csrc/exec/incremental.c;
- directions: min or max of x[u] or x[u] + weight, x and the result of one dtype, no slot
  default, may also push: each changed node lowers its neighbors' results; so may count of
  a bool x[u]: each flipped node adds +1 or -1 to its neighbors' counts (incr_push.c).

Per instruction (exec_levels): consecutive kernel and fused instructions that no jump lands
on inside and that are pairwise independent (none writes a slot or register another reads
or writes) form a level the executor may run side by side.

These rules are C's checks (csrc/exec/claims.c) stated the other way round: C accepts a
claim only when the micro-ops allow it, and accepts any weaker claim.
"""
from __future__ import annotations

from .effects import kernel_registers, kernel_slots
from .model import Instr, Kernel, Plan

SHAPES = ("generic", "gather", "gather_if", "plus_weight", "times_weight", "count", "intersect",
          "active_size")
FRONTIERS = ("dense", "sparse", "switching")
DIRECTIONS = ("pull", "pull+push")
_SELECTIVE = {"min", "max", "any", "all", "mode", "count"}


def _is_float(plan: Plan, slot: int) -> bool:
    return plan.slots[slot] == "float"


def shape_of(plan: Plan, k: Kernel) -> tuple[str, int, int]:
    """(shape, value slot, filter slot) of an edge kernel's micro-ops (-1: none)."""
    m = k.micro
    if k.domain != "edge":
        return "generic", -1, -1

    def value_ok(slot: int) -> bool:
        return _is_float(plan, slot) == k.agg_float

    if len(m) == 1:
        a = m[0]
        if k.filter_temp != -1 or a.args[0] != k.value_temp:
            return "generic", -1, -1
        if a.op == "gather" and value_ok(a.args[1]):
            return "gather", a.args[1], -1
        if a.op == "imm" and k.agg == "count":
            return "count", -1, -1
        if a.op == "common" and k.agg == "sum" and k.default_kind == "identity":
            return "intersect", -1, -1
        return "generic", -1, -1
    if len(m) == 2:
        a, b = m
        if a.op != "gather" or b.op != "gather" or k.filter_temp < 0 or a.args[0] == b.args[0]:
            return "generic", -1, -1
        if b.args[0] == k.value_temp:
            a, b = b, a
        if (a.args[0] != k.value_temp or b.args[0] != k.filter_temp or not value_ok(a.args[1])
                or _is_float(plan, b.args[1])):
            return "generic", -1, -1
        return "gather_if", a.args[1], b.args[1]
    if len(m) == 3:
        a, b, op = m
        g, w = (a, b) if a.op == "gather" else (b, a)
        if (g.op != "gather" or w.op != "weight" or g.args[0] == w.args[0] or k.filter_temp != -1
                or op.args[0] != k.value_temp or op.args[1:3] != [g.args[0], w.args[0]]
                or not k.agg_float or not _is_float(plan, g.args[1])):
            return "generic", -1, -1
        if op.op == "add_f" and k.agg in ("sum", "min", "max"):
            return "plus_weight", g.args[1], -1
        if op.op == "mul_f" and k.agg == "sum":
            return "times_weight", g.args[1], -1
    return "generic", -1, -1


def _storage(dtype: str) -> str:
    return "int" if dtype == "node" else dtype


def claim_kernel(plan: Plan, k: Kernel, frontier: bool = True) -> None:
    """Sets k's shape, directions, frontier and incremental to the fastest forms allowed
    (frontier False: dense pull passes only)."""
    k.shape, k.directions, k.frontier, k.incremental = "generic", "", "dense", False
    if k.domain != "edge":
        return
    k.directions = "pull"
    shape, x, f = shape_of(plan, k)
    k.shape = shape
    incremental = (frontier and k.agg in _SELECTIVE and shape not in ("generic", "count", "intersect")
                   and k.default_kind != "reg" and k.out_slot != x
                   and (shape != "gather_if" or k.out_slot != f)
                   and (k.default_kind != "slot" or k.default_index != k.out_slot))
    if not incremental:
        return
    k.frontier, k.incremental = "switching", True
    xt, ot = _storage(plan.slots[x]), _storage(plan.slots[k.out_slot])
    if (shape in ("gather", "plus_weight") and k.agg in ("min", "max") and k.default_kind != "slot"
            and xt == ot and xt in ("float", "int")):
        k.directions = "pull+push"
    if shape == "gather" and k.agg == "count" and k.default_kind != "slot" and (xt, ot) == ("bool", "int"):
        k.directions = "pull+push"


def _instr_kernels(plan: Plan, ins: Instr) -> list[Kernel]:
    return [plan.kernels[i] for i in ins.args]


def _touches(k: Kernel) -> tuple[set, set]:
    ks = kernel_slots(k)
    rr, rw = kernel_registers(k)
    return ({("s", s) for s in ks.reads} | {("r", r) for r in rr},
            {("s", s) for s in ks.stores} | {("r", r) for r in rw})


def independent(plan: Plan, a: Instr, b: Instr) -> bool:
    """Whether nothing one of a, b writes the other reads or writes."""
    ra, wa, rb, wb = set(), set(), set(), set()
    for k in _instr_kernels(plan, a):
        r, w = _touches(k)
        ra |= r
        wa |= w
    for k in _instr_kernels(plan, b):
        r, w = _touches(k)
        rb |= r
        wb |= w
    return not (wa & (rb | wb)) and not (wb & (ra | wa))


def exec_levels(plan: Plan) -> list[int]:
    """Per instruction: n at the first of a level of n, 0 inside one and elsewhere."""
    code = plan.code
    targets = {ins.args[-1] for ins in code if ins.op in ("jump", "jump_if_false")}
    kernel = [ins.op in ("kernel", "fused") for ins in code]
    levels = [0] * len(code)
    pc = 0
    while pc < len(code):
        if not kernel[pc]:
            pc += 1
            continue
        end = pc + 1
        while (end < len(code) and kernel[end] and end not in targets
               and all(independent(plan, code[q], code[end]) for q in range(pc, end))):
            end += 1
        levels[pc] = end - pc
        pc = end
    return levels


def claim(plan: Plan, frontier: bool = True) -> None:
    """Writes every claim into the plan (after slots are final)."""
    for k in plan.kernels:
        claim_kernel(plan, k, frontier)
    plan.exec_levels = exec_levels(plan)


def kernel_forms(plan: Plan) -> list[dict]:
    """The edge kernels' claims, for `compile --json`."""
    return [{"kernel": i, "agg": k.agg, "dir": k.dir, "shape": k.shape, "directions": k.directions,
             "frontier": k.frontier, "incremental": k.incremental,
             "demand": [k.demand_slot, k.demand_value] if k.demand_slot >= 0 else None,
             "changed": k.changed, "union_find": k.union_find, "delta_step": k.delta_step,
             "frontier_list": k.frontier_list}
            for i, k in enumerate(plan.kernels) if k.domain == "edge"]


def ordered_form(plan: Plan, first: int, last: int) -> str:
    """"peel" when the loop first..last is (in) a nest run as bucketed peeling (ordered.py)."""
    for h, ins in enumerate(plan.code):
        if (ins.op == "kernel" and plan.kernels[ins.args[0]].ordered
                and h <= first and last <= h + 18):
            return plan.kernels[ins.args[0]].ordered
    return ""


def loop_forms(plan: Plan) -> list[dict]:
    """Per loop (a backward jump and its target, innermost first by position): the active-set
    form its passes run in -- union_find when an edge kernel's loop runs as union-find
    (plan/unionfind.py), delta_stepping when as delta-stepping (plan/deltastep.py), else
    active when a node kernel in it runs only over its guard's true nodes (plan/active.py),
    else changed when an edge kernel in it carries its changed set between passes
    (plan/changed.py), else switching when an edge kernel in it recomputes only
    around changed inputs, else dense -- its edge kernels and its guarded node kernels."""
    out = []
    for pc, ins in enumerate(plan.code):
        if ins.op not in ("jump", "jump_if_false") or ins.args[-1] > pc:
            continue
        first = ins.args[-1]
        kernels = sorted({i for q in plan.code[first:pc + 1] if q.op in ("kernel", "fused")
                          for i in q.args})
        edge = [i for i in kernels if plan.kernels[i].domain == "edge"]
        guarded = {f"k{i}": f"s{plan.kernels[i].active_slot}" for i in kernels
                   if plan.kernels[i].domain == "node" and plan.kernels[i].active_slot >= 0}
        forms = {plan.kernels[i].frontier for i in edge}
        carried = [i for i in edge if plan.kernels[i].changed]
        union_find = [i for i in edge if plan.kernels[i].union_find]
        listed = [i for i in edge if plan.kernels[i].frontier_list]
        stepped = any(plan.kernels[i].delta_step for i in edge)
        form = ("union_find" if union_find else "delta_stepping" if stepped else "list" if listed
                else "active" if guarded else "changed" if carried
                else "switching" if "switching" in forms else "dense")
        out.append({"first": first, "last": pc, "edge_kernels": edge, "active_set": form,
                    "active_kernels": guarded, "changed_kernels": carried,
                    "union_find_kernels": union_find, "list_kernels": listed,
                    "push": any(plan.kernels[i].directions == "pull+push" for i in edge),
                    "ordered": ordered_form(plan, first, pc),
                    # a loop over sources: how many passes run side by side (0: one at a time)
                    "parallel_batch": plan.code[first].args[2] if plan.code[first].op == "sources" else 0})
    return out
