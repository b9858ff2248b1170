"""Encode a Plan into the flat int64 instruction stream that csrc/ validates and runs.

Op names map to the C enum through the compiled module (GB_OP_<NAME>), so the header is
the only place an opcode number is written down.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import ErrorKind, GraphbuildError
from ..plan.model import Instr, Kernel, Plan
from .native import lib

SLOT_DTYPES = {"float": lib.GB_F64, "int": lib.GB_I64, "node": lib.GB_I64, "bool": lib.GB_BOOL}
_DOMAINS = {"node": lib.GB_DOMAIN_NODE, "edge": lib.GB_DOMAIN_EDGE}
_DIRS = {"out": lib.GB_DIR_OUT, "in": lib.GB_DIR_IN, "both": lib.GB_DIR_BOTH, "": lib.GB_DIR_OUT}
_DEFAULTS = {"identity": lib.GB_DEFAULT_IDENTITY, "reg": lib.GB_DEFAULT_REG, "slot": lib.GB_DEFAULT_SLOT}
_WIDTH = lib.GB_INSTR_WIDTH
_SHAPES = {"generic": lib.GB_SHAPE_GENERIC, "gather": lib.GB_SHAPE_GATHER,
           "gather_if": lib.GB_SHAPE_GATHER_IF,
           "plus_weight": lib.GB_SHAPE_PLUS_WEIGHT, "times_weight": lib.GB_SHAPE_TIMES_WEIGHT,
           "count": lib.GB_SHAPE_COUNT, "intersect": lib.GB_SHAPE_INTERSECT,
           "active_size": lib.GB_SHAPE_ACTIVE_SIZE}
_DIRECTION_FORMS = {"": 0, "pull": lib.GB_FORM_PULL, "pull+push": lib.GB_FORM_PULL | lib.GB_FORM_PUSH}
_ORDERS = {"": lib.GB_ORDER_NONE, "peel": lib.GB_ORDER_PEEL}
_FRONTIERS = {"dense": lib.GB_FRONTIER_DENSE, "sparse": lib.GB_FRONTIER_SPARSE,
              "switching": lib.GB_FRONTIER_SWITCHING}


@dataclass
class EncodedPlan:
    code: list[int]
    kcode: list[int]
    slot_dtypes: list[int]
    nregs: int


def float_bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _imm(value: int | float | bool, as_float: bool = False) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) or as_float:
        return float_bits(float(value))
    return int(value)


def _opcode(name: str) -> int:
    code = getattr(lib, "GB_OP_" + name.upper(), None)
    if not isinstance(code, int) or name.upper() == "LAST":
        raise GraphbuildError(f"invalid plan: unknown op '{name}'", kind=ErrorKind.PROGRAM)
    return code


def _word(arg: int | float) -> int:
    if isinstance(arg, float):
        if not arg.is_integer() or not -2.0**63 <= arg < 2.0**63:  # inf, nan and 1e300 too
            raise GraphbuildError(f"invalid plan: non-integer operand {arg!r}", kind=ErrorKind.PROGRAM)
        return int(arg)
    return int(arg)


def _encode_instr(ins: Instr, imm_index: int | None, imm_float: bool) -> list[int]:
    if len(ins.args) > _WIDTH - 2:
        raise GraphbuildError(f"invalid plan: too many operands for '{ins.op}'", kind=ErrorKind.PROGRAM)
    words = [_opcode(ins.op), int(ins.loc)]
    for i, arg in enumerate(ins.args):
        words.append(_imm(arg, imm_float) if i == imm_index else _word(arg))
    return words + [0] * (_WIDTH - len(words))


def _encode_kernel(k: Kernel) -> list[int]:
    try:
        header = [len(k.micro), k.ntemps, _DOMAINS[k.domain], _DIRS[k.dir],
                  getattr(lib, "GB_AGG_" + k.agg.upper()) if k.agg else 0, int(k.agg_float),
                  k.out_slot, k.value_temp, k.filter_temp, _DEFAULTS[k.default_kind],
                  k.default_index, k.loc, _SHAPES[k.shape], _DIRECTION_FORMS[k.directions],
                  _FRONTIERS[k.frontier], int(k.incremental), k.active_slot, k.demand_slot,
                  k.demand_value, 2 if k.frontier_list else int(k.changed),
                  1 if k.union_find is True else 2 if k.delta_step else int(k.union_find),
                  _ORDERS[k.ordered]]
    except (KeyError, AttributeError) as exc:
        raise GraphbuildError(f"invalid plan: bad kernel field {exc}", kind=ErrorKind.PROGRAM) from None
    words = list(header)
    for m in k.micro:
        # IMM carries its immediate in the first operand after dst.
        words += _encode_instr(m, 1 if m.op == "imm" else None, False)
    return words


def _kernel_offset(offsets: list[int], arg: int | float) -> int:
    index = _word(arg)
    if not 0 <= index < len(offsets):
        raise GraphbuildError(f"invalid plan: kernel {index} does not exist", kind=ErrorKind.PROGRAM)
    return offsets[index]


def encode(plan: Plan) -> EncodedPlan:
    """Flatten the plan; kernel operands become word offsets into the kernel stream."""
    kcode: list[int] = []
    offsets: list[int] = []
    for k in plan.kernels:
        offsets.append(len(kcode))
        kcode += _encode_kernel(k)
    code: list[int] = []
    if len(plan.exec_levels) != len(plan.code):
        raise GraphbuildError("invalid plan: exec_levels must give one level per instruction",
                              kind=ErrorKind.PROGRAM)
    for pc, ins in enumerate(plan.code):
        if ins.op in ("kernel", "fused"):  # kernel indices become word offsets into kcode
            if len(ins.args) != (1 if ins.op == "kernel" else 2):
                raise GraphbuildError(f"invalid plan: bad operands for '{ins.op}'", kind=ErrorKind.PROGRAM)
            # the level claim goes in the instruction's last word (unused by the operands)
            args = [_kernel_offset(offsets, a) for a in ins.args]
            ins = Instr(ins.op, args + [0] * (3 - len(args)) + [_word(plan.exec_levels[pc])], ins.loc)
        imm_float = False
        if ins.op == "const":  # a float register's immediate is stored as its bit pattern
            if len(ins.args) != 2:
                raise GraphbuildError("invalid plan: const takes a register and a value",
                                      kind=ErrorKind.PROGRAM)
            dst = _word(ins.args[0])
            imm_float = 0 <= dst < len(plan.registers) and plan.registers[dst] == "float"
        code += _encode_instr(ins, 1 if ins.op == "const" else None, imm_float)
    try:
        slot_dtypes = [SLOT_DTYPES[d] for d in plan.slots]
    except KeyError as exc:
        raise GraphbuildError(f"invalid plan: unknown slot dtype {exc}", kind=ErrorKind.PROGRAM) from None
    return EncodedPlan(code, kcode, slot_dtypes, len(plan.registers))
