"""x[p], the gather of a node vector p (docs/language.md "Gathering by a node vector").

- every element type gathered by a parent vector (the smallest in-neighbor, no_node() where
  there is none) matches a Python reference on every zoo graph, no_node() entries giving the
  type's empty value, and `where(p != no_node(), x[p], y)` working on them;
- -O0 and -O1 plans, 1 to 16 threads and the degree layout give the same bits;
- pointer-jumping connected components (`label = hooked[hooked]` until stable) match
  networkx's components, and Wyllie's depths in a parent forest match the parent chains, on
  every zoo graph;
- an index outside the graph (min over an empty neighborhood gives no node) is a run-time
  error naming the line and the first bad node in input order, whatever the layout;
- crafted plans whose gather_v writes a slot it reads, reads nodes from a float slot or gives
  a bool an empty value other than 0/1 are refused at gb_plan_create;
- `compile --emit plan` shows the instruction.
"""
from __future__ import annotations

import struct

import networkx as nx
import pytest
from graphs import ZOO, ZooGraph, to_networkx
from test_plan import check_plan

from graphbuild import runtime
from graphbuild.api import compile_text
from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.plan.model import Instr

THREADS = (1, 2, 3, 16)

GATHERS = """\
algorithm gathers():
    ids = node_id()
    p = argmin(u + 0 for u in in_nbrs)
    deg = out_degree()
    half = float(ids) * 0.5
    big = deg > 1
    p_deg = deg[p]
    p_half = half[p]
    p_big = big[p]
    grand = p[p]
    safe = where(p != no_node(), half[p], -1.0)
    return p, p_deg, p_half, p_big, grand, safe
"""

POINTER_JUMPING = """\
# connected components by hooking to the smallest neighbor label, then pointer jumping
algorithm pointer_jumping():
    ids = node_id()
    label = min(ids, min(ids[u] for u in nbrs))
    changed = true
    while changed:
        hooked = min(label, min(label[u] for u in nbrs))
        jumped = hooked[hooked]
        changed = any(jumped != label)
        label = jumped
    return label
"""


def build(g: ZooGraph, layout: str = "original") -> runtime.Graph:
    src, dst, weights = g.arrays()
    graph = runtime.Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))
    return graph.relabel(layout)


def bits(result) -> dict:
    def key(x):
        return struct.pack("<d", x) if isinstance(x, float) else x
    return {name: [key(x) for x in col] for name, col in result.columns.items()}


def agree(source: str, g: ZooGraph) -> dict:
    """-O0, -O1, every thread count and both layouts give the same bits; returns them."""
    plans = [compile_text(source, "p.gdsl", opt_level=level).plan for level in (0, 1)]
    for plan in plans:
        check_plan(plan)
    graphs = [build(g), build(g, "degree")]
    results = [bits(runtime.execute(plan, graph, {}, threads=t))
               for plan in plans for graph in graphs for t in THREADS]
    assert all(r == results[0] for r in results[1:])
    return runtime.execute(plans[1], graphs[0], {}).columns


@pytest.mark.parametrize("g", ZOO, ids=str)
def test_gathers_match_the_reference(g: ZooGraph) -> None:
    got = agree(GATHERS, g)
    G = to_networkx(g)
    index = g.index
    preds = G.predecessors if g.directed else G.neighbors
    parent = {v: min(preds(v), key=index.__getitem__, default=None) for v in g.nodes}
    deg = {v: G.out_degree(v) if g.directed else G.degree(v) for v in g.nodes}
    if not g.directed:   # graphbuild stores an undirected self-loop as two arcs, as nx's degree
        deg = dict(G.degree())
    half = {v: index[v] * 0.5 for v in g.nodes}

    def at(x: dict, empty):
        return [empty if parent[v] is None else x[parent[v]] for v in g.nodes]

    assert got["p"] == [parent[v] for v in g.nodes]
    assert got["p_deg"] == at(deg, 0)
    assert got["p_half"] == at(half, 0.0)
    assert got["p_big"] == at({v: d > 1 for v, d in deg.items()}, False)
    assert got["grand"] == at(parent, None)
    assert got["safe"] == [-1.0 if parent[v] is None else half[parent[v]] for v in g.nodes]


@pytest.mark.parametrize("g", ZOO, ids=str)
def test_pointer_jumping_components_match_networkx(g: ZooGraph) -> None:
    got = agree(POINTER_JUMPING, g)["label"]
    G = to_networkx(g)
    parts = nx.weakly_connected_components(G) if g.directed else nx.connected_components(G)
    index = g.index
    want = {}
    for part in parts:
        root = min(part, key=index.__getitem__)
        want.update({v: root for v in part})
    assert got == [want[v] for v in g.nodes]


DEPTHS = """\
algorithm depths():
    parent = argmin(u + 0 for u in nbrs if u < node_id())
    depth = where(parent == no_node(), 0, 1)
    up = parent
    while any(up != no_node()):
        depth = depth + depth[up]
        up = up[up]
    return parent, depth
"""


@pytest.mark.parametrize("g", ZOO, ids=str)
def test_pointer_jumping_depths_match_the_parent_chains(g: ZooGraph) -> None:
    """Wyllie's list ranking (docs/language.md's example): depth[no_node()] is 0."""
    got = agree(DEPTHS, g)
    G, index = to_networkx(g), g.index
    nbrs = (lambda v: set(G.predecessors(v)) | set(G.successors(v))) if g.directed else G.neighbors
    parent = {v: min((u for u in nbrs(v) if index[u] < index[v]), key=index.__getitem__, default=None)
              for v in g.nodes}

    def depth(v) -> int:
        return 0 if parent[v] is None else 1 + depth(parent[v])

    assert got["parent"] == [parent[v] for v in g.nodes]
    assert got["depth"] == [depth(v) for v in g.nodes]
    roots = agree(ROOTS, g)["root"]

    def root(v):
        return v if parent[v] is None else root(parent[v])

    assert roots == [root(v) for v in g.nodes]


ROOTS = """\
algorithm roots():
    parent = argmin(u + 0 for u in nbrs if u < node_id())
    root = where(parent == no_node(), node_id(), parent)
    while any(root[root] != root):
        root = root[root]
    return root
"""


OUT_OF_RANGE = """\
algorithm f():
    x = fill(1.0)
    ids = node_id()
    p = min(ids[u] for u in out_nbrs)
    y = x[p]
    return y
"""


@pytest.mark.parametrize("layout", ["original", "degree"])
@pytest.mark.parametrize("threads", [1, 3])
def test_an_index_outside_the_graph_is_a_runtime_error(layout: str, threads: int) -> None:
    """min over no out-neighbors gives min's identity, which is not a node."""
    g = next(z for z in ZOO if z.name == "directed_random")
    sinks = [i for i, v in enumerate(g.nodes) if all(e[0] != v for e in g.edges)]
    assert sinks
    for level in (0, 1):
        plan = compile_text(OUT_OF_RANGE, "oob.gdsl", opt_level=level).plan
        with pytest.raises(GraphbuildError) as info:
            runtime.execute(plan, build(g, layout), {}, threads=threads)
        err = info.value
        assert err.kind is ErrorKind.RUNTIME and err.location.line == 5
        assert err.message == (f"the index vector holds {2**63 - 1} at node index {sinks[0]}, "
                               f"out of range for a graph of {g.n} nodes")


def _gather_instr(plan) -> Instr:
    return next(i for i in plan.code if i.op == "gather_v")


def _refused(plan, g: ZooGraph, what: str) -> None:
    with pytest.raises(GraphbuildError) as info:
        runtime.execute(plan, build(g), {})
    assert "invalid plan" in info.value.message and what in info.value.message


def test_crafted_gathers_are_refused() -> None:
    g = ZOO[0]
    plan = compile_text(GATHERS, "p.gdsl").plan
    ins = next(i for i in plan.code if i.op == "gather_v" and plan.slots[i.args[0]] == "bool")
    dst, x, p, _ = ins.args
    ins.args = [x, x, p, 0]
    _refused(plan, g, "writes a slot it reads")
    ins.args = [dst, x, p, 2]
    _refused(plan, g, "gives a bool slot a value other than 0 or 1")
    floats = next(i for i, d in enumerate(plan.slots) if d == "float")
    ins.args = [dst, x, floats, 0]
    _refused(plan, g, "reads node indices from a slot that is not int64")
    ins.args = [floats, x, p, 0]
    _refused(plan, g, "writes a slot of another dtype")


def test_the_plan_shows_the_gather() -> None:
    from graphbuild.plan.printer import format_instr
    plan = compile_text(POINTER_JUMPING, "pj.gdsl").plan
    ins = _gather_instr(plan)
    x, p = ins.args[1:3]
    assert x == p and ins.args[3] == -1 and ins.args[0] != x   # hooked[hooked]: no_node gives no_node
    assert format_instr(ins).split() == ["gather_v", f"s{ins.args[0]},", f"s{x},", f"s{x},", "-1"]


def test_compile_emits_the_gather_and_run_reports_a_bad_index(tmp_path) -> None:
    from test_cli import gb
    program = tmp_path / "pj.gdsl"
    program.write_text(POINTER_JUMPING)
    shown = gb("compile", str(program), "--emit", "plan", cache=tmp_path / "cache")
    assert shown.returncode == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if " gather_v " in x)
    assert "jumped = hooked[hooked]" in line and line.split(";")[0].rstrip().endswith(", -1")
    bad = tmp_path / "oob.gdsl"
    bad.write_text(OUT_OF_RANGE)
    edges = tmp_path / "g.el"
    edges.write_text("0 1\n1 2\n")
    ran = gb("run", str(bad), "-g", str(edges), cache=tmp_path / "cache")
    assert ran.returncode == 70
    assert ran.stderr.startswith(f"{bad}:5:10: error: the index vector holds {2**63 - 1} at node index 2,")
    assert "y = x[p]" in ran.stderr and "^" in ran.stderr and "Traceback" not in ran.stderr
