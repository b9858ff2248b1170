"""Programs the IR, pass and plan tests share: LANGUAGE.md's examples, the shipped
algorithms, and small programs that reach the corners of lowering (if/elif results,
short-circuit conditions, x[s], mode without default, filters, defaults, int ops)."""
from __future__ import annotations

from pathlib import Path

from graphbuild import ir, lang

ALGORITHMS = Path(__file__).resolve().parents[1] / "algorithms"

LANGUAGE_EXAMPLES = {
    "pagerank": """\
algorithm pagerank(damping: float = 0.85, tol: float = 1e-6, max_iter: int = 100):
    n = node_count()
    deg = out_degree()
    rank = fill(1.0 / n)
    repeat max_iter until delta < n * tol:
        leaked = sum(where(deg == 0, rank, 0.0)) / n
        incoming = sum(rank[u] / deg[u] for u in in_nbrs)
        new_rank = (1.0 - damping) / n + damping * (incoming + leaked)
        delta = sum(abs(new_rank - rank))
        rank = new_rank
    return rank
""",
    "bfs": """\
algorithm bfs(source: node = 0):
    level = where(node_id() == source, 0, -1)
    frontier = node_id() == source
    depth = 0
    while any(frontier):
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        level = where(frontier, depth, level)
    return level
""",
    "connected_components": """\
algorithm connected_components():
    comp = node_id()
    changed = true
    while changed:
        new_comp = min(comp, min(comp[u] for u in nbrs))
        changed = any(new_comp != comp)
        comp = new_comp
    return comp
""",
    "sssp": """\
algorithm sssp(source: node = 0):
    dist = where(node_id() == source, 0.0, inf)
    changed = true
    while changed:
        new_dist = min(dist, min(dist[u] + weight for u in in_nbrs))
        changed = any(new_dist < dist)
        dist = new_dist
    return dist
""",
    "label_propagation": """\
algorithm label_propagation(max_iter: int = 30):
    label = node_id()
    repeat max_iter until stable:
        new_label = mode(label[u] for u in nbrs)
        stable = all(new_label == label)
        label = new_label
    return label
""",
}

CORNERS = {
    "branches": """\
algorithm branches(k: int = 3, s: node = 1):
    x = float(out_degree()) + 1
    y = 0
    if k > 2 and 10 // k > 1:
        y = 1
    elif k == 0:
        y = 2
        z = 5
    else:
        y = 3
    if k > 100:
        w = x * 2.0
    else:
        w = x + 0.5
    q = x[s] + y
    return w, q, int(x) % 3
""",
    "aggregates": """\
algorithm aggregates(cut: float = 1.5):
    x = float(degree()) + 1
    mx = mean(x)
    t = sum(x[u] * weight for u in out_nbrs if x[u] > mx, default=2)
    m = mode(u for u in nbrs if weight > 0.5)
    c = count(x > cut)
    lo = min(x[u] for u in in_nbrs)
    hi = max(node_id() + 0 for u in nbrs)
    avg = mean(x[u] - x for u in nbrs)
    a = argmax(x)
    b = all(x[u] >= 1.0 for u in nbrs)
    return t, m, c, lo, hi, avg, a, b
""",
    "reductions": """\
algorithm reductions():
    s = sum(out_degree())
    y = out_degree() * fill(s)
    d = out_degree()
    w = sum(d[u] * fill(s) for u in nbrs)
    m = max(d) + min(d)
    k = argmin(d)
    return y, w, m, k
""",
    "loops": """\
algorithm loops(n: int = 4):
    total = 0
    acc = fill(0)
    i = 0
    while i < n:
        j = 0
        repeat 3:
            acc = acc + i * j
            j = j + 1
        total = total + i
        i = i + 1
    a = 1
    b = 2
    repeat 5:
        t = a
        a = b
        b = t
    return acc, total, a, b
""",
}


def sources() -> dict[str, str]:
    """Every program by name: the examples, the corners and algorithms/*.gdsl."""
    progs = {**LANGUAGE_EXAMPLES, **CORNERS}
    for path in sorted(ALGORITHMS.glob("*.gdsl")):
        progs.setdefault(path.stem, path.read_text())
    return progs


def lowered(source: str, name: str | None = None) -> ir.Function:
    return ir.lower(lang.load(source, "test.gdsl"), name)
