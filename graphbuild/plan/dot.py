"""The plan's dataflow as Graphviz, for `graphbuild compile --emit dot`.

One box per instruction that does work (kernels and fused pairs as boxes listing what
they compute, scalar ops as ellipses), grouped by execution level (ops of one level
are independent and share a rank); loops are clusters around their instructions.  An
edge u -> v means v reads a slot or register u wrote most recently before it (the back
edge of a loop shows as an edge to an earlier level, dashed).  Jumps and constants are
left out: they carry no data between ops.
"""
from __future__ import annotations

from .effects import register_effects, slot_effects
from .levels import _loops
from .model import Plan
from .printer import format_instr

_SKIP = {"jump", "jump_if_false", "const"}


def _label(plan: Plan, pc: int, level: int) -> str:
    ins = plan.code[pc]
    line = ""
    if 0 <= ins.loc < len(plan.locations):
        line = f"\\nline {plan.locations[ins.loc].line}"
    if ins.op in ("kernel", "fused"):
        parts = []
        for ki in ins.args:
            k = plan.kernels[ki]
            if k.domain == "edge":
                parts.append(f"edge k{ki}: s{k.out_slot} = {k.agg} over {k.dir} ({len(k.micro)} ops)")
            else:
                stores = [f"s{m.args[1]}" for m in k.micro if m.op == "store"]
                reds = [f"r{m.args[1]}" for m in k.micro if m.op.startswith("red_")]
                parts.append(f"node k{ki}: {', '.join(stores + reds) or '-'} ({len(k.micro)} ops)")
        head = "fused " if ins.op == "fused" else ""
        return f"{pc}: {head}" + "\\n".join(parts) + f"\\nL{level}{line}"
    return f"{pc}: {' '.join(format_instr(ins).split())}\\nL{level}{line}"


def format_dot(plan: Plan) -> str:
    levels = plan.stats.get("op_levels") or [0] * len(plan.code)
    shown = [pc for pc, ins in enumerate(plan.code) if ins.op not in _SKIP]
    out = [f'digraph "{plan.algorithm}" {{', "  rankdir=TB;", '  node [fontname="monospace", fontsize=10];']
    loops = sorted(_loops(plan), key=lambda r: (r[0], -r[1]))
    for li, (first, last) in enumerate(loops):
        members = [pc for pc in shown if first <= pc <= last]
        out.append(f'  subgraph cluster_loop{li} {{ label="loop @{first}..{last}"; style=dashed; '
                   + " ".join(f"i{pc};" for pc in members) + " }")
    for pc in shown:
        ins = plan.code[pc]
        shape = "box" if ins.op in ("kernel", "fused") else "ellipse"
        style = ', style="bold"' if ins.op == "fused" else ""
        out.append(f'  i{pc} [shape={shape}{style}, label="{_label(plan, pc, levels[pc])}"];')
    by_level: dict[int, list[int]] = {}
    for pc in shown:
        by_level.setdefault(levels[pc], []).append(pc)
    for level in sorted(by_level):
        out.append("  { rank=same; " + " ".join(f"i{pc};" for pc in by_level[level]) + " }")
    writer: dict[tuple[str, int], int] = {}
    edges: set[tuple[int, int, str]] = set()
    for _ in range(2):  # the second pass sees the writes of a loop's end: its back edges
        for pc in shown:
            ins = plan.code[pc]
            rr, rw = register_effects(plan, ins)
            se = slot_effects(plan, ins)
            for key in [("r", r) for r in rr] + [("s", s) for s in se.uses]:
                if key in writer and writer[key] != pc:
                    edges.add((writer[key], pc, f"{key[0]}{key[1]}"))
            for key in [("r", r) for r in rw] + [("s", s) for s in se.defs]:
                writer[key] = pc
    for src, dst, what in sorted(edges):
        style = ", style=dashed" if src > dst else ""
        out.append(f'  i{src} -> i{dst} [label="{what}"{style}];')
    out.append("}")
    return "\n".join(out) + "\n"
