"""The plan builder: an optimized IR Function -> a Plan the C executor runs.

Steps: order each block's work and group it into kernels (schedule.py), emit
instructions and kernels with one slot per stored vector (emit.py), share slots by
liveness (alloc.py), write the executor's decisions (claims.py), record execution levels
and the summary `compile` prints.

Layout the runtime relies on (see slots.py): parameter i is register i; outputs name a
slot (vectors) or a register (scalars) read after the run; every instruction and
micro-op carries a location index into plan.locations, so an error names the .gdsl line.
"""
from __future__ import annotations

from ..ir.nodes import Function, Op, count_ops
from .active import claim_active
from .alloc import allocate_slots
from .changed import claim_changed
from .demand import claim_demand
from .buffers import count_moves, memory_stats
from .claims import claim, kernel_forms, loop_forms
from .emit import Emitter
from .levels import op_levels, passes_per_iteration
from .liveness import BYTES, max_live
from .model import Output, Param, Plan, reads_in_edges, reads_weights
from .options import DEFAULT, PlanOptions
from .schedule import analyze


def build_plan(fn: Function, source_path: str, options: PlanOptions = DEFAULT) -> Plan:
    em = Emitter(fn, analyze(fn), options)
    st = em.storage
    params = []
    for p in fn.params:
        params.append(Param(p.name, p.dtype.value, p.default, st.new_reg(p.dtype), p.bounds))
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
    plan = Plan(algorithm=fn.name, source_path=source_path, params=params, registers=st.registers,
                slots=st.slots, code=em.code, kernels=em.kernels, locations=em.locations,
                outputs=outputs, needs_weights=em.needs_weights,
                stats={"slot_names": st.slot_names})
    variables = len(plan.slots)
    naive_bytes = sum(BYTES[d] for d in plan.slots)
    moves = count_moves(plan)
    if options.reuse_slots:
        allocate_slots(plan)
    claim(plan, options.frontier)   # the executor's decisions, from the final slots
    claim_active(plan, options.frontier)
    claim_demand(plan, options.frontier)
    claim_changed(plan, options.frontier)
    live_slots, live_bytes = max_live(plan)
    levels = op_levels(plan)
    edge_passes, node_passes = passes_per_iteration(plan)
    edge_kernels = sum(1 for k in plan.kernels if k.domain == "edge")
    plan.stats.update({
        "ops_before": fn.lowered_ops or count_ops(fn),
        "ops_after": count_ops(fn),
        "kernels": len(plan.kernels),
        "node_kernels": len(plan.kernels) - edge_kernels,
        "edge_kernels": edge_kernels,
        "fused": sum(1 for i in plan.code if i.op == "fused"),
        "edge_passes_per_iteration": edge_passes,
        "node_passes_per_iteration": node_passes,
        "instructions": len(plan.code),
        "micro_ops": sum(len(k.micro) for k in plan.kernels),
        "slots": len(plan.slots),
        "variables": variables,
        "max_live": live_slots,
        "registers": len(plan.registers),
        "levels": max(levels, default=-1) + 1,
        "op_levels": levels,
        "naive_bytes_per_node": naive_bytes,
        "edge_kernel_forms": kernel_forms(plan),
        "loops": loop_forms(plan),
        "minimum_bytes_per_node": live_bytes,
    })
    # From the final kernels: what the graph must hold for this plan.
    plan.needs_in_edges = reads_in_edges(plan.kernels)
    plan.needs_weights = plan.needs_weights or reads_weights(plan.kernels)
    plan.stats.update(memory_stats(plan, moves))
    return plan
