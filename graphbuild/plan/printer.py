"""A plan's text form, one op per line, for `graphbuild compile --emit plan`.

Like clox's disassembler: instruction index, execution level (Ln: ops of one level are
independent), opcode, operands named by kind (rN register, sN slot, tN temp, @N jump
target, kN kernel), the source position and, when the source is readable, its line.  A
KERNEL instruction is followed by its kernel, a FUSED one by both of its kernels; an edge
kernel's header ends with the executor's forms in brackets (shape, directions, frontier form,
incremental), and the first kernel of a level run side by side says how many follow.
"""
from __future__ import annotations

from . import bounds
from .model import Instr, Kernel, Plan
from .source import own_source

_TOP_ARGS = {
    "const": "ri", "mov": "rr", "node_count": "r", "edge_count": "r", "get": "rsr", "jump": "@",
    "jump_if_false": "r@", "check_iter": "r", "kernel": "k", "fused": "kk", "copy_v": "ss", "swap_v": "ss",
    "gather_v": "sssi", "sources": "rri@",
}
_MICRO_ARGS = {
    "load": "ts", "gather": "ts", "bcast": "tr", "imm": "ti", "random": "tr", "store": "-st",
    "node_id": "t", "nbr": "t", "weight": "t", "common": "t", "in_deg": "t", "out_deg": "t", "degree": "t",
}
_PREFIX = {"r": "r", "s": "s", "t": "t", "@": "@", "k": "k"}


def _operand(kind: str, value) -> str:
    if kind == "i":
        return repr(value)
    return f"{_PREFIX[kind]}{value}"


def _operands(ins: Instr, kinds: str) -> str:
    return ", ".join(_operand(k, a) for k, a in zip(kinds, ins.args) if k != "-")


def format_instr(ins: Instr) -> str:
    """One top-level instruction: opcode and operands named by kind."""
    kinds = _TOP_ARGS.get(ins.op, "r" * len(ins.args))  # arithmetic: registers
    return f"{ins.op:<14}{_operands(ins, kinds)}"


def _micro(ins: Instr) -> str:
    if ins.op.startswith("red_"):
        return f"r{ins.args[1]} = {ins.op} t{ins.args[2]}"
    if ins.op == "store":
        return f"store s{ins.args[1]} = t{ins.args[2]}"
    kinds = _MICRO_ARGS.get(ins.op, "t" * len(ins.args))
    rest = ", ".join(_operand(k, a) for k, a in zip(kinds[1:], ins.args[1:]))
    return f"t{ins.args[0]} = {ins.op} {rest}".rstrip()


class _Source:
    def __init__(self, plan: Plan, text: str | None):
        if text is None:
            text = own_source(plan) or ""
        self.lines = text.split("\n")
        self.plan = plan
        self.last_line = 0

    def note(self, loc: int) -> str:
        """`; line:col  source text` (the text only when the line changes)."""
        if not 0 <= loc < len(self.plan.locations):
            return ""
        sl = self.plan.locations[loc]
        text = ""
        if sl.line != self.last_line and 0 < sl.line <= len(self.lines):
            text = "  " + self.lines[sl.line - 1].strip()
            self.last_line = sl.line
        return f"; {sl.line}:{sl.col}{text}"


def _kernel_header(k: Kernel, index: int) -> str:
    if k.domain == "node":
        active = f" [active where s{k.active_slot}]" if k.active_slot >= 0 else ""
        if k.shape == "active_size":
            active = f" [active where s{k.active_slot}, results from its size]"
        ordered = " [heads a loop nest run as bucketed peeling]" if k.ordered == "peel" else ""
        return f"node kernel k{index} ({k.ntemps} temps){active}{ordered}"
    parts = [f"edge kernel k{index}: s{k.out_slot} = {k.agg} over {k.dir} edges of t{k.value_temp}"]
    if k.agg_float:
        parts.append("(float)")
    if k.filter_temp >= 0:
        parts.append(f"if t{k.filter_temp}")
    if k.default_kind == "reg":
        parts.append(f"default r{k.default_index}")
    elif k.default_kind == "slot":
        parts.append(f"default s{k.default_index}")
    parts.append(f"({k.ntemps} temps)")
    demand = f", used where s{k.demand_slot} == {k.demand_value}" if k.demand_slot >= 0 else ""
    changed = (", changed set carried" if k.changed
               else ", frontier lists, push/pull switching" if k.frontier_list else "")
    changed += ", loop runs as union-find" if k.union_find else ""
    changed += ", loop runs as delta-stepping" if k.delta_step else ""
    parts.append(f"[{k.shape}, {k.directions}, {k.frontier}{', incremental' if k.incremental else ''}"
                 f"{demand}{changed}]")
    return " ".join(parts)


def format_plan(plan: Plan, source: str | None = None) -> str:
    """The plan as text; source is the program text (read from plan.source_path if None)."""
    src = _Source(plan, source)
    out = [f"plan {plan.algorithm} (format {plan.format_version}) from {plan.source_path}"]
    for p in plan.params:
        default = "required" if p.default is None else f"= {p.default!r}"
        in_range = f" in {bounds.describe(p.bounds)}" if p.bounds is not None else ""
        out.append(f"param   r{p.reg} {p.name}: {p.dtype}{in_range} {default}")
    for o in plan.outputs:
        where = f"s{o.index}" if o.kind == "vector" else f"r{o.index}"
        out.append(f"output  {o.name} = {where} ({o.dtype} {o.kind})")
    out.append("registers " + " ".join(f"r{i}:{d}" for i, d in enumerate(plan.registers)))
    names = plan.stats.get("slot_names", [])
    out.append("slots     " + " ".join(
        f"s{i}:{d}" + (f"[{','.join(names[i])}]" if i < len(names) and names[i] else "")
        for i, d in enumerate(plan.slots)))
    if plan.needs_weights:
        out.append("reads edge weights")
    if plan.needs_in_edges:
        out.append("reads in-edges")
    levels = plan.stats.get("op_levels", [])
    out.append("code:")
    for pc, ins in enumerate(plan.code):
        level = f"L{levels[pc]}" if pc < len(levels) else ""
        text = format_instr(ins)
        if pc < len(plan.exec_levels) and plan.exec_levels[pc] >= 2:
            text += f"  (runs with the next {plan.exec_levels[pc] - 1})"
        out.append(f"{pc:5d} {level:>4}  {text:<40}{src.note(ins.loc)}".rstrip())
        if ins.op not in ("kernel", "fused"):
            continue
        for ki in ins.args:
            if 0 <= ki < len(plan.kernels):
                k = plan.kernels[ki]
                out.append(f"{'':12}{_kernel_header(k, ki)}")
                for m in k.micro:
                    out.append(f"{'':14}{_micro(m):<38}{src.note(m.loc)}".rstrip())
    out.append(f"{len(plan.code):5d} {'':>4}  end")
    return "\n".join(out) + "\n"
