"""Which IR values need storage, and how a block's ops group into node kernels.

Storage: a scalar lives in a register, a vector that anything outside one kernel reads
lives in a slot.  Vector leaves (node_id(), degrees, fill(x), random(s)) are recomputed
as one micro-op wherever a kernel needs them, so they get a slot only for uses that
must read memory: a neighbor's value (GATHER), x[s], a loop's initial value, a yielded
value (carried, if result, output) and an aggregation's vector default.  A constant
gets a register only when a top-level instruction reads it; kernels use immediates.

Grouping (one node kernel per group; a later fusion pass refines this): consecutive
vector elementwise ops and reductions of a block join one group, except that an op
reading a reduction of the group starts a new one (the reduction's register is final only
when its kernel has run over every node).  An op that is not a
group member runs before the pending group unless it reads a member (then the group is
emitted first), it is a loop or an if, or both it and the group may raise a run-time
error (their order decides which error is reported).  So scalar arithmetic between
vector statements does not split kernels.  A kernel runs all its micro-ops on one block
of nodes before the next block, so ops that may raise share a kernel only when they come
from the same source line: the first error reported is then the program's first.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..ir.effects import may_raise, raises_itself
from ..ir.nodes import (
    ELEMENTWISE,
    VECTOR_LEAVES,
    Block,
    Function,
    Node,
    Op,
    agg_captures,
    agg_default,
    all_blocks,
)

MAX_GROUP = 200  # members per node kernel, well under the executor's 1024 temps

YIELDED = None   # the "user" recorded for a value a block yields


@dataclass
class Facts:
    users: dict[Node, list[Node | None]] = field(default_factory=dict)
    results: dict[Node, list[Node]] = field(default_factory=dict)   # LOOP/IF -> its RESULTs
    gathered: dict[Node, set[Node]] = field(default_factory=dict)   # AGG -> captures read at u

    def slot_needed(self, v: Node) -> bool:
        """Whether a vector leaf must be stored (it is always recomputable in a kernel)."""
        for u in self.users.get(v, ()):
            if u is YIELDED or u.op in (Op.GET, Op.LOOP):
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
        if n.op in ELEMENTWISE:
            return n.is_vector
        if n.op in VECTOR_LEAVES:
            return self.slot_needed(n)
        return n.op is Op.REDUCE

    def emits(self, n: Node) -> bool:
        """Whether n is a top-level step of its own (else it is free: an alias, a parameter,
        a leaf recomputed where used, or an immediate)."""
        if n.op in (Op.PARAM, Op.RESULT) or n.op in VECTOR_LEAVES:
            return False
        if n.op is Op.CONST:
            return self.reg_needed(n)
        return True


def analyze(fn: Function) -> Facts:
    facts = Facts()
    for b in all_blocks(fn.body):
        for n in b.nodes:
            for s in n.src:
                facts.users.setdefault(s, []).append(n)
            if n.op is Op.RESULT:
                facts.results.setdefault(n.src[0], []).append(n)
            if n.op is Op.AGG:
                captures = agg_captures(n)
                facts.gathered[n] = {captures[m.arg] for m in n.regions[0].nodes if m.op is Op.E_GATHER}
        for y in b.yields:
            facts.users.setdefault(y, []).append(YIELDED)
    return facts


@dataclass
class NodeGroup:
    members: list[Node]


def _inputs(n: Node) -> set[Node]:
    """n's operands, and the operands of leaves among them (fill(s), random(s)): a kernel
    recomputes a leaf where it is used, so it reads the leaf's scalar right there."""
    inputs: set[Node] = set()
    stack = list(n.src)
    while stack:
        s = stack.pop()
        if s not in inputs:
            inputs.add(s)
            if s.op in VECTOR_LEAVES:
                stack.extend(s.src)
    return inputs


def _reads(n: Node) -> set[Node]:
    """Values n reads, including those its regions read from outside."""
    reads = _inputs(n)
    if n.op in (Op.LOOP, Op.IF):
        for region in n.regions:
            for b in all_blocks(region):
                reads.update(b.yields)
                for m in b.nodes:
                    reads.update(m.src)
    return reads


def schedule(block: Block, facts: Facts) -> list[NodeGroup | Node]:
    """block's work in execution order: node-kernel groups and single top-level ops."""
    steps: list[NodeGroup | Node] = []
    group: NodeGroup | None = None
    members: set[Node] = set()
    raise_lines: set[int] = set()  # source lines of the group's members that may raise

    def flush() -> None:
        nonlocal group, members, raise_lines
        if group is not None:
            steps.append(group)
        group, members, raise_lines = None, set(), set()

    for n in block.nodes:
        if facts.is_member(n):
            raises = raises_itself(n)
            # a reduction's register is final only after its whole kernel has run
            if group is not None and (len(group.members) >= MAX_GROUP
                                      or any(s.op is Op.REDUCE for s in _inputs(n) & members)
                                      or (raises and raise_lines - {n.loc.line})):
                flush()
            if group is None:
                group = NodeGroup([])
            group.members.append(n)
            members.add(n)
            if raises:
                raise_lines.add(n.loc.line)
            continue
        if not facts.emits(n):
            continue
        if group is not None and (n.op in (Op.LOOP, Op.IF) or _reads(n) & members
                                  or (raise_lines and may_raise(n))):
            flush()
        steps.append(n)
    flush()
    return steps
