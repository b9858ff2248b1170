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
from .deltastep import claim_delta_step
from .unionfind import claim_union_find
from .ordered import claim_ordered
from .frontier import claim_frontier
from .demand import claim_demand
from .sources_claim import claim_sources
from .buffers import count_moves, memory_stats
from .claims import claim, kernel_forms, loop_forms
from .emit import Emitter
from .levels import op_levels, passes_per_iteration
from .liveness import BYTES, max_live
from .model import Output, Param, Plan, reads_in_edges, reads_weights
from .options import DEFAULT, PlanOptions
from .schedule import analyze


def build_plan(fn: Function, source_path: str, options: PlanOptions = DEFAULT) -> Plan:
    facts = analyze(fn)
    plan, fused = _emit(fn, facts, source_path, options, frozenset())
    if options.reuse_slots:
        plan = _unfuse_for_slots(fn, facts, source_path, options, plan, fused)
    return _finish(fn, plan, options)


def _unfuse_for_slots(fn: Function, facts, source_path: str, options: PlanOptions, plan: Plan,
                      fused: list) -> Plan:
    """A fused aggregation's node kernel may not store what the aggregation gathers, so
    fusing can need a slot more than the most vectors live at once (bfs_tree: the new
    frontier and a mask stored while the old frontier is still gathered, three bools
    where the unfused plan needs two).  Fused pairs are split into two kernels, one at a
    time while that saves bytes, and the split is kept when it brings the plan to the
    bound max_live: the fewest bytes per node any allocation can reach, for one more pass
    over the nodes.  A plan at the bound (most) is built once."""
    best, apart = plan, frozenset()
    for agg in fused:
        if _bytes(best) <= max_live(best)[1]:
            break
        trial, _ = _emit(fn, facts, source_path, options, apart | {agg})
        if _bytes(trial) < _bytes(best):
            best, apart = trial, apart | {agg}
    return best if _bytes(best) <= max_live(best)[1] else plan


def _bytes(plan: Plan) -> int:
    return sum(BYTES[d] for d in plan.slots)


def _emit(fn: Function, facts, source_path: str, options: PlanOptions,
          apart: frozenset) -> tuple[Plan, list]:
    """The plan with its slots shared, and the aggregations fused with their node kernels."""
    em = Emitter(fn, facts, options, apart)
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
                stats={"slot_names": st.slot_names, "source_loops": em.source_loops})
    plan.stats.update({"variables": len(plan.slots), "naive_bytes_per_node": _bytes(plan),
                       "moves_before": count_moves(plan)})
    if options.reuse_slots:
        allocate_slots(plan)
    return plan, em.fused


def _finish(fn: Function, plan: Plan, options: PlanOptions) -> Plan:
    variables = plan.stats.pop("variables")
    naive_bytes = plan.stats.pop("naive_bytes_per_node")
    moves = plan.stats.pop("moves_before")
    claim(plan, options.frontier)   # the executor's decisions, from the final slots
    claim_active(plan, options.frontier)
    claim_demand(plan, options.frontier)
    claim_changed(plan, options.frontier)
    claim_union_find(plan)
    claim_delta_step(plan)
    claim_ordered(plan, options.frontier)
    claim_frontier(plan, options.frontier)
    claim_sources(plan, options.parallel_sources)
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
