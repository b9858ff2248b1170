"""The plan builder: an optimized IR Function -> a Plan the C executor runs.

Layout the runtime relies on (see slots.py): parameter i is register i; outputs name a
slot (vectors) or a register (scalars) read after the run; every instruction and
micro-op carries a location index into plan.locations, so an error names the .gdsl line.
"""
from __future__ import annotations

from ..ir.nodes import Function, Op, count_ops
from .emit import Emitter
from .liveness import BYTES, peak_bytes_per_node
from .model import Output, Param, Plan
from .schedule import analyze


def build_plan(fn: Function, source_path: str) -> Plan:
    facts = analyze(fn)
    em = Emitter(fn, facts)
    st = em.storage
    params = []
    for p in fn.params:
        params.append(Param(p.name, p.dtype.value, p.default, st.new_reg(p.dtype)))
    for n in fn.body.nodes:
        if n.op is Op.PARAM:
            st.bind(n, (False, params[n.arg].reg))
    em.block(fn.body)
    outputs = []
    for name, value in zip(fn.outputs, fn.body.yields):
        is_vector, index = st.where(value)
        outputs.append(Output(name, "vector" if is_vector else "scalar", value.dtype.value, index))
        if is_vector and name not in st.slot_names[index]:
            st.slot_names[index].append(name)
    edge_kernels = sum(1 for k in em.kernels if k.domain == "edge")
    stats = {
        "ops_before": fn.lowered_ops or count_ops(fn),
        "ops_after": count_ops(fn),
        "kernels": len(em.kernels),
        "node_kernels": len(em.kernels) - edge_kernels,
        "edge_kernels": edge_kernels,
        "instructions": len(em.code),
        "micro_ops": sum(len(k.micro) for k in em.kernels),
        "slots": len(st.slots),
        "registers": len(st.registers),
        "slot_names": st.slot_names,
        "naive_bytes_per_node": sum(BYTES[d] for d in st.slots),
    }
    plan = Plan(algorithm=fn.name, source_path=source_path, params=params, registers=st.registers,
                slots=st.slots, code=em.code, kernels=em.kernels, locations=em.locations,
                outputs=outputs, needs_weights=em.needs_weights, stats=stats)
    stats["minimum_bytes_per_node"] = peak_bytes_per_node(plan)
    return plan
