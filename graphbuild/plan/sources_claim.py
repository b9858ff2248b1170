"""The parallel claim of a loop over sources (`for s in sources()`; C checks it in
csrc/exec/regions.c, which says what it means).

The loop is emitted as  const i, -1;  P: sources i, count, batch, @E;  body;  jump P;  E:
and the claim is its batch: how many passes may run side by side, each on a worker of its
own, their accumulators folded in source order (bitwise the one-thread order).  The
compiler claims it when the final plan shows what C re-proves:
- every register the body reads is written earlier in the same pass on every path, or not
  written in the body at all (the index counts as written at the head), or is a scalar
  accumulator: read only by one  add t, r, x,  written only by one  mov r, t,  both run once
  on every pass, t used nowhere else;
- every slot likewise, except accumulators: a slot that one node kernel of the body touches,
  outside any loop nested in it, only as  load a -> t;  t' = add(t, x);  store a = t';
- no kernel in the body counts common neighbors, and no loop over sources inside it is
  claimed.
The lowering makes the first two true by construction (a pass's variables are its own;
outer variables change only as `acc = acc + x`); the storage allocator decides whether the
accumulator update is one in-place kernel, so the claim is checked on the final plan.
"""
from __future__ import annotations

from .effects import register_effects, slot_effects, successors
from .model import Kernel, Plan

# Passes per batch: each keeps n values per accumulator until the batch is folded; 16 keeps
# two workers busy past the uneven lengths of single traversals.
BATCH = 16


def claim_sources(plan: Plan, enabled: bool = True) -> None:
    """Set the batch of every loop over sources whose body allows it (0 otherwise), and
    record it in the plan's summary of its loops over sources."""
    heads = [pc for pc, ins in enumerate(plan.code) if ins.op == "sources"]
    for pc, summary in zip(heads, plan.stats.get("source_loops", [None] * len(heads))):
        plan.code[pc].args[2] = BATCH if enabled and _allowed(plan, pc) else 0
        if summary is not None:
            summary["parallel_batch"] = plan.code[pc].args[2]


def _reads_writes(plan: Plan, pc: int) -> tuple[set, set]:
    """(what instruction pc reads, what it writes): registers as ("r", i), slots ("s", i)."""
    ins = plan.code[pc]
    rr, rw = register_effects(plan, ins)
    se = slot_effects(plan, ins)
    return ({("r", r) for r in rr} | {("s", s) for s in se.uses},
            {("r", r) for r in rw} | {("s", s) for s in se.defs})


def _kernels(plan: Plan, pc: int) -> list[Kernel]:
    ins = plan.code[pc]
    return [plan.kernels[i] for i in ins.args] if ins.op in ("kernel", "fused") else []


def _allowed(plan: Plan, head: int) -> bool:
    code = plan.code
    end = code[head].args[-1] - 1          # the closing jump
    body = range(head + 1, end)
    if any(code[pc].op == "sources" and code[pc].args[2] > 0 for pc in body):
        return False
    if any(any(m.op == "common" for m in k.micro) for pc in body for k in _kernels(plan, pc)):
        return False
    effects = {pc: _reads_writes(plan, pc) for pc in body}
    written = set().union(*(w for _, w in effects.values()))
    # must-be-written before each instruction: the greatest fixpoint from "everything"
    top = written | {("r", code[head].args[0])}
    before = {pc: set(top) for pc in body}
    if body:
        before[head + 1] = {("r", code[head].args[0])}
    changed = True
    while changed:
        changed = False
        for pc in body:
            after = before[pc] | effects[pc][1]
            for s in successors(plan, pc):
                if s in before and not before[s] <= after:
                    before[s] &= after
                    changed = True
    accumulators = set()
    for pc in body:
        for x in effects[pc][0]:
            if x in before[pc] or x not in written:
                continue
            if not (_register_accumulator if x[0] == "r" else _accumulator)(plan, head, end, x[1], effects):
                return False
            accumulators.add(x[1])
    return True


def _accumulator(plan: Plan, head: int, end: int, slot: int, effects: dict) -> bool:
    touching = [pc for pc, (r, w) in effects.items() if ("s", slot) in r | w]
    if len(touching) != 1 or plan.code[touching[0]].op != "kernel":
        return False
    at = touching[0]
    for pc in range(head + 1, end):   # not inside a loop nested in the body
        ins = plan.code[pc]
        if ins.op in ("jump", "jump_if_false") and ins.args[-1] <= at <= pc:
            return False
        if ins.op == "sources" and pc <= at < ins.args[-1]:
            return False
    return _add_form(plan, plan.kernels[plan.code[at].args[0]], slot)


def _every_pass(plan: Plan, head: int, end: int, at: int) -> bool:
    """at runs once on every pass: in no loop nested in the body, jumped over by nothing."""
    for pc in range(head + 1, end):
        ins = plan.code[pc]
        if ins.op == "sources" and pc <= at < ins.args[-1]:
            return False
        if ins.op in ("jump", "jump_if_false", "sources"):
            t = ins.args[-1]
            if (t <= pc and t <= at <= pc) or (pc < at < t):
                return False
    return True


def _register_accumulator(plan: Plan, head: int, end: int, reg: int, effects: dict) -> bool:
    x = ("r", reg)
    readers = [pc for pc, (r, _) in effects.items() if x in r]
    writers = [pc for pc, (_, w) in effects.items() if x in w]
    if len(readers) != 1 or len(writers) != 1:
        return False
    add, mov = plan.code[readers[0]], plan.code[writers[0]]
    if (add.op not in ("add_f", "add_i") or (add.args[1] == reg) == (add.args[2] == reg)
            or mov.op != "mov" or mov.args[1] != add.args[0] or add.args[0] == reg
            or readers[0] > writers[0]):
        return False
    if not all(_every_pass(plan, head, end, pc) for pc in (readers[0], writers[0])):
        return False
    t = ("r", add.args[0])
    return all(t not in r | w for pc, (r, w) in effects.items() if pc not in (readers[0], writers[0]))


def _add_form(plan: Plan, k: Kernel, slot: int) -> bool:
    """k touches slot only as  load slot -> t;  t' = add(t, x);  store slot = t'."""
    if k.domain != "node" or k.ordered:
        return False
    loads = [m for m in k.micro if m.op == "load" and m.args[1] == slot]
    stores = [m for m in k.micro if m.op == "store" and m.args[1] == slot]
    if len(loads) != 1 or len(stores) != 1:
        return False
    t, t2 = loads[0].args[0], stores[0].args[2]
    adds = [m for m in k.micro if _micro_writes(m) == t2]
    want = {"float": "add_f", "int": "add_i"}.get(plan.slots[slot])
    if t == t2 or len(adds) != 1 or adds[0].op != want:
        return False
    add = adds[0]
    if (add.args[1] == t) == (add.args[2] == t):
        return False
    for m in k.micro:
        reads = _micro_reads(m)
        if (m is not loads[0] and _micro_writes(m) == t) or (m is not add and t in reads) \
                or (m is not stores[0] and t2 in reads):
            return False
    return True


def _micro_writes(m) -> int | None:
    """The temp micro-op m writes (stores and reductions write none)."""
    return None if m.op == "store" or m.op.startswith("red_") or not m.args else m.args[0]


def _micro_reads(m) -> list:
    """The temps micro-op m reads."""
    if m.op == "store" or m.op.startswith("red_"):
        return [m.args[2]]
    if m.op in ("load", "gather", "bcast", "imm", "node_id", "nbr", "weight", "in_deg", "out_deg",
                "degree", "random", "common"):
        return []
    return list(m.args[1:])
