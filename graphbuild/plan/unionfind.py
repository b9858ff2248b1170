"""Min-label loops run as union-find (claimed in the plan; issue 11.6).

Connected components by min-label propagation,
    comp = node_id(); changed = true
    while changed:
        new = min(comp, min(comp[u] for u in nbrs)); changed = any(new != comp); comp = new
ends with every node labeled with the smallest label of its component of the undirected
view, because the labels start as the nodes' own ids.  Union-find (Afforest: Sutton,
Ben-Nun, Barak, IPDPS 2018) finds the same partition, and linking each root under the one
with the smaller id makes every root its component's smallest id: the same bits, whatever
the threads and the sampling.  An edge kernel claims `union_find` when
- it carries its changed set (changed.py: the FUSED pair is the monotone min step above,
  and the loop writes x and E only by swapping them), aggregates `min` of a gathered int
  or node x over `both` directions (the undirected view);
- its loop is exactly the compiler's `while`:  head: jump_if_false flag -> past the tail;
  add_i c, c, one; check_iter c; FUSED pair; mov flag, any's register; swap_v x, E;
  tail: jump head -- flag, c, one and any's register four distinct registers, and no
  jump elsewhere lands inside the loop;
- x holds node_id() as the loop starts: walking back from head over instructions that are
  no jump, no jump lands on (only the tail on head), the first that writes x is a KERNEL
  of a node kernel with no active set whose one store to x stores a node_id temp;
- the pass counter c is observed by nothing else: no other instruction names it except a
  const that sets it, and no output is it.
The loop's other observers then see a full run's values: x and E hold the labels, flag
and any's register are false.  At run time (csrc/exec/afforest.c) the first pass runs
union-find instead of the pair, unless the counter's step is not 1 or the largest
component is so large that the plain loop could pass --max-iterations: then the pass runs
as claimed by the edge kernel's other forms (the plain loop's passes).
"""
from __future__ import annotations

from .changed import _gathered, _innermost_loop
from .model import Instr, Kernel, Plan

_JUMPS = ("jump", "jump_if_false")
# the operands of a top-level op that name registers (arithmetic: all of them)
_REG_ARGS = {"const": (0,), "mov": (0, 1), "node_count": (0,), "edge_count": (0,), "get": (0, 2),
             "jump": (), "jump_if_false": (0,), "check_iter": (0,), "kernel": (), "fused": (),
             "copy_v": (), "swap_v": (), "gather_v": ()}


def _target(ins: Instr) -> int:
    return int(ins.args[-1])


def _writes(plan: Plan, ins: Instr, slot: int) -> bool:
    if ins.op in ("copy_v", "gather_v"):
        return ins.args[0] == slot
    if ins.op == "swap_v":
        return slot in ins.args[:2]
    if ins.op in ("kernel", "fused"):
        for i in ins.args:
            k = plan.kernels[i]
            if (k.domain == "edge" and k.out_slot == slot) or any(
                    m.op == "store" and m.args[1] == slot for m in k.micro):
                return True
    return False


def _stores_node_id(k: Kernel, x: int) -> bool:
    """Whether node kernel k, with no active set, stores node_id into x once."""
    stores = [j for j, m in enumerate(k.micro) if m.op == "store" and m.args[1] == x]
    if k.domain != "node" or k.active_slot >= 0 or len(stores) != 1:
        return False
    t = k.micro[stores[0]].args[2]
    defs = [m for m in k.micro[:stores[0]] if m.op != "store" and not m.op.startswith("red_")
            and m.args and m.args[0] == t]
    return bool(defs) and defs[-1].op == "node_id"


def loop_registers(plan: Plan, pc: int, ke: Kernel,
                   entry: bool = True) -> tuple[int, int, int, int] | None:
    """(head, tail, counter, flag) of the loop around the FUSED pair at pc, if its loop and
    (with entry) its entry have the form above; else None."""
    span = _innermost_loop(plan, pc)
    if span is None:
        return None
    head, tail = span
    code = plan.code
    if tail - head != 6 or pc != head + 3:
        return None
    h, inc, chk, mov, swap, back = (code[head], code[head + 1], code[head + 2], code[head + 4],
                                    code[head + 5], code[tail])
    x, e = _gathered(ke), ke.out_slot
    red = next(m.args[1] for m in plan.kernels[code[pc].args[1]].micro if m.op == "red_any")
    if (h.op != "jump_if_false" or _target(h) != tail + 1 or back.op != "jump"
            or _target(back) != head or inc.op != "add_i" or chk.op != "check_iter"
            or mov.op != "mov" or swap.op != "swap_v" or sorted(swap.args[:2]) != sorted([x, e])):
        return None
    flag, c, one = h.args[0], inc.args[0], inc.args[2]
    if (inc.args[1] != c or chk.args[0] != c or mov.args[:2] != [flag, red]
            or len({flag, c, one, red}) != 4):
        return None
    for j, ins in enumerate(code):
        if ins.op in _JUMPS and j != tail and head < _target(ins) <= tail:
            return None   # a jump into the loop
        regs = [ins.args[i] for i in _REG_ARGS.get(ins.op, range(len(ins.args))) if i < len(ins.args)]
        if c in regs and j not in (head + 1, head + 2) and ins.op != "const":
            return None
        if ins.op in ("kernel", "fused") and any(   # the micro-ops that name a register
                (m.op in ("bcast", "random") or m.op.startswith("red_")) and m.args[1] == c
                for i in ins.args for m in plan.kernels[i].micro):
            return None
        if ins.op in ("kernel", "fused") and any(
                plan.kernels[i].default_kind == "reg" and plan.kernels[i].default_index == c
                for i in ins.args):
            return None
    if any(o.kind == "scalar" and o.index == c for o in plan.outputs):
        return None
    if not entry:
        return head, tail, c, flag
    # the last instruction before head that a jump (but the tail) lands on
    landed = max((_target(i) for j, i in enumerate(code)
                  if i.op in _JUMPS and j != tail and _target(i) <= head), default=-1)
    for q in range(head - 1, -1, -1):
        ins = code[q]
        if ins.op in _JUMPS or q < landed:
            return None
        if _writes(plan, ins, x):
            ok = ins.op == "kernel" and _stores_node_id(plan.kernels[ins.args[0]], x)
            return (head, tail, c, flag) if ok else None
    return None


def claim_union_find(plan: Plan) -> None:
    """After claim_changed: marks the edge kernels whose loop may run as union-find."""
    for k in plan.kernels:
        k.union_find = False
    for pc, ins in enumerate(plan.code):
        if ins.op != "fused":
            continue
        ke = plan.kernels[ins.args[0]]
        ke.union_find = (ke.changed and ke.agg == "min" and ke.dir == "both" and ke.shape == "gather"
                         and plan.slots[_gathered(ke)] in ("int", "node")
                         and loop_registers(plan, pc, ke) is not None)
