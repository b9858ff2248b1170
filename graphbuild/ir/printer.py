"""The IR's text form, for `graphbuild compile --emit ir` and `--emit opt`.

One node per line, `%N = op operands [arg] : type  [name]  @line:col`; regions are
indented under their op with their arguments, and LOOP/IF list their results on the left:

    %7, %8 = loop repeat_until %2 (%5, %6)
      body(%9: float vector, %10: float):
        ...
        yield %15, %16, %17
"""
from __future__ import annotations

from .nodes import Block, Function, LoopKind, Node, Op


def format_ir(fn: Function) -> str:
    return _Printer(fn).text()


def _const(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


class _Printer:
    def __init__(self, fn: Function):
        self.fn = fn
        self.ids: dict[Node, int] = {}
        self.lines: list[str] = []

    def ref(self, node: Node) -> str:
        if node not in self.ids:
            self.ids[node] = len(self.ids)
        return f"%{self.ids[node]}"

    def text(self) -> str:
        fn = self.fn
        params = ", ".join(f"{p.name}: {p.dtype.value}"
                           + ("" if p.default is None else f" = {_const(p.default)}") for p in fn.params)
        self.lines.append(f"algorithm {fn.name}({params}):")
        self.block(fn.body, 1)
        outs = ", ".join(f"{name}={self.ref(y)}" for name, y in zip(fn.outputs, fn.body.yields))
        self.lines.append(f"  return {outs}")
        return "\n".join(self.lines) + "\n"

    def block(self, block: Block, depth: int) -> None:
        results: dict[Node, list[Node]] = {}
        for node in block.nodes:
            if node.op is Op.RESULT:
                results.setdefault(node.src[0], []).append(node)
        for node in block.nodes:
            if node.op is not Op.RESULT:  # results are printed on their LOOP/IF's line
                self.node(node, depth, results.get(node, []))

    def emit(self, depth: int, text: str, node: Node) -> None:
        name = f"  [{node.name}]" if node.name else ""
        line = "  " * depth + text + name
        self.lines.append(f"{line:<60} @{node.loc}")

    def node(self, node: Node, depth: int, results: list[Node]) -> None:
        op = node.op
        operands = ", ".join(self.ref(s) for s in node.src)
        if op in (Op.LOOP, Op.IF):
            lhs = ", ".join(self.ref(r) for r in results)
            lhs = f"{lhs} = " if lhs else ""
            if op is Op.LOOP:
                kind = node.arg
                count = f" {self.ref(node.src[0])}" if kind is not LoopKind.WHILE else ""
                inits = node.src if kind is LoopKind.WHILE else node.src[1:]
                carried = ", ".join(self.ref(i) for i in inits)
                self.emit(depth, f"{lhs}loop {kind.value}{count} ({carried})", node)
                names = ("cond", "body") if kind is LoopKind.WHILE else ("body",)
            else:
                self.emit(depth, f"{lhs}if {operands}", node)
                names = ("then", "else")
            for name, region in zip(names, node.regions):
                self.region(name, region, depth + 1)
            return
        if op is Op.CONST:
            text = f"const {_const(node.arg)}"
        elif op is Op.PARAM:
            text = f"param {self.fn.params[node.arg].name}"
        elif op is Op.REDUCE:
            text = f"reduce {node.arg} {operands}"
        elif op is Op.AGG:
            a = node.arg
            flags = "".join([" filtered" if a.has_filter else "", " default" if a.has_default else ""])
            text = f"agg {a.kind} {a.direction}{flags} ({operands})"
        elif op in (Op.E_GATHER, Op.E_OWN, Op.E_SCALAR):
            text = f"{op.value} c{node.arg}"
        else:
            text = f"{op.value} {operands}".rstrip()
        self.emit(depth, f"{self.ref(node)} = {text} : {node.type}", node)
        if op is Op.AGG:
            self.region("edge", node.regions[0], depth + 1)

    def region(self, name: str, block: Block, depth: int) -> None:
        args = ", ".join(f"{self.ref(a)}: {a.type}" for a in block.args)
        self.lines.append("  " * depth + f"{name}({args}):")
        self.block(block, depth + 1)
        self.lines.append("  " * (depth + 1) + "yield " + ", ".join(self.ref(y) for y in block.yields))
