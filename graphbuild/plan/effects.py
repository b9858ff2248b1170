"""What each plan instruction reads and writes: slots, registers, and slot-sharing rules.

Every vector write covers all n nodes, so a slot a kernel stores holds nothing of its old
value afterwards.  Inside one instruction the executor's block structure decides which
slots may share storage (SlotEffects.groups):
- a node kernel runs its micro-ops on one block of nodes at a time and loads before it
  stores, and each node reads only its own entry: a value it loads for the last time
  may share a slot with a value it stores (an in-place update);
- an edge kernel writes out_slot[v] while other nodes' edges still read what it gathers
  or loads: out_slot differs from every slot it reads (GB_OP_KERNEL's rule in C);
- a fused pair runs the edge kernel on a block of nodes, then the node kernel on the same
  block: the node kernel may not store what the edge kernel gathers (a later block still
  gathers it), and out_slot, written before the node kernel reads a block, differs from
  what the node kernel loads (apart from out_slot itself).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Instr, Kernel, Plan

# register operands of top-level instructions: w written, r read (slots and the rest: -)
_TOP_REGS = {"const": "w-", "mov": "wr", "node_count": "w", "edge_count": "w", "get": "w-r",
             "jump": "-", "jump_if_false": "r-", "check_iter": "r", "kernel": "-", "fused": "--",
             "copy_v": "--", "swap_v": "--", "gather_v": "----", "sources": "br--"}
CONTROL = frozenset({"jump", "jump_if_false", "check_iter", "sources"})


@dataclass
class KernelSlots:
    gathers: set[int] = field(default_factory=set)
    loads: set[int] = field(default_factory=set)     # own-node reads, and an edge default slot
    stores: set[int] = field(default_factory=set)    # node kernels' stores, or {out_slot}

    @property
    def reads(self) -> set[int]:
        return self.gathers | self.loads


def kernel_slots(k: Kernel) -> KernelSlots:
    ks = KernelSlots()
    for m in k.micro:
        if m.op == "gather":
            ks.gathers.add(m.args[1])
        elif m.op == "load":
            ks.loads.add(m.args[1])
        elif m.op == "store":
            ks.stores.add(m.args[1])
    if k.domain == "edge":
        ks.stores.add(k.out_slot)
        if k.default_kind == "slot":
            ks.loads.add(k.default_index)
    return ks


def kernel_registers(k: Kernel) -> tuple[set[int], set[int]]:
    """(registers k reads, registers k writes)."""
    reads = {m.args[1] for m in k.micro if m.op in ("bcast", "random")}
    writes = {m.args[1] for m in k.micro if m.op.startswith("red_")}
    if k.domain == "edge" and k.default_kind == "reg":
        reads.add(k.default_index)
    return reads, writes


@dataclass
class SlotEffects:
    """uses: slots read before the instruction writes them; defs: slots written (whole
    vectors).  Each (during, spared) in groups is a set of slots in use at one moment of the
    instruction, which must all differ from each other and from every slot live after it
    except the spared ones (those are written only later in the instruction)."""

    uses: set[int]
    defs: set[int]
    groups: list[tuple[set[int], set[int]]] = field(default_factory=list)
    swap: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = [(set(self.defs), set())]


def slot_effects(plan: Plan, ins: Instr) -> SlotEffects:
    op, a = ins.op, ins.args
    if op == "kernel":
        k = plan.kernels[a[0]]
        ks = kernel_slots(k)
        if k.domain == "edge":
            return SlotEffects(ks.reads, {k.out_slot}, [(ks.reads | {k.out_slot}, set())])
        return SlotEffects(ks.loads, ks.stores)
    if op == "fused":
        edge, node = kernel_slots(plan.kernels[a[0]]), kernel_slots(plan.kernels[a[1]])
        out = plan.kernels[a[0]].out_slot
        loads = node.loads - {out}
        # while the edge kernel writes out_slot, every read is in use; the node kernel's
        # stores come later per block, so they may reuse what the node kernel loads
        return SlotEffects(edge.reads | loads, {out} | node.stores,
                           [(edge.reads | loads | {out}, node.stores), (node.stores | edge.gathers, set())])
    if op == "copy_v":
        return SlotEffects({a[1]}, {a[0]})
    if op == "swap_v":
        return SlotEffects({a[0], a[1]}, {a[0], a[1]}, swap=(a[0], a[1]))
    if op == "get":
        return SlotEffects({a[1]}, set())
    if op == "gather_v":   # reads x at other nodes while it writes: three distinct slots
        return SlotEffects({a[1], a[2]}, {a[0]}, [({a[0], a[1], a[2]}, set())])
    return SlotEffects(set(), set())


def register_effects(plan: Plan, ins: Instr) -> tuple[set[int], set[int]]:
    """(registers ins reads, registers it writes)."""
    if ins.op == "kernel":
        return kernel_registers(plan.kernels[ins.args[0]])
    if ins.op == "fused":
        (r1, w1), (r2, w2) = (kernel_registers(plan.kernels[i]) for i in ins.args)
        return r1 | r2, w1 | w2
    kinds = _TOP_REGS.get(ins.op)
    if kinds is None:  # arithmetic: dst, then operands
        return set(ins.args[1:]), {ins.args[0]}
    reads = {x for k, x in zip(kinds, ins.args) if k in "rb"}   # b: read and written
    writes = {x for k, x in zip(kinds, ins.args) if k in "wb"}
    return reads, writes


def successors(plan: Plan, pc: int) -> list[int]:
    ins = plan.code[pc]
    if ins.op == "jump":
        return [ins.args[0]]
    if ins.op in ("jump_if_false", "sources"):
        return [pc + 1, ins.args[-1]]
    return [pc + 1]
