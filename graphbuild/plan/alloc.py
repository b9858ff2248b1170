"""Slot allocation: the emitted plan's one-slot-per-value numbering -> shared slots.

The emitter gives every stored vector its own slot (a virtual slot).  Here they are mapped
to as few real slots as the plan's liveness allows:
1. interference: two virtual slots conflict when some instruction needs them to hold
   different values at once (liveness.conflicts: live across the instruction, written by
   it, or kept apart by the kernel rules in effects.py); slots of different dtypes never
   share;
2. coalescing: a copy_v, or a swap_v that only moves a loop's new value into its carried
   slot, joins its two slots when they do not conflict, and then disappears; a join is
   kept only if it does not raise the number of slots the coloring needs (when the current
   coloring already allows it, as it mostly does, without coloring again);
3. coloring: greedy, in order of first definition and by saturation (DSatur), the better
   of the two; on these small graphs it meets the lower bound `max_live` in practice.
A plan with many vectors live at once has too many conflicts to list (N^2 / 2): beyond
SPAN_PAIRS its slots are first colored by their spans of instructions (_span_coloring, with
the moves coalesced the same way), from bit sets and in time about linear in the plan; that
coloring is kept when it meets the lower bound, else the graph is colored after all (up to
MAX_PAIRS, past which the spans are kept whatever they take).
The plan is rewritten in place: slot operands, kernel headers, outputs, slot names, and
the dropped moves (jump targets renumbered).
"""
from __future__ import annotations

import heapq
from collections import Counter

from .liveness import liveness, members
from .model import Plan

_SLOT_ARGS = {"get": (1,), "copy_v": (0, 1), "swap_v": (0, 1), "gather_v": (0, 1, 2)}
# Beyond this many conflict pairs to list, slots are colored by spans (_span_coloring):
# about 2,000 vectors live at once, whose conflicts alone take a gigabyte.
MAX_PAIRS = 4_000_000
# Beyond this many (about 200 vectors live at once), spans are tried first, and kept when
# they reach the lower bound; the graph is built only when they do not.
SPAN_PAIRS = 20_000


def _color(nodes: list[int], adj: dict[int, set[int]], dsatur: bool) -> dict[int, int]:
    """Greedy coloring in the order of nodes, or by DSatur: next the node with the most
    distinct colors among its neighbors, then the highest degree, then the earliest.  The
    saturation of each node is kept up to date and the next one comes from a heap (stale
    entries skipped), so a coloring costs O((V + E) log V)."""
    colors: dict[int, int] = {}
    taken: dict[int, set[int]] = {v: set() for v in nodes}   # colors of colored neighbors
    position = {v: i for i, v in enumerate(nodes)}
    heap = [(0, -len(adj[v]), position[v], v) for v in nodes]
    heapq.heapify(heap)
    order = iter(nodes)
    for _ in range(len(nodes)):
        if dsatur:
            while True:
                sat, _, _, n = heapq.heappop(heap)
                if n not in colors and -sat == len(taken[n]):
                    break
        else:
            n = next(order)
        color = 0
        while color in taken[n]:
            color += 1
        colors[n] = color
        for u in adj[n]:
            if u not in colors and color not in taken[u]:
                taken[u].add(color)
                if dsatur:
                    heapq.heappush(heap, (-len(taken[u]), -len(adj[u]), position[u], u))
    return colors


def _coloring(rep: list[int], adj: list[set[int]], dtypes: list[str], order: list[int],
              bound: dict[str, int]) -> dict[int, tuple[str, int]]:
    """Each representative slot -> (dtype, color), the fewer colors of the two orders (DSatur
    is not tried when the first order already meets bound, the most slots of the dtype in
    one conflict set: no coloring needs fewer)."""
    reps = list(dict.fromkeys(rep[s] for s in order))
    merged: dict[int, set[int]] = {r: set() for r in reps}
    for s, neighbors in enumerate(adj):
        merged[rep[s]].update(rep[u] for u in neighbors if dtypes[u] == dtypes[s] and rep[u] != rep[s])
    result: dict[int, tuple[str, int]] = {}
    for dtype in dict.fromkeys(dtypes[r] for r in reps):
        same = [r for r in reps if dtypes[r] == dtype]
        best = _color(same, merged, False)
        if len(set(best.values())) > bound.get(dtype, 0):
            best = min((best, _color(same, merged, True)), key=lambda c: len(set(c.values())))
        result.update({r: (dtype, c) for r, c in best.items()})
    return result


def allocate_slots(plan: Plan) -> None:
    nslots = len(plan.slots)
    if nslots == 0:
        return
    lv = liveness(plan)
    dtypes, order = list(plan.slots), _definition_order(plan)
    pairs = _pairs(lv, len(plan.code))
    if pairs > min(SPAN_PAIRS, MAX_PAIRS):
        best, rep, minimal = _span_coloring(lv, dtypes, order, len(plan.code))
        if not minimal and pairs <= MAX_PAIRS:
            best, rep = _graph_coloring(lv, dtypes, order, len(plan.code))
    else:
        best, rep = _graph_coloring(lv, dtypes, order, len(plan.code))
    physical: dict[tuple[str, int], int] = {}
    mapping = [physical.setdefault(best[rep[s]], len(physical)) for s in order]
    by_slot = [0] * nslots
    for s, p in zip(order, mapping):
        by_slot[s] = p
    _rewrite(plan, by_slot, [key[0] for key in physical])


def _graph_coloring(lv, dtypes: list[str], order: list[int],
                    ninstr: int) -> tuple[dict[int, tuple[str, int]], list[int]]:
    """Steps 1-3 of the module docstring: (representative -> (dtype, color), representative
    of each slot)."""
    nslots = len(dtypes)
    adj, bound = _interference(lv, dtypes, ninstr)
    rep = list(range(nslots))
    members = [[s] for s in range(nslots)]   # representative -> the slots joined into it
    # representative -> the representatives of its dtype it conflicts with (kept merged)
    near = [{u for u in adj[s] if dtypes[u] == dtypes[s]} for s in range(nslots)]
    best = _coloring(rep, adj, dtypes, order, bound)
    for _pc, dst, src in lv.moves():
        a, b = rep[dst], rep[src]
        if a == b or dtypes[a] != dtypes[b] or b in near[a]:
            continue
        # A join that keeps the coloring valid as it is never needs more slots: b takes a's
        # color, or a takes b's, when no neighbor of the other has it.  Only otherwise is
        # the whole graph colored again with the join, and the join kept if that is no worse.
        (_, ca), (dtype, cb) = best[a], best[b]
        if ca == cb or all(best[x][1] != ca for x in near[b]):
            del best[b]
        elif all(best[x][1] != cb for x in near[a]):
            del best[b]
            best[a] = (dtype, cb)
        else:
            trial = [a if r == b else r for r in rep]
            coloring = _coloring(trial, adj, dtypes, order, bound)
            if len(set(coloring.values())) > len(set(best.values())):
                continue
            best = coloring
        for m in members[b]:
            rep[m] = a
        members[a] += members[b]
        members[b] = []
        for x in near[b]:
            near[x].discard(b)
            near[x].add(a)
        near[a] |= near[b]
        near[b] = set()
    return best, rep


def _pairs(lv, ninstr: int) -> int:
    """The work of building the interference graph (_interference): pairs with a newcomer."""
    total, before = 0, 0
    for pc in range(ninstr):
        for group in lv.conflict_bits(pc):
            total += (group & ~before).bit_count() * group.bit_count()
            before = group
    return total


def _span_coloring(lv, dtypes: list[str], order: list[int],
                   ninstr: int) -> tuple[dict[int, tuple[str, int]], list[int], bool]:
    """Colors for a plan with many vectors live at once, without listing its conflicts:
    (representative -> (dtype, color), representative of each slot, whether each dtype got
    no more colors than the most slots of it in one conflict set, the lower bound).
    Each slot's segments are its runs of instructions whose conflict sets hold it; a move's
    two slots are joined when their segments (all their members') share no instruction, as
    the graph coloring joins them; then, in order of first instruction, each joined unit
    takes the lowest color no open span holds, from its first instruction to its last.
    Two slots that conflict share an instruction, so they never share a color.  A unit's
    span covers its gaps, so it may take more colors than the graph: the caller checks.
    Bit sets keep it to O(code * live / 64) words and O(segments log segments)."""
    nslots = len(dtypes)
    masks: dict[str, int] = {}
    for s, dtype in enumerate(dtypes):
        masks[dtype] = masks.get(dtype, 0) | 1 << s
    bound = dict.fromkeys(masks, 0)
    segments: list[list[tuple[int, int]]] = [[] for _ in range(nslots)]
    opened: dict[int, int] = {}
    before = 0
    for pc in range(ninstr):
        now = 0
        for group in lv.conflict_bits(pc):
            now |= group
            for dtype, mask in masks.items():
                bound[dtype] = max(bound[dtype], (group & mask).bit_count())
        for s in members(now & ~before):
            opened[s] = pc
        for s in members(before & ~now):
            segments[s].append((opened.pop(s), pc - 1))
        before = now
    for s in members(before):
        segments[s].append((opened.pop(s), ninstr - 1))

    rep = list(range(nslots))

    def find(s: int) -> int:
        while rep[s] != s:
            rep[s] = rep[rep[s]]
            s = rep[s]
        return s

    for _pc, dst, src in lv.moves():
        a, b = find(dst), find(src)
        if a == b or dtypes[a] != dtypes[b] or _overlap(segments[a], segments[b]):
            continue
        segments[a] = sorted(segments[a] + segments[b])
        segments[b] = []
        rep[b] = a
    rep = [find(s) for s in range(nslots)]

    position = {s: i for i, s in enumerate(order)}
    colors: dict[int, tuple[str, int]] = {}
    minimal = True
    units = sorted(set(rep), key=lambda r: (segments[r][0][0] if segments[r] else -1, position[r]))
    for dtype in masks:
        active: list[tuple[int, int]] = []   # (last instruction, color) of the spans still open
        free: list[int] = []
        used = 0
        for r in units:
            if dtypes[r] != dtype:
                continue
            if not segments[r]:   # never live: it may share any slot of its dtype
                colors[r] = (dtype, 0)
                continue
            first, last = segments[r][0][0], segments[r][-1][1]
            while active and active[0][0] < first:
                heapq.heappush(free, heapq.heappop(active)[1])
            if free:
                color = heapq.heappop(free)
            else:
                color, used = used, used + 1
            colors[r] = (dtype, color)
            heapq.heappush(active, (last, color))
        minimal = minimal and used <= max(bound[dtype], 1)   # color 0 exists for the never live
    return colors, rep, minimal


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    """Whether two sorted lists of disjoint instruction ranges share an instruction."""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


def _interference(lv, dtypes: list[str], ninstr: int) -> tuple[list[set[int]], dict[str, int]]:
    """Each slot's conflicts: the union of the cliques of every instruction's conflict sets;
    and per dtype the most slots of it in one set (a lower bound on the slots it needs).
    Consecutive sets mostly repeat the one before, whose pairs are in already: only pairs
    with a newcomer are added, so straight-line code costs O(edges), not O(code * live^2)."""
    adj: list[set[int]] = [set() for _ in dtypes]
    before = 0
    counts: Counter[str] = Counter()   # dtypes of `before`
    bound: dict[str, int] = {}
    for pc in range(ninstr):
        for bits in lv.conflict_bits(pc):
            new = members(bits & ~before)
            counts.subtract(dtypes[s] for s in members(before & ~bits))
            counts.update(dtypes[s] for s in new)
            for dtype in {dtypes[s] for s in new}:
                bound[dtype] = max(bound.get(dtype, 0), counts[dtype])
            if new:
                group = set(members(bits))
                for a in new:
                    adj[a] |= group
                    adj[a].discard(a)
                fresh = set(new)
                for b in group - fresh:
                    adj[b] |= fresh
            before = bits
    return adj, bound


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
        elif ins.op in ("jump_if_false", "sources"):
            ins.args[-1] = new_index[ins.args[-1]]
    plan.code = code
