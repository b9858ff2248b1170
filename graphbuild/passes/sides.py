"""Source-side hoisting: per-edge work that depends on one end of the edge only is done
once per node, before the aggregation, instead of once per edge.

In `sum(rank[u] / deg[u] for u in in_nbrs)` the division reads only the neighbor's
values, so it computes the same number on every edge that leaves u.  The pass computes
`rank / deg` as a node vector right before the aggregation and gathers that: the edge
pass reduces one gathered value per edge, a shape the executor runs as a specialized
loop (GAP's PageRank precomputes the outgoing contribution the same way).  The
neighbor's value of a node vector is exactly the vector's entry at u, so the result is
the same bits.

Each edge-graph op is on the neighbor side (reads only x[u], u, scalars and constants),
the owner side (reads only v's own vectors, scalars and constants), or mixed (reads the
weight, or both sides).  A one-sided op whose value a mixed op or the yield uses is the
root of a subtree that moves: it becomes a new node vector captured by the aggregation
and read through a gather (neighbor side) or an own-value load (owner side).
A subtree moves only when it pays:
- it reads a vector from memory (a gather, or an own value that is not recomputed in
  place, see dataflow.recomputable), so the edge pass loads one value instead of several;
- it cannot raise: at node level it would run for nodes no edge reaches.
"""
from __future__ import annotations

from ..ir.dataflow import raises_itself, recomputable
from ..ir.nodes import (
    ELEMENTWISE,
    Block,
    Function,
    Node,
    Op,
    agg_captures,
    agg_default,
    all_blocks,
    replace_uses,
)
from ..types import DType, Shape, Type

NBR, OWN, ANY, MIXED = "nbr", "own", "any", "mixed"


def hoist_sides(fn: Function) -> Function:
    changed = False
    for block in list(all_blocks(fn.body)):
        out: list[Node] = []
        for n in block.nodes:
            if n.op is Op.AGG:
                captures = len(n.src)
                out.extend(_split(n))
                changed |= len(n.src) != captures   # a split adds one capture per side moved
            out.append(n)
        block.nodes = out
    fn.changes += changed
    return fn


def edge_sides(edge: Block) -> dict[Node, str]:
    """The side of every op of an edge graph."""
    side: dict[Node, str] = {}
    for m in edge.nodes:
        if m.op in (Op.CONST, Op.E_SCALAR):
            side[m] = ANY
        elif m.op in (Op.E_GATHER, Op.E_NBR):
            side[m] = NBR
        elif m.op is Op.E_OWN:
            side[m] = OWN
        elif m.op in (Op.E_WEIGHT, Op.E_COMMON) or raises_itself(m):
            side[m] = MIXED
        else:
            kinds = {side[s] for s in m.src} - {ANY}
            side[m] = MIXED if len(kinds) > 1 else kinds.pop() if kinds else ANY
    return side


def _reads_memory(m: Node, captures: tuple[Node, ...], memo: dict[Node, bool]) -> bool:
    if m not in memo:
        if m.op is Op.E_GATHER:
            memo[m] = True
        elif m.op is Op.E_OWN:
            memo[m] = not recomputable(captures[m.arg])
        else:
            memo[m] = any(_reads_memory(s, captures, memo) for s in m.src)
    return memo[m]


def _split(agg: Node) -> list[Node]:
    """Move agg's one-sided subtrees to node level; returns the new node-level ops."""
    edge = agg.regions[0]
    captures = agg_captures(agg)
    side = edge_sides(edge)
    users: dict[Node, list[Node]] = {m: [] for m in edge.nodes}
    for m in edge.nodes:
        for s in m.src:
            users[s].append(m)
    memo: dict[Node, bool] = {}
    roots = [m for m in edge.nodes
             if m.op in ELEMENTWISE and side[m] in (NBR, OWN) and _reads_memory(m, captures, memo)
             and (m in edge.yields or any(side[u] != side[m] for u in users[m]))]
    if not roots:
        return []
    new: list[Node] = []
    mapped: dict[Node, Node] = {}
    added: list[Node] = []
    subst: dict[Node, Node] = {}
    for r in roots:
        vector = _node_level(r, captures, mapped, new)
        added.append(vector)
        leaf = Node(Op.E_GATHER if side[r] is NBR else Op.E_OWN, r.type, (),
                    len(captures) + len(added) - 1, r.loc)
        subst[r] = leaf
        edge.nodes.insert(edge.nodes.index(r) + 1, leaf)
    replace_uses(edge, subst)
    default = agg_default(agg)
    agg.src = (*captures, *added, *((default,) if default is not None else ()))
    return new


def _node_level(m: Node, captures: tuple[Node, ...], mapped: dict[Node, Node], new: list[Node]) -> Node:
    """The node-level value of edge op m: its own values read as whole vectors."""
    if m in mapped:
        return mapped[m]
    if m.op in (Op.E_GATHER, Op.E_OWN, Op.E_SCALAR):
        value = captures[m.arg]
    elif m.op is Op.E_NBR:
        value = Node(Op.NODE_ID, Type.vector(DType.NODE), (), None, m.loc)
        new.append(value)
    elif m.op is Op.CONST:
        value = Node(Op.CONST, m.type, (), m.arg, m.loc)
        new.append(value)
    else:
        src = tuple(_node_level(s, captures, mapped, new) for s in m.src)
        shape = Shape.VECTOR if any(s.is_vector for s in src) else Shape.SCALAR
        value = Node(m.op, Type(shape, m.dtype), src, m.arg, m.loc)
        new.append(value)
    mapped[m] = value
    return value
