"""Building one kernel's micro-ops: temps per IR value, leaves recomputed, slots loaded.

Operand conventions (csrc/graphbuild.h, checked by gb_plan_create): arithmetic micro-ops
are [dst, x, y, z] on temps; load/gather [dst, slot]; bcast [dst, reg]; imm [dst, value];
store [0, slot, temp] and red_* [0, reg, temp] (their first word is unused).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..ir.dataflow import raises_itself, recomputable
from ..ir.nodes import COMMUTATIVE, COMPARISONS, FLOAT_MATH, Block, Node, Op
from ..types import DType
from .model import Instr

if TYPE_CHECKING:
    from .emit import Emitter

_TYPED = {Op.ADD: "add", Op.SUB: "sub", Op.MUL: "mul", Op.FLOORDIV: "floordiv", Op.MOD: "mod",
          Op.POW: "pow", Op.MIN: "min", Op.MAX: "max", Op.NEG: "neg", Op.ABS: "abs",
          Op.EQ: "eq", Op.NE: "ne", Op.LT: "lt", Op.LE: "le", Op.GT: "gt", Op.GE: "ge"}
_PLAIN = {Op.DIV: "div_f", Op.AND: "and", Op.OR: "or", Op.NOT: "not", Op.WHERE: "where",
          **{op: op.value for op in FLOAT_MATH}}
_LEAVES = {Op.NODE_ID: "node_id", Op.IN_DEG: "in_deg", Op.OUT_DEG: "out_deg", Op.DEGREE: "degree"}
_TYPED_REDUCTIONS = ("sum", "min", "max", "argmin", "argmax")


def micro_name(n: Node) -> str | None:
    """The executor opcode of elementwise op n (same name at top level and in kernels);
    None for a conversion between int, node and bool, which keeps the bits."""
    if n.op in _TYPED:
        # comparisons are typed by their operands, arithmetic by its result
        dtype = n.src[0].dtype if n.op in COMPARISONS else n.dtype
        return _TYPED[n.op] + ("_f" if dtype is DType.FLOAT else "_i")
    if n.op in _PLAIN:
        return _PLAIN[n.op]
    assert n.op is Op.CAST, f"{n.op} is not an elementwise op"
    if n.dtype is DType.FLOAT:
        return "i2f"
    if n.src[0].dtype is DType.FLOAT:
        return "f2i"
    return None


def reduction_name(n: Node) -> str:
    if n.arg in _TYPED_REDUCTIONS:
        return f"red_{n.arg}_" + ("f" if n.src[0].dtype is DType.FLOAT else "i")
    return f"red_{n.arg}"


def immediate(value: float | bool) -> int | float:
    return int(value) if isinstance(value, bool) else value


class KernelBuilder:
    def __init__(self, emitter: Emitter, domain: str):
        self.em = emitter
        self.domain = domain
        self.micro: list[Instr] = []
        self.ntemps = 0
        self.temp: dict[Node, int] = {}
        self.reads: set[int] = set()   # slots the kernel reads

    def new_temp(self) -> int:
        self.ntemps += 1
        return self.ntemps - 1

    def emit(self, op: str, args: list, loc) -> None:
        self.micro.append(Instr(op, list(args), self.em.loc(loc)))

    def read_slot(self, v: Node) -> int:
        slot = self.em.storage.slot(v)
        self.reads.add(slot)
        return slot

    def value(self, v: Node) -> int:
        """A temp holding v on every lane: computed here already, an immediate, a
        broadcast register, a recomputed leaf, or a load from v's slot."""
        if v in self.temp:
            return self.temp[v]
        st = self.em.storage
        if v.op is Op.CONST:
            t = self.new_temp()
            self.emit("imm", [t, immediate(v.arg)], v.loc)
        elif not v.is_vector:
            t = self.new_temp()
            self.emit("bcast", [t, st.reg(v)], v.loc)
        elif v.op in _LEAVES:
            t = self.new_temp()
            self.emit(_LEAVES[v.op], [t], v.loc)
        elif v.op is Op.FILL:
            t = self.value(v.src[0])
        elif v.op is Op.RANDOM:
            t = self.new_temp()
            self.emit("random", [t, st.reg(v.src[0])], v.loc)
        elif recomputable(v):
            return self.compute(v)
        else:
            t = self.new_temp()
            self.emit("load", [t, self.read_slot(v)], v.loc)
        self.temp[v] = t
        return t

    def compute(self, n: Node, operands: tuple[Node, ...] | None = None) -> int:
        """A temp holding n, computed from operands (n's own, or them reordered when n is
        commutative)."""
        name = micro_name(n)
        if name is None:
            t = self.value(n.src[0])
        else:
            args = [self.value(s) for s in (operands or n.src)]
            t = self.new_temp()
            self.emit(name, [t, *args], n.loc)
        self.temp[n] = t
        return t

    def reduce(self, n: Node, reg: int) -> None:
        self.emit(reduction_name(n), [0, reg, self.value(n.src[0])], n.loc)


# Leaves first, in this order, so the common shapes come out exactly as the executor's
# specialized loops expect them: [gather t0 s], [gather t0 s, weight t1, add_f t2 t0 t1], ...
_LEAF_RANK = {Op.E_GATHER: 0, Op.E_WEIGHT: 1}


def edge_order(edge: Block) -> list[tuple[Node, tuple[Node, ...]]]:
    """The edge graph's ops in emission order with the operand order to use: the value's
    tree depth-first, then the filter's, commutative operands with gathered values before
    the weight.  Edge graphs where an op may raise keep their program order, so their
    first error stays the program's first."""
    if any(raises_itself(m) for m in edge.nodes):
        return [(m, m.src) for m in edge.nodes]
    order: list[tuple[Node, tuple[Node, ...]]] = []
    seen: set[Node] = set()

    def visit(m: Node) -> None:
        if m in seen:
            return
        seen.add(m)
        src = m.src
        if m.op in COMMUTATIVE:
            src = tuple(sorted(src, key=lambda s: _LEAF_RANK.get(s.op, 2)))
        for s in src:
            visit(s)
        order.append((m, src))

    for y in edge.yields:
        visit(y)
    return order
