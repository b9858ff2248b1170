"""Storage for IR values: scalar registers and node-vector slots.

Conventions the runtime relies on:
- register i, for i < number of parameters, holds parameter i (Plan.params[i].reg == i),
  bound by the runtime before the run; every other register is written before it is read;
- one slot per stored vector value here (a virtual slot); alloc.py then lets values that
  are never live at once share a slot, and drops the copies that sharing makes idle;
- a loop's carried values get their own register or slot, shared by its region
  arguments and its results; an if's results likewise.  SSA values are written once per
  execution of their block, so a slot inside a loop body is rewritten on every pass.
Storage is a (is_vector, index) pair.
"""
from __future__ import annotations

from ..ir.nodes import Node
from ..types import DType

StorageRef = tuple[bool, int]


class Storage:
    def __init__(self) -> None:
        self.registers: list[str] = []   # dtype name per register
        self.slots: list[str] = []       # dtype name per slot
        self.slot_names: list[list[str]] = []
        self.of: dict[Node, StorageRef] = {}

    def new_reg(self, dtype: DType) -> int:
        self.registers.append(dtype.value)
        return len(self.registers) - 1

    def new_slot(self, dtype: DType, name: str | None = None) -> int:
        self.slots.append(dtype.value)
        self.slot_names.append([name] if name else [])
        return len(self.slots) - 1

    def fresh(self, like: Node) -> StorageRef:
        """New storage of like's shape and dtype."""
        if like.is_vector:
            return True, self.new_slot(like.dtype, like.name)
        return False, self.new_reg(like.dtype)

    def bind(self, node: Node, ref: StorageRef) -> None:
        """node lives in ref (region arguments and results alias their construct's storage)."""
        self.of[node] = ref
        if ref[0] and node.name and node.name not in self.slot_names[ref[1]]:
            self.slot_names[ref[1]].append(node.name)

    def where(self, node: Node) -> StorageRef:
        """node's storage, allocated on first request (its definition is emitted first)."""
        ref = self.of.get(node)
        if ref is None:
            ref = self.fresh(node)
            self.of[node] = ref
        return ref

    def reg(self, node: Node) -> int:
        is_vector, index = self.where(node)
        assert not is_vector, f"{node} is a vector, not a register value"
        return index

    def slot(self, node: Node) -> int:
        is_vector, index = self.where(node)
        assert is_vector, f"{node} is a scalar, not a slot value"
        return index
