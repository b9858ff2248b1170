"""What a run of a plan takes in memory, from the plan and the graph's counts alone.

    rss = baseline + graph + buffers + scratch + incremental + sources + common     (the run)
    first load = baseline + max(load peak, graph + buffers + scratch + incremental + sources
                                           + common + results)

need_bytes is that figure less the baseline, for a first load or a cached graph: the one
computation the memory guard checks (profile/guard.py) and `--predict` reports.

and, beside it, `results`: what `graphbuild run` adds when it turns the columns into Python
values (profile-memory runs the plan without that step).

- baseline: the process before the graph is loaded (interpreter, graphbuild, the compiled
  plan), measured in the process that predicts;
- graph: the CSR the C graph keeps (runtime/graph_layout.py: int32 indices where they fit,
  the transpose of a directed graph only when the plan reads in-edges, weights only when
  the graph has them and the plan reads them) and its integer id table;
- buffers: the pool's one block (runtime/pool.py), every slot n elements, 64-byte aligned;
- scratch: what csrc/exec/exec.c allocates per worker for a run (the temps of the largest
  kernel, the edge-lane buffers when the plan has an edge kernel) and the reduction
  partials of a level;
- load peak: what loading a graph that is not in the graph cache holds at its height
  (load_peak_bytes, from C): a generator's or parser's int64 edge arrays, then the CSR
  built beside them with per-thread counts (and a directed graph's transpose);
- relabel: a graph in the degree layout (docs/graphs.md "Layout") keeps 16 bytes per node
  more, and relabeling holds the input graph and the relabeled one at once
  (relabel_peak_bytes);
- incremental: copies the executor keeps between passes of a selective edge aggregation
  (csrc/exec/incremental.c), sized by C itself (gb_plan_incremental_bytes);
- sources: a loop over sources whose passes run side by side (csrc/exec/sources_run.c): every
  worker but the first its own copy of the slots the loop's body writes, every worker its own
  incremental copies and kernel scratch, and a batch of passes' accumulator values (n each),
  sized by C (gb_plan_sources_bytes) but for the scratch, counted here as for one thread;
- common: what common(u) needs for a run (csrc/exec/intersect.c, gb_plan_common_bytes): the
  intersect shape's degree order, oriented copy (each edge once, int32), its sort buffers
  and the triangle counts, or the generic micro-ops' sorted adjacency (every arc);
- results: the output columns as Python lists (Result.columns), "node" column included,
  with the transient list ffi.unpack makes before conversion (int columns taken as small
  values, which CPython does not allocate).
The per-object sizes are CPython's (64-bit): a float 24 bytes, an int past the small-int
cache 32 (28 rounded to pymalloc's 8-byte classes), a list 8 bytes per entry.
"""
from __future__ import annotations

import math
import os
import resource

from ..plan.model import Plan
from ..runtime.graph_layout import csr_bytes, int_id_bytes
from ..runtime.layout_rule import AUTO_MIN_NODES
from ..runtime.pool import slot_layout
from .counts import Counts
from .stats import checked_stats

NODE_BLOCK = 1024      # csrc/graphbuild.h GB_NODE_BLOCK
EDGE_BLOCK = 4096      # GB_EDGE_BLOCK
EDGE_LANE_BYTES = 56   # per lane: owner, nbr_buf, weight_buf, res, rcnt (8 each), a segment (16)
PARTIAL_BYTES = 16     # a reduction partial and its argmin/argmax index
LIST_ENTRY = 8
PY_FLOAT = 24
PY_INT = 32
PERM_BYTES = 16        # a relabeled graph's perm and inv, int64 each (graph_relabel.c)


def plan_reads_in_edges(plan: Plan) -> bool:
    """Whether a run needs a directed graph's transpose (the plan records it)."""
    return plan.needs_in_edges


def graph_bytes(plan: Plan, nodes: int, edges: int, *, directed: bool, weighted: bool) -> dict[str, int]:
    """The graph's predicted bytes: CSR and integer id table."""
    csr = csr_bytes(nodes, edges, directed=directed, weighted=weighted and plan.needs_weights,
                    in_edges=plan_reads_in_edges(plan))
    return {"csr_bytes": csr, "id_bytes": int_id_bytes(nodes)}


_SOURCES = {"generated": "GB_SOURCE_GENERATED", "edgelist": "GB_SOURCE_EDGELIST", "mtx": "GB_SOURCE_MTX"}


def load_peak_bytes(plan: Plan, nodes: int, edges: int, *, directed: bool, weighted: bool, source: str,
                    threads: int) -> int:
    """The first load's peak (a graph not yet in the graph cache): the edge arrays a
    generator or parser holds, then the larger of its read buffer (or permutation), the id
    numbering and the CSR build with its per-thread counts and transpose, the graph
    included.  C's own figure (gb_graph_load_bytes), the one its memory budget checks."""
    from ..runtime.graph import LoadOptions
    from ..runtime.native import lib

    opts = LoadOptions(need_in_edges=plan_reads_in_edges(plan), need_weights=plan.needs_weights)
    return int(lib.gb_graph_load_bytes(nodes, edges, int(directed), int(weighted),
                                       getattr(lib, _SOURCES[source]), opts.c_options(threads)))


def need_bytes(plan: Plan, c: Counts, threads: int, *, first_load: bool, results: bool,
               layout: str = "original") -> int:
    """What loading the graph and running plan add to the process at their peak: the graph
    and the run (with the result columns `run` converts, if results); for a first load (a
    graph not in the graph cache, or --no-cache), the larger of that and the load's own peak,
    whose edge arrays are freed before the run.  layout: the layout asked for; when the load
    may relabel (relabels), the graph keeps its two permutations and a first load also
    passes through the relabel's peak (relabel_peak_bytes).  The memory guard checks this
    figure and `profile-memory --predict` reports it (first_load_need_bytes, cached_need_bytes)."""
    graph = sum(graph_bytes(plan, c.nodes, c.edges, directed=c.directed, weighted=c.weighted).values())
    relabel = relabels(layout, c.nodes)
    kept = graph + (PERM_BYTES * c.nodes if relabel else 0)
    run = kept + run_bytes(plan, c.nodes, threads, edges=c.edges, results=results)
    if not first_load:
        return run
    peak = max(run, load_peak_bytes(plan, c.nodes, c.edges, directed=c.directed, weighted=c.weighted,
                                    source=c.source, threads=threads))
    return max(peak, relabel_peak_bytes(graph, c.nodes)) if relabel else peak


def relabels(layout: str, nodes: int) -> bool:
    """Whether loading a graph of `nodes` nodes in `layout` may relabel it: "degree" always;
    "auto" when the graph is big enough for its rule to pick "degree" (the degree skew is
    known only once the graph is loaded, so the guard counts the relabel then)."""
    return layout == "degree" or (layout == "auto" and nodes >= AUTO_MIN_NODES)


def relabel_peak_bytes(graph: int, nodes: int) -> int:
    """gb_graph_relabel's height (csrc/graph/graph_relabel.c): the input graph and its
    relabeled copy with the permutation and its inverse, beside the degree buckets (8 bytes
    per node and two, freed before the arcs are copied: counted anyway)."""
    return 2 * graph + PERM_BYTES * nodes + 8 * (nodes + 2)


def run_bytes(plan: Plan, nodes: int, threads: int, *, edges: int, results: bool = True) -> int:
    """What a run adds to the loaded graph: the pool, the scratch, the incremental copies,
    common(u)'s adjacency and (results) the columns `run` turns into Python values."""
    total = (buffer_bytes(plan, nodes) + scratch_bytes(plan, nodes, threads) + incremental_bytes(plan, nodes)
             + sources_bytes(plan, nodes, threads) + common_bytes(plan, nodes, edges, threads))
    return total + (results_bytes(plan, nodes) if results else 0)


def buffer_bytes(plan: Plan, nodes: int) -> int:
    """The pool block a run of plan on `nodes` nodes allocates."""
    return slot_layout(plan.slots, nodes)[1]


def _kernel_temps(plan: Plan) -> int:
    """csrc/exec/plan.c's max_temp_values: the largest ntemps * stride, a fused pair's two summed."""
    def values(k) -> int:
        return k.ntemps * (EDGE_BLOCK if k.domain == "edge" else NODE_BLOCK)

    most = max((values(k) for k in plan.kernels), default=0)
    for ins in plan.code:
        if ins.op == "fused":
            most = max(most, sum(values(plan.kernels[i]) for i in ins.args))
    return most


def _reductions(plan: Plan) -> int:
    """An upper bound on csrc's max_nred: every reduction of the instructions of one level."""
    per_level: dict[int, int] = {}
    levels = checked_stats(plan)["op_levels"]
    for pc, ins in enumerate(plan.code):
        if ins.op in ("kernel", "fused"):
            k = plan.kernels[ins.args[-1]]
            nred = sum(1 for m in k.micro if m.op.startswith("red_"))
            per_level[levels[pc]] = per_level.get(levels[pc], 0) + nred
    return max(per_level.values(), default=0)


def scratch_bytes(plan: Plan, nodes: int, threads: int) -> int:
    has_edge = any(k.domain == "edge" for k in plan.kernels)
    worker = max(_kernel_temps(plan), 1) * 8 + (EDGE_BLOCK * EDGE_LANE_BYTES if has_edge else 0)
    return max(threads, 1) * worker + _reductions(plan) * math.ceil(nodes / NODE_BLOCK) * PARTIAL_BYTES


def incremental_bytes(plan: Plan, nodes: int) -> int:
    from ..runtime.executor import Executable   # the C plan knows which kernels qualify
    return Executable(plan).incremental_bytes(nodes)


def sources_bytes(plan: Plan, nodes: int, threads: int) -> int:
    from ..runtime.executor import Executable
    own = Executable(plan).sources_bytes(nodes, threads)
    return own + threads * scratch_bytes(plan, nodes, 1) if own else 0


def common_bytes(plan: Plan, nodes: int, edges: int, threads: int) -> int:
    from ..runtime.executor import Executable
    return Executable(plan).common_bytes(nodes, edges, threads)


# Objects each column element creates: a float its own; an int column is taken to hold small
# values (levels, counts, core numbers), which CPython caches; a node column shares the id
# objects, but unpacking its indices creates one int each while it converts.
_COLUMN_OBJECT = {"float": PY_FLOAT, "int": 0, "node": PY_INT, "bool": 0}


def results_bytes(plan: Plan, nodes: int) -> int:
    """Python lists of the output columns, each with its transient ffi.unpack list, and the
    "node" column of integer ids (a node column shares those id objects but unpacks indices)."""
    total = nodes * (2 * LIST_ENTRY + PY_INT)
    for o in plan.outputs:
        if o.kind == "vector":
            total += nodes * (2 * LIST_ENTRY + _COLUMN_OBJECT[o.dtype])
    return total


def rss_now() -> int:
    """The process's resident bytes at this moment (its peak where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return rss_peak()


def restart_rss_peak() -> bool:
    """Start the process's peak-RSS count afresh (Linux: "5" into /proc/self/clear_refs), so
    that a peak read after the graph is loaded is the run's: parsing or generating a graph
    holds its edge list for a while, which the run never needs.  False where there is no
    such reset (the peak then covers the whole process)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_peak() -> int:
    """The peak resident bytes since the process started or restart_rss_peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
