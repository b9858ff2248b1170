"""Which IR values need storage, and the order of a block's work: node kernels, edge
kernels, fused pairs and top-level ops.

Storage: a scalar lives in a register, a vector that anything outside one kernel reads
lives in a slot.  Vectors that are cheap to recompute (ir.dataflow.recomputable: graph
functions such as out_degree(), and one cheap op on them such as `deg == 0`) are redone
wherever a kernel needs them, so they get a slot only for uses that must read memory: a
neighbor's value (GATHER), x[s], x[p], a loop's initial value, a yielded value (carried, if
result, output) and an aggregation's vector default.  A constant gets a register only
when a top-level instruction reads it; kernels use immediates.

Order (list scheduling between loops and ifs, which stay where they are): the block's
work is a dependency graph (operands, and program order among ops that may raise, so the
first error reported is the program's first).  One node kernel is open at a time; the
scheduler repeatedly takes, in program order,
  1. a top-level op (scalar arithmetic, x[s], a constant) whose inputs are done,
  2. else a node-vector op or reduction that can join the open kernel: its inputs are
     done or computed by the kernel (a reduction's register is final only after the
     kernel has run over every node, so not a reduction of it),
  3. else an aggregation whose inputs are done,
  4. else it closes the open kernel.
The open kernel runs after everything scheduled while it was open, so scalar work
between vector statements does not split kernels, and node work that consumes an
aggregation lands in the kernel right after it, ready to be fused (fuse_epilogues).
A kernel runs all its micro-ops on one block of nodes before the next block, so ops that
may raise share a kernel only when they come from the same source line.
"""
from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass

from ..ir.dataflow import YIELDED, def_use, may_raise, raises_itself, recomputable
from ..ir.nodes import ELEMENTWISE, VECTOR_LEAVES, Block, Function, Node, Op, agg_captures, agg_default, walk
from .options import DEFAULT, PlanOptions

MAX_GROUP = 200  # members per node kernel, well under the executor's 1024 temps


@dataclass
class Facts:
    users: dict[Node, list[Node | None]]
    results: dict[Node, list[Node]]             # LOOP/IF -> its RESULTs
    gathered: dict[Node, set[Node]]             # AGG -> captures read at u

    def slot_needed(self, v: Node) -> bool:
        """Whether a recomputable vector must also be stored."""
        for u in self.users.get(v, ()):
            if u is YIELDED or u.op in (Op.GET, Op.GATHER_V, Op.LOOP):
                return True
            if u.op is Op.AGG and (v is agg_default(u) or v in self.gathered[u]):
                return True
        return False

    def reg_needed(self, v: Node) -> bool:
        """Whether a constant must be in a register (some top-level instruction reads it)."""
        for u in self.users.get(v, ()):
            in_kernel = u is not YIELDED and (
                (u.op in ELEMENTWISE and u.is_vector) or u.op is Op.FILL
                or (u.op is Op.AGG and v is not agg_default(u)))
            if not in_kernel:
                return True
        return False

    def is_member(self, n: Node) -> bool:
        """Computed inside a node kernel."""
        if (n.op in ELEMENTWISE and n.is_vector) or n.op in VECTOR_LEAVES:
            return self.slot_needed(n) if recomputable(n) else True
        return n.op is Op.REDUCE

    def emits(self, n: Node) -> bool:
        """Whether n is a top-level step of its own (else it is free: an alias, a parameter,
        a vector recomputed where used, or an immediate)."""
        if n.op in (Op.PARAM, Op.RESULT) or recomputable(n):
            return False
        if n.op is Op.CONST:
            return self.reg_needed(n)
        return True


def analyze(fn: Function) -> Facts:
    du = def_use(fn.body)
    gathered = {n: {agg_captures(n)[m.arg] for m in n.regions[0].nodes if m.op is Op.E_GATHER}
                for n in walk(fn.body) if n.op is Op.AGG}
    return Facts(du.users, du.results, gathered)


@dataclass
class NodeGroup:
    members: list[Node]


@dataclass
class Fused:
    """An aggregation and the node kernel that runs on each block of nodes right after it."""

    agg: Node
    group: NodeGroup


Step = NodeGroup | Fused | Node


def inputs(n: Node) -> set[Node]:
    """n's operands, and the inputs of recomputed vectors among them (fill(s), deg == k):
    a kernel recomputes those where it uses them, so it reads their inputs right there."""
    found: set[Node] = set()
    stack = list(n.src)
    while stack:
        s = stack.pop()
        if s not in found:
            found.add(s)
            if recomputable(s):
                stack.extend(s.src)
    return found


def schedule(block: Block, facts: Facts, options: PlanOptions = DEFAULT) -> list[Step]:
    """block's work in execution order: node-kernel groups, aggregations and single ops."""
    steps: list[Step] = []
    segment: list[Node] = []
    for n in block.nodes:
        if n.op in (Op.LOOP, Op.IF):
            steps += _Segment(segment, facts, options).run()
            steps.append(n)
            segment = []
        else:
            segment.append(n)
    return steps + _Segment(segment, facts, options).run()


class _Segment:
    """One segment's list schedule, in time linear in its work (times log for the queues).

    The rules pick the first node in program order that qualifies; rather than rescanning
    the pending work at every step, each node counts what it still waits for:
      unready[n]  operands (and the earlier op that may raise) not done yet: at zero, a
                  top-level op or an aggregation joins its queue (rules 1 and 3);
      unjoined[n] operands neither done nor computed by the open kernel (a reduction of it
                  counts only once done), and the earlier raising op neither done nor in
                  the open kernel: at zero, a kernel member becomes joinable (rule 2).
    Both only fall (done and the open kernel only grow, and a kernel only closes into
    done), so a node enters its queue once.  Queues hold program positions."""

    def __init__(self, nodes: list[Node], facts: Facts, options: PlanOptions):
        self.facts, self.options = facts, options
        self.work = [n for n in nodes if facts.is_member(n) or facts.emits(n)]
        self.is_member = {n: facts.is_member(n) for n in self.work}
        self.position = {n: i for i, n in enumerate(self.work)}
        inside = set(self.work)
        self.deps: dict[Node, set[Node]] = {}
        self.chain: dict[Node, Node | None] = {}   # the previous op that may raise
        self.users: dict[Node, list[Node]] = {n: [] for n in self.work}
        self.chained: dict[Node, list[Node]] = {n: [] for n in self.work}
        last = None
        for n in self.work:
            self.deps[n] = inputs(n) & inside
            for d in self.deps[n]:
                self.users[d].append(n)
            self.chain[n] = last if may_raise(n) else None
            if self.chain[n] is not None:
                self.chained[self.chain[n]].append(n)
            last = n if may_raise(n) else last
        self.done: set[Node] = set()
        self.group: list[Node] = []
        self.steps: list[Step] = []

    def run(self) -> list[Step]:
        if not (self.options.fuse_elementwise or self.options.fuse_reductions):
            # unfused: program order, one kernel per node op
            return [NodeGroup([n]) if self.is_member[n] else n for n in self.work]
        self.unready = {n: len(self.deps[n]) + (self.chain[n] is not None) for n in self.work}
        self.unjoined = dict(self.unready)
        self.dep_counted: set[Node] = set()     # counted in its users' unjoined
        self.chain_counted: set[Node] = set()   # counted in the unjoined of ops chained after it
        self.top: list[int] = []          # rule 1: ready top-level ops
        self.aggs: list[int] = []         # rule 3: ready aggregations
        self.joinable: list[int] = []     # rule 2: members whose inputs are at hand, sorted
        for n in self.work:
            self._check(n)
        left = len(self.work)
        while left:
            n = self._take()
            if n is None:
                assert self.group, "the schedule is stuck: a dependency cycle"
                self.flush()
                continue
            left -= 1
            if self.is_member[n]:
                self.group.append(n)
                self._joined(n)
            else:
                self.steps.append(n)
                self._done(n)
        self.flush()
        return self.steps

    def _take(self) -> Node | None:
        """The next node by rules 1-3, removed from its queue; None: close the kernel."""
        if self.top:
            return self.work[heapq.heappop(self.top)]
        for i, at in enumerate(self.joinable):
            if self.can_join(self.work[at]):
                del self.joinable[i]
                return self.work[at]
        if self.aggs:
            return self.work[heapq.heappop(self.aggs)]
        return None

    def _check(self, n: Node) -> None:
        """Queue n once it waits for nothing its rule cares about."""
        if self.is_member[n]:
            if self.unjoined[n] == 0:
                bisect.insort(self.joinable, self.position[n])
        elif self.unready[n] == 0:
            heapq.heappush(self.aggs if n.op is Op.AGG else self.top, self.position[n])

    def _joined(self, x: Node) -> None:
        """x is in the open kernel: users may compute from it there, except from a reduction,
        whose register is final only once the kernel has run; raising order is kept."""
        if x.op is not Op.REDUCE:
            self._release(x, self.users, self.dep_counted)
        self._release(x, self.chained, self.chain_counted)

    def _done(self, x: Node) -> None:
        self.done.add(x)
        self._release(x, self.users, self.dep_counted)
        self._release(x, self.chained, self.chain_counted)
        for n in self.users[x] + self.chained[x]:
            self.unready[n] -= 1
            if self.unready[n] == 0 and not self.is_member[n]:
                self._check(n)

    def _release(self, x: Node, waiting: dict[Node, list[Node]], counted: set[Node]) -> None:
        """Count x once in unjoined of the nodes waiting for it."""
        if x in counted:
            return
        counted.add(x)
        for n in waiting[x]:
            self.unjoined[n] -= 1
            if self.unjoined[n] == 0 and self.is_member[n]:
                self._check(n)

    def can_join(self, n: Node) -> bool:
        """The open kernel's own conditions (the inputs are at hand: unjoined[n] == 0)."""
        group, opts = self.group, self.options
        if len(group) >= MAX_GROUP:
            return False
        if group and not opts.fuse_elementwise:
            # only a reduction of a value the kernel computes, when reductions fuse
            if not (opts.fuse_reductions and n.op is Op.REDUCE and n.src[0] in group):
                return False
        reduces = n.op is Op.REDUCE or any(m.op is Op.REDUCE for m in group)
        if group and not opts.fuse_reductions and reduces:
            return False
        if raises_itself(n) and any(raises_itself(m) and m.loc.line != n.loc.line for m in group):
            return False
        return True

    def flush(self) -> None:
        if self.group:
            self.steps.append(NodeGroup(self.group))
            group, self.group = self.group, []
            for n in group:
                self._done(n)


def fuse_epilogues(steps: list[Step], options: PlanOptions, apart: frozenset = frozenset()) -> list[Step]:
    """Pair each aggregation with the node kernel right after it, unless both may raise
    (per block, the pair would interleave their errors) or the aggregation is in apart."""
    if not options.fuse_epilogue:
        return steps
    out: list[Step] = []
    i = 0
    while i < len(steps):
        step = steps[i]
        after = steps[i + 1] if i + 1 < len(steps) else None
        if (isinstance(step, Node) and step.op is Op.AGG and step not in apart
                and isinstance(after, NodeGroup)
                and not (may_raise(step) and any(raises_itself(m) for m in after.members))):
            out.append(Fused(step, after))
            i += 2
        else:
            out.append(step)
            i += 1
    return out
