"""Code emission: IR blocks -> top-level instructions, node kernels and edge kernels.

Control flow (counter registers are reset to 0 on every entry to their loop):
    while C: B          head: C; jump_if_false c, end; counter += 1; check_iter counter;
                        B; carried copies; jump head; end:
    repeat N [until U]: head: lt_i t, counter, n; jump_if_false t, end; counter += 1;
                        B; carried copies; jump head  (or: jump_if_false u, head); end:
    if C: A else: E     jump_if_false c, else; A; result copies; jump end; else: E; copies; end:
Every backward jump polls the interrupt flag in the executor, so any loop can be stopped.
Carried copies are a parallel copy: a source that another copy overwrites is saved first,
and a vector computed in the body and carried once is swapped in (swap_v) instead of
copied, since the body recomputes it before reading it again.  Slots are virtual here
(one per value); alloc.py shares them, which turns most of these moves into nothing.
Steps come from schedule.py: a node-kernel group is a KERNEL, an aggregation a KERNEL of
its edge kernel, a fused pair one FUSED instruction naming both kernels.
"""
from __future__ import annotations

from collections import Counter

from ..ir.dataflow import YIELDED, recomputable
from ..ir.nodes import (
    Block,
    Function,
    Loc,
    LoopKind,
    Node,
    Op,
    agg_captures,
    agg_default,
    loop_count,
    loop_inits,
    walk,
)
from ..types import DType
from .kernel import KernelBuilder, edge_order, micro_name
from .model import Instr, Kernel, SourceLoc
from .options import DEFAULT, PlanOptions
from .schedule import Facts, Fused, NodeGroup, fuse_epilogues, schedule
from .slots import Storage, StorageRef


def gather_none(dtype: DType) -> int:
    """x[p] where p[v] is no_node(): no_node() in a node vector, else 0, 0.0 or false (the
    executor copies these bits; 0.0 is all zero bits)."""
    return -1 if dtype is DType.NODE else 0


_EDGE_LEAF_MICRO = {Op.E_NBR: "nbr", Op.E_WEIGHT: "weight", Op.E_COMMON: "common"}

_AGG_DIRS = {"in": "in", "out": "out", "both": "both"}


class Emitter:
    def __init__(self, fn: Function, facts: Facts, options: PlanOptions = DEFAULT,
                 apart: frozenset[Node] = frozenset()):
        self.fn = fn
        self.apart = apart          # aggregations whose node kernel runs as its own kernel
        self.fused: list[Node] = []  # aggregations emitted fused, in order
        self.facts = facts
        self.options = options
        self.storage = Storage()
        self.code: list[Instr] = []
        self.kernels: list[Kernel] = []
        self.locations: list[SourceLoc] = []
        self._loc_index: dict[Loc, int] = {}
        self.needs_weights = False
        self._one: int | None = None
        # each `for s in ...` loop: its line and source set ("all" or "sample"), for the
        # plan's summary and for engines that refuse such loops (spark/support.py)
        self.source_loops: list[dict] = []
        # nodes not emitted: a loop over sources' index step (its SOURCES instruction steps it)
        self.skip: set[Node] = set()

    # ---- basics ----------------------------------------------------------------

    def loc(self, loc: Loc) -> int:
        if loc.line <= 0:
            return -1
        if loc not in self._loc_index:
            self._loc_index[loc] = len(self.locations)
            self.locations.append(SourceLoc(loc.line, loc.col))
        return self._loc_index[loc]

    def instr(self, op: str, args: list, loc: Loc) -> Instr:
        ins = Instr(op, list(args), self.loc(loc))
        self.code.append(ins)
        return ins

    def one(self, loc: Loc) -> int:
        """A register holding 1, (re)set here so it is valid on every path."""
        if self._one is None:
            self._one = self.storage.new_reg(DType.INT)
        self.instr("const", [self._one, 1], loc)
        return self._one

    def add_kernel(self, kb: KernelBuilder, loc: Loc, **edge) -> int:
        self.kernels.append(Kernel(kb.domain, kb.micro, kb.ntemps, self.loc(loc), **edge))
        return len(self.kernels) - 1

    # ---- blocks ----------------------------------------------------------------

    def block(self, block: Block) -> None:
        for n in block.nodes:
            if n.op is Op.LOOP and n.arg is LoopKind.SOURCES:
                self.skip |= self.index_steps(n)
        for step in fuse_epilogues(schedule(block, self.facts, self.options), self.options, self.apart):
            if isinstance(step, NodeGroup):
                self.instr("kernel", [self.node_kernel(step.members)], step.members[0].loc)
            elif isinstance(step, Fused):
                self.fused.append(step.agg)
                edge = self.edge_kernel(step.agg)
                self.instr("fused", [edge, self.node_kernel(step.group.members)], step.agg.loc)
            else:
                self.step(step)

    def step(self, n: Node) -> None:
        st = self.storage
        if n in self.skip:
            return
        if n.op is Op.CONST:
            value = int(n.arg) if isinstance(n.arg, bool) else n.arg
            self.instr("const", [st.reg(n), value], n.loc)
        elif n.op in (Op.NODE_COUNT, Op.EDGE_COUNT):
            self.instr(n.op.value, [st.reg(n)], n.loc)
        elif n.op is Op.GET:
            self.instr("get", [st.reg(n), st.slot(n.src[0]), st.reg(n.src[1])], n.loc)
        elif n.op is Op.GATHER_V:   # x[p]: its own instruction, as it reads other nodes' x
            self.instr("gather_v", [st.slot(n), st.slot(n.src[0]), st.slot(n.src[1]),
                                    gather_none(n.dtype)], n.loc)
        elif n.op is Op.SOURCE:   # pass i's source: i itself, or the i-th of a seeded sample
            if n.arg == "all":
                self.instr("mov", [st.reg(n), st.reg(n.src[0])], n.loc)
            else:
                self.instr("sample", [st.reg(n), *(st.reg(s) for s in n.src)], n.loc)
        elif n.op is Op.AGG:
            self.instr("kernel", [self.edge_kernel(n)], n.loc)
        elif n.op is Op.LOOP:
            self.loop(n)
        elif n.op is Op.IF:
            self.if_(n)
        else:  # a scalar elementwise op
            name = micro_name(n)
            if name is None:  # a conversion between int-like types: same bits
                self.instr("mov", [st.reg(n), st.reg(n.src[0])], n.loc)
            else:
                self.instr(name, [st.reg(n), *(st.reg(s) for s in n.src)], n.loc)

    # ---- kernels ---------------------------------------------------------------

    def node_kernel(self, members: list[Node]) -> int:
        kb = KernelBuilder(self, "node")
        inside = set(members)
        for m in members:
            if m.op is Op.REDUCE:
                kb.reduce(m, self.storage.reg(m))
            elif recomputable(m):
                kb.value(m)   # possibly computed already for an earlier member
            else:
                kb.compute(m)
        for m in members:
            if m.is_vector and any(u not in inside for u in self.facts.users.get(m, ())):
                kb.emit("store", [0, self.storage.slot(m), kb.temp[m]], m.loc)
        return self.add_kernel(kb, members[0].loc)

    def edge_kernel(self, agg: Node) -> int:
        st = self.storage
        kb = KernelBuilder(self, "edge")
        captures = agg_captures(agg)
        for n, operands in edge_order(agg.regions[0]):
            if n.op is Op.E_GATHER:
                t = kb.new_temp()
                kb.emit("gather", [t, kb.read_slot(captures[n.arg])], n.loc)
                kb.temp[n] = t
            elif n.op in (Op.E_OWN, Op.E_SCALAR):
                kb.temp[n] = kb.value(captures[n.arg])
            elif n.op in (Op.E_NBR, Op.E_WEIGHT, Op.E_COMMON):
                t = kb.new_temp()
                kb.emit(_EDGE_LEAF_MICRO[n.op], [t], n.loc)
                kb.temp[n] = t
                self.needs_weights = self.needs_weights or n.op is Op.E_WEIGHT
            elif n.op is Op.CONST:
                kb.value(n)
            else:
                kb.compute(n, operands)
        edge = agg.regions[0]
        value = kb.value(edge.yields[0])
        filt = kb.value(edge.yields[1]) if agg.arg.has_filter else -1
        out = st.slot(agg)
        assert out not in kb.reads, "an edge kernel must not read its own out_slot"
        default = agg_default(agg)
        if default is None:
            kind, index = "identity", -1
        elif default.is_vector:
            kind, index = "slot", st.slot(default)
        else:
            kind, index = "reg", st.reg(default)
        return self.add_kernel(kb, agg.loc, dir=_AGG_DIRS[agg.arg.direction], agg=agg.arg.kind,
                               agg_float=edge.yields[0].dtype is DType.FLOAT, out_slot=out,
                               value_temp=value, filter_temp=filt, default_kind=kind, default_index=index)

    # ---- control flow ----------------------------------------------------------

    def move(self, dst: StorageRef, src: StorageRef, loc: Loc) -> None:
        if dst != src:
            self.instr("copy_v" if dst[0] else "mov", [dst[1], src[1]], loc)

    def parallel_copy(self, pairs: list[tuple[StorageRef, Node]], inside: set[Node], loc: Loc,
                      keep: Node | None = None) -> StorageRef | None:
        """dst_i := value_i for all i at once; returns where `keep` can be read afterwards."""
        st = self.storage
        moves = [(dst, v) for dst, v in pairs if st.where(v) != dst]
        written = {dst for dst, _ in moves}
        saved: dict[StorageRef, StorageRef] = {}
        reads = [st.where(v) for _, v in moves] + ([st.where(keep)] if keep is not None else [])
        for src in reads:
            if src in written and src not in saved:
                tmp = (src[0], st.new_slot(DType(st.slots[src[1]])) if src[0]
                       else st.new_reg(DType(st.registers[src[1]])))
                self.move(tmp, src, loc)
                saved[src] = tmp
        times = Counter(v for _, v in moves)
        swaps = []
        for dst, v in moves:
            src = saved.get(st.where(v), st.where(v))
            if dst[0] and v in inside and times[v] == 1 and src not in written:
                swaps.append((dst, src))
            else:
                self.move(dst, src, loc)
        for dst, src in swaps:
            self.instr("swap_v", [dst[1], src[1]], loc)
        if keep is None:
            return None
        return saved.get(st.where(keep), st.where(keep))

    def patch(self, ins: Instr, target: int) -> None:
        ins.args[-1] = target

    def loop(self, n: Node) -> None:
        st, loc = self.storage, n.loc
        if n.arg is LoopKind.SOURCES:
            self.sources_loop(n)
            return
        inits = loop_inits(n)
        carried = [st.fresh(init) for init in inits]
        for region in n.regions:
            for a, ref in zip(region.args, carried):
                st.bind(a, ref)
        for r in self.facts.results.get(n, []):
            st.bind(r, carried[r.arg])
        for ref, init in zip(carried, inits):
            self.move(ref, st.where(init), loc)
        counter = st.new_reg(DType.INT)
        self.instr("const", [counter, 0], loc)
        one = self.one(loc)
        body = n.regions[-1]
        head = len(self.code)
        if n.arg is LoopKind.WHILE:
            cond = n.regions[0]
            self.block(cond)
            exit_jump = self.instr("jump_if_false", [st.reg(cond.yields[0]), -1], loc)
            self.instr("add_i", [counter, counter, one], loc)
            self.instr("check_iter", [counter], loc)
        else:
            more = st.new_reg(DType.BOOL)
            self.instr("lt_i", [more, counter, st.reg(loop_count(n))], loc)
            exit_jump = self.instr("jump_if_false", [more, -1], loc)
            self.instr("add_i", [counter, counter, one], loc)
        self.block(body)
        pairs = list(zip(carried, body.yields[:len(inits)]))
        inside = set(walk(body))
        if n.arg is LoopKind.REPEAT_UNTIL:
            until = body.yields[-1]
            where = self.parallel_copy(pairs, inside, loc, keep=until)
            self.instr("jump_if_false", [where[1], head], loc)
        else:
            self.parallel_copy(pairs, inside, loc)
            self.instr("jump", [head], loc)
        self.patch(exit_jump, len(self.code))

    def index_steps(self, n: Node) -> set[Node]:
        """What a loop over sources' SOURCES instruction does itself: the pass index's step
        `i + 1`, and the constants 0 and 1 when nothing else uses them (licm may have
        hoisted the 1 out of the loop, so the block holding the loop skips them too)."""
        step, init = n.regions[-1].yields[0], loop_inits(n)[0]
        if set(self.facts.users.get(step, ())) - {YIELDED}:
            return set()   # `i + 1` computed for the program too (a common subexpression)
        consts = [c for c in (*step.src, init) if c.op is Op.CONST
                  and set(self.facts.users.get(c, ())) <= {step, n}]
        return {step, *consts}

    def sources_loop(self, n: Node) -> None:
        """`for s in ...`:  const i, -1;  head: sources i, count, 0, @exit;  body;  jump head.
        The SOURCES instruction steps the index, so the body's `i + 1` is not emitted; the
        batch (the parallel claim) is decided on the final plan (sources_claim.py)."""
        st, loc = self.storage, n.loc
        body = n.regions[-1]
        sampled = any(m.op is Op.SOURCE and m.arg == "sample" for m in walk(body))
        self.source_loops.append({"line": loc.line, "col": loc.col,
                                  "sources": "sample" if sampled else "all"})
        inits = loop_inits(n)
        carried = [st.fresh(init) for init in inits]
        for a, ref in zip(body.args, carried):
            st.bind(a, ref)
        for r in self.facts.results.get(n, []):
            st.bind(r, carried[r.arg])
        for ref, init in zip(carried[1:], inits[1:]):
            self.move(ref, st.where(init), loc)
        index = carried[0][1]
        self.instr("const", [index, -1], loc)
        head = len(self.code)
        sources = self.instr("sources", [index, st.reg(loop_count(n)), 0, -1], loc)
        self.block(body)
        self.parallel_copy(list(zip(carried[1:], body.yields[1:len(inits)])), set(walk(body)), loc)
        self.instr("jump", [head], loc)
        self.patch(sources, len(self.code))

    def if_(self, n: Node) -> None:
        st, loc = self.storage, n.loc
        results = self.facts.results.get(n, [])
        refs = [st.fresh(r) for r in results]
        for r, ref in zip(results, refs):
            st.bind(r, ref)
        then, orelse = n.regions
        to_else = self.instr("jump_if_false", [st.reg(n.src[0]), -1], loc)
        self.block(then)
        self.parallel_copy([(refs[r.arg], then.yields[r.arg]) for r in results], set(walk(then)), loc)
        to_end = self.instr("jump", [-1], loc)
        self.patch(to_else, len(self.code))
        self.block(orelse)
        self.parallel_copy([(refs[r.arg], orelse.yields[r.arg]) for r in results], set(walk(orelse)), loc)
        self.patch(to_end, len(self.code))
