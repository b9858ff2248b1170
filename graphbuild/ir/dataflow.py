"""Dataflow facts about the IR, loop-aware: def-use chains, what regions read, loop-carried
values, liveness across back edges, and (re-exported from effects.py) which ops may raise.

Passes and the plan builder ask these questions here rather than each walking the IR its
own way.  The IR is SSA with structured regions, so most facts are one walk:
- def-use: every operand and every block yield is a use; a yield's user is YIELDED;
- a region op (LOOP, IF, AGG) reads the values its regions use from outside it
  (`free_uses`), and defines the values inside it (`region_defs`);
- a loop's carried value i is (init, one ARG per region, the body's next value, the
  RESULT after the loop); it is invariant when the body yields its own ARG unchanged;
- liveness (`live_after`): a value is live after an op when a later op of its block, a
  yield, or something live after the block reads it.  Across a back edge: every value a
  loop reads from outside, and every value live after the loop, is live through the
  whole loop (each pass reads it again), so inside a body it stays live to the end.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .effects import may_raise, raises_itself
from .nodes import ELEMENTWISE, VECTOR_LEAVES, Block, Node, Op, all_blocks, loop_inits

YIELDED = None   # the "user" recorded for a value a block yields


@dataclass
class DefUse:
    users: dict[Node, list[Node | None]] = field(default_factory=dict)
    results: dict[Node, list[Node]] = field(default_factory=dict)   # LOOP/IF -> its RESULTs
    block_of: dict[Node, Block] = field(default_factory=dict)       # where each node is defined

    def uses(self, n: Node) -> list[Node | None]:
        return self.users.get(n, [])

    def is_used(self, n: Node) -> bool:
        return bool(self.users.get(n))


def def_use(block: Block) -> DefUse:
    """Def-use chains of block and every region inside it."""
    du = DefUse()
    for b in all_blocks(block):
        for a in b.args:
            du.block_of[a] = b
        for n in b.nodes:
            du.block_of[n] = b
            for s in n.src:
                du.users.setdefault(s, []).append(n)
            if n.op is Op.RESULT:
                du.results.setdefault(n.src[0], []).append(n)
        for y in b.yields:
            du.users.setdefault(y, []).append(YIELDED)
    return du


def region_defs(node: Node) -> set[Node]:
    """Every value defined inside node's regions, their arguments included."""
    defs: set[Node] = set()
    for region in node.regions:
        for b in all_blocks(region):
            defs.update(b.args)
            defs.update(b.nodes)
    return defs


def free_uses(node: Node) -> set[Node]:
    """The values node's regions read from outside them (an AGG's edge graph is closed: it
    reads its captures, which are node's own operands)."""
    if node.op is Op.AGG:
        return set()
    inner = region_defs(node)
    uses: set[Node] = set()
    for region in node.regions:
        for b in all_blocks(region):
            uses.update(y for y in b.yields if y not in inner)
            for m in b.nodes:
                uses.update(s for s in m.src if s not in inner)
    return uses


def reads(node: Node) -> set[Node]:
    """Everything running node reads: its operands and its regions' free uses."""
    return set(node.src) | free_uses(node)


def dependencies(roots: Iterable[Node]) -> set[Node]:
    """roots and everything they are computed from, following operands."""
    seen: set[Node] = set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(n.src)
    return seen


# Elementwise ops cheap enough to redo wherever their value is needed (not pow, exp, log).
_CHEAP = ELEMENTWISE - {Op.POW, Op.EXP, Op.LOG}


def recomputable(n: Node) -> bool:
    """n is a node vector any kernel can compute in place as cheaply as loading it: a graph
    function (node_id(), degrees, fill(s), random(s)), or one cheap op that cannot raise on
    graph functions and scalars (`deg == 0`, `float(deg)`).  Such a value needs a slot only
    where memory must hold it (a neighbor's value, x[s], a carried or returned value)."""
    if n.op in VECTOR_LEAVES:
        return True
    return (n.op in _CHEAP and n.is_vector and not raises_itself(n)
            and all(s.op in VECTOR_LEAVES or not s.is_vector for s in n.src))


# ---- loops -------------------------------------------------------------------------


@dataclass
class Carried:
    """One loop-carried value."""

    index: int
    init: Node
    args: list[Node]          # its ARG in each region (cond, body)
    next: Node                # the body's yield: the value the next pass starts from
    result: Node | None       # the RESULT after the loop (None once DCE has dropped it)

    @property
    def invariant(self) -> bool:
        """The body hands the value on unchanged, so it is the init on every pass."""
        return self.next is self.args[-1]


def carried_values(loop: Node, du: DefUse | None = None) -> list[Carried]:
    results = {r.arg: r for r in (du.results.get(loop, []) if du else [])}
    body = loop.regions[-1]
    return [Carried(i, init, [region.args[i] for region in loop.regions], body.yields[i], results.get(i))
            for i, init in enumerate(loop_inits(loop))]


def loop_defined(loop: Node) -> set[Node]:
    """Values that change from one pass to the next: the loop's region args and ops."""
    return region_defs(loop)


def is_invariant(n: Node, loop_values: set[Node]) -> bool:
    """n (an op inside a loop) computes the same value on every pass."""
    return not any(s in loop_values for s in n.src) and not any(s in loop_values for s in free_uses(n))


# ---- liveness ------------------------------------------------------------------------


def live_after(block: Block, live_out: set[Node]) -> list[set[Node]]:
    """For each node of block, the values live right after it, given what is live after the
    block (which must include the block's yields' consumers' needs).  Region args are
    defined at the block's start, so they are live until their last use like any value."""
    live = set(live_out) | set(block.yields)
    out: list[set[Node]] = [set() for _ in block.nodes]
    for i in range(len(block.nodes) - 1, -1, -1):
        n = block.nodes[i]
        out[i] = set(live)
        live.discard(n)
        live |= reads(n)
    return out


def live_in(block: Block, live_out: set[Node]) -> set[Node]:
    """The values block needs from outside (and its args), given what is live after it."""
    live = set(live_out) | set(block.yields)
    for n in reversed(block.nodes):
        live.discard(n)
        live |= reads(n)
    return live


def region_live_out(node: Node, after: set[Node]) -> list[set[Node]]:
    """What is live at the end of each of node's regions, given what is live after node.

    Loop regions run again after they end, so the loop's free uses and everything live
    after the loop stay live through every region (the back edge).  A while condition's
    end also keeps the body's live-in carried values; a body's end keeps its yields (the
    next pass's carried values and the until condition)."""
    if node.op is not Op.LOOP:
        return [set(after) for _ in node.regions]
    outer = (set(after) | free_uses(node)) - {node}
    body = node.regions[-1]
    ends = []
    for region in node.regions:
        end = set(outer)
        if region is not body:  # a while condition: the body's carried inputs come next
            body_in = live_in(body, outer)
            end |= {region.args[i] for i, a in enumerate(body.args) if a in body_in}
        ends.append(end)
    return ends


def live_sets(block: Block, live_out: set[Node] | None = None) -> dict[Node, set[Node]]:
    """Every node of block and of its loop and if regions -> the values live right after
    it.  An aggregation's edge graph is not entered: its lanes are edges, not values."""
    result: dict[Node, set[Node]] = {}
    after = live_after(block, live_out or set())
    for n, live in zip(block.nodes, after):
        result[n] = live
        if n.op in (Op.LOOP, Op.IF):
            for region, end in zip(n.regions, region_live_out(n, live)):
                result.update(live_sets(region, end))
    return result


def max_live_vectors(block: Block) -> int:
    """The largest number of node-vector values live at once right after an op."""
    return max((sum(1 for v in live if v.is_vector) for live in live_sets(block).values()), default=0)


__all__ = ["YIELDED", "Carried", "DefUse", "carried_values", "def_use", "dependencies", "free_uses",
           "is_invariant", "live_after", "live_in", "live_sets", "loop_defined", "max_live_vectors",
           "may_raise", "raises_itself", "reads", "recomputable", "region_defs", "region_live_out"]
