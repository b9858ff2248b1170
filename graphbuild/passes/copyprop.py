"""Copy propagation: values that are only another value under a new name are replaced by it.

In SSA the copies left are the ones structured control flow makes:
    loop carried x, body yields x's own ARG        -> x is its init on every pass
    loop carried x, init v, body yields v          -> x is v on every pass (v from outside)
    if result, both arms yield the same value v    -> the result is v
The carried value or result is dropped, and every use of its ARGs and RESULT reads the
value itself, so no slot or register holds a second copy and no copy runs per pass.
(where(c, a, a) -> a and x * 1 -> x are in simplify.py.)
"""
from __future__ import annotations

from ..ir.dataflow import carried_values, def_use
from ..ir.nodes import Function, Node, Op, all_blocks, follow, keep_results, replace_uses


def copyprop(fn: Function) -> Function:
    du = def_use(fn.body)
    subst: dict[Node, Node] = {}
    dropped: set[Node] = set()   # RESULT nodes whose value is now elsewhere
    pruned = False               # some LOOP or IF lost a value
    for block in list(all_blocks(fn.body)):
        for n in block.nodes:
            if n.op is Op.LOOP:
                copies = _loop_copies(n, du, subst)
            elif n.op is Op.IF:
                copies = _if_copies(n, du, subst)
            else:
                continue
            if copies:
                pruned = True
                results = du.results.get(n, [])
                keep = [i for i in range(_count(n)) if i not in copies]
                keep_results(n, keep)
                renumber = {old: new for new, old in enumerate(keep)}
                for r in results:
                    if r.arg in copies:
                        dropped.add(r)
                    else:
                        r.arg = renumber[r.arg]
    if subst:
        replace_uses(fn.body, subst)
        for block in all_blocks(fn.body):
            block.nodes = [n for n in block.nodes if n not in dropped]
    fn.changes += bool(subst or dropped or pruned)
    return fn


def _count(n: Node) -> int:
    return len(n.regions[-1].args) if n.op is Op.LOOP else len(n.regions[0].yields)


def _loop_copies(loop: Node, du, subst: dict[Node, Node]) -> set[int]:
    copies = set()
    for c in carried_values(loop, du):
        init, nxt = follow(subst, c.init), follow(subst, c.next)
        if c.invariant or nxt is init:
            copies.add(c.index)
            for a in c.args:
                subst[a] = init
            if c.result is not None:
                subst[c.result] = init
    return copies


def _if_copies(n: Node, du, subst: dict[Node, Node]) -> set[int]:
    then, orelse = n.regions
    copies = set()
    for r in du.results.get(n, []):
        a, b = follow(subst, then.yields[r.arg]), follow(subst, orelse.yields[r.arg])
        if a is b:
            copies.add(r.arg)
            subst[r] = a
    return copies

