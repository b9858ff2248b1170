"""Slot allocation: the emitted plan's one-slot-per-value numbering -> shared slots.

The emitter gives every stored vector its own slot (a virtual slot).  Here they are mapped
to as few real slots as the plan's liveness allows:
1. interference: two virtual slots conflict when some instruction needs them to hold
   different values at once (liveness.conflicts: live across the instruction, written by
   it, or kept apart by the kernel rules in effects.py); slots of different dtypes never
   share;
2. coalescing: a copy_v, or a swap_v that only moves a loop's new value into its carried
   slot, joins its two slots when they do not conflict, and then disappears; a join is
   kept only if it does not raise the number of slots the coloring needs;
3. coloring: greedy, in order of first definition and by saturation (DSatur), the better
   of the two; on these small graphs it meets the lower bound `max_live` in practice.
The plan is rewritten in place: slot operands, kernel headers, outputs, slot names, and
the dropped moves (jump targets renumbered).
"""
from __future__ import annotations

from .liveness import liveness
from .model import Plan

_SLOT_ARGS = {"get": (1,), "copy_v": (0, 1), "swap_v": (0, 1)}


def _color(nodes: list[int], adj: dict[int, set[int]], dsatur: bool) -> dict[int, int]:
    colors: dict[int, int] = {}
    todo = list(nodes)
    while todo:
        if dsatur:
            n = max(todo, key=lambda v: (len({colors[u] for u in adj[v] if u in colors}), len(adj[v]),
                                         -nodes.index(v)))
        else:
            n = todo[0]
        todo.remove(n)
        taken = {colors[u] for u in adj[n] if u in colors}
        colors[n] = next(c for c in range(len(nodes) + 1) if c not in taken)
    return colors


def _coloring(rep: list[int], adj: list[set[int]], dtypes: list[str],
              order: list[int]) -> dict[int, tuple[str, int]]:
    """Each representative slot -> (dtype, color), the fewer colors of the two orders."""
    reps = list(dict.fromkeys(rep[s] for s in order))
    merged: dict[int, set[int]] = {r: set() for r in reps}
    for s, neighbors in enumerate(adj):
        merged[rep[s]].update(rep[u] for u in neighbors if dtypes[u] == dtypes[s] and rep[u] != rep[s])
    result: dict[int, tuple[str, int]] = {}
    for dtype in dict.fromkeys(dtypes[r] for r in reps):
        same = [r for r in reps if dtypes[r] == dtype]
        best = min((_color(same, merged, ds) for ds in (False, True)), key=lambda c: len(set(c.values())))
        result.update({r: (dtype, c) for r, c in best.items()})
    return result


def allocate_slots(plan: Plan) -> None:
    nslots = len(plan.slots)
    if nslots == 0:
        return
    lv = liveness(plan)
    adj: list[set[int]] = [set() for _ in range(nslots)]
    for pc in range(len(plan.code)):
        for group in lv.conflicts(pc):
            for a in group:
                adj[a] |= group - {a}
    dtypes, order = list(plan.slots), _definition_order(plan)
    rep = list(range(nslots))
    best = _coloring(rep, adj, dtypes, order)
    for _pc, dst, src in lv.moves():
        a, b = rep[dst], rep[src]
        if a == b or dtypes[a] != dtypes[b] or any(rep[u] == b for m in range(nslots) if rep[m] == a
                                                     for u in adj[m]):
            continue
        trial = [a if r == b else r for r in rep]
        coloring = _coloring(trial, adj, dtypes, order)
        if len(set(coloring.values())) <= len(set(best.values())):
            rep, best = trial, coloring
    physical: dict[tuple[str, int], int] = {}
    mapping = [physical.setdefault(best[rep[s]], len(physical)) for s in order]
    by_slot = [0] * nslots
    for s, p in zip(order, mapping):
        by_slot[s] = p
    _rewrite(plan, by_slot, [key[0] for key in physical])


def _definition_order(plan: Plan) -> list[int]:
    """Virtual slots in order of first mention in the code (then any never mentioned)."""
    seen: dict[int, None] = {}
    for ins in plan.code:
        for i in _SLOT_ARGS.get(ins.op, ()):
            seen.setdefault(ins.args[i])
        for k in ([plan.kernels[x] for x in ins.args] if ins.op in ("kernel", "fused") else []):
            for m in k.micro:
                if m.op in ("load", "gather", "store"):
                    seen.setdefault(m.args[1])
            if k.domain == "edge":
                if k.default_kind == "slot":
                    seen.setdefault(k.default_index)
                seen.setdefault(k.out_slot)
    for o in plan.outputs:
        if o.kind == "vector":
            seen.setdefault(o.index)
    for s in range(len(plan.slots)):
        seen.setdefault(s)
    return list(seen)


def _rewrite(plan: Plan, mapping: list[int], dtypes: list[str]) -> None:
    for ins in plan.code:
        for i in _SLOT_ARGS.get(ins.op, ()):
            ins.args[i] = mapping[ins.args[i]]
    for k in plan.kernels:
        for m in k.micro:
            if m.op in ("load", "gather", "store"):
                m.args[1] = mapping[m.args[1]]
        if k.domain == "edge":
            k.out_slot = mapping[k.out_slot]
            if k.default_kind == "slot":
                k.default_index = mapping[k.default_index]
    for o in plan.outputs:
        if o.kind == "vector":
            o.index = mapping[o.index]
    names: list[list[str]] = [[] for _ in dtypes]
    for virtual, slot_names in enumerate(plan.stats.get("slot_names", [])):
        for name in slot_names:
            if name not in names[mapping[virtual]]:
                names[mapping[virtual]].append(name)
    plan.stats["slot_names"] = names
    plan.slots = dtypes
    _drop_self_moves(plan)


def _drop_self_moves(plan: Plan) -> None:
    """Remove copy_v s, s and swap_v s, s; jumps keep pointing at the same work."""
    keep = [not (ins.op in ("copy_v", "swap_v") and ins.args[0] == ins.args[1]) for ins in plan.code]
    if all(keep):
        return
    new_index, count = [], 0
    for kept in keep + [True]:
        new_index.append(count)
        count += kept
    code = [ins for ins, kept in zip(plan.code, keep) if kept]
    for ins in code:
        if ins.op == "jump":
            ins.args[0] = new_index[ins.args[0]]
        elif ins.op == "jump_if_false":
            ins.args[1] = new_index[ins.args[1]]
    plan.code = code
