"""Parameter ranges (issue 16.3): declared in the language, carried in the plan, checked before
every run however the value comes (CLI -p, the Python API, the networkx backend); unknown -p
names get a did-you-mean; old and crafted plans are handled honestly."""
from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys

import networkx as nx
import pytest

import graphbuild
import graphbuild as gb
from graphbuild.cache.key import Component, cache_key, key_components, key_of
from graphbuild.errors import GraphbuildError
from graphbuild.plan import PLAN_FORMAT_VERSION, Plan
from graphbuild.plan import bounds as B

SAME_PACKAGE = {"PYTHONSAFEPATH": "1",
                "PYTHONPATH": str(pathlib.Path(graphbuild.__file__).resolve().parents[1])}

PROGRAM = ("algorithm f(x: float in (0, 1] = 0.5, k: int in [-2, inf) = 3, n: int in [0, 10)"
           " = 0, b: bool = true):\n    return fill(x * k)\n")


def gb_cli(*args: str, tmp: pathlib.Path):
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(tmp / "cache"), **SAME_PACKAGE}
    return subprocess.run([sys.executable, "-m", "graphbuild", *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp)


@pytest.mark.parametrize("bounds,inside,outside", [
    (B.make(0, 1, True, True), [0, 0.5, 1], [-1e-300, 1.0000001, math.nan, math.inf]),
    (B.make(0, 1, False, False), [1e-300, 0.999], [0, 1]),
    (B.make(-math.inf, 5, False, False), [-1e308, 4.99], [5, math.inf]),
    (B.make(-2, math.inf, True, False), [-2, 10**18], [-3]),
])
def test_bounds_hold_what_they_say(bounds, inside, outside):
    assert all(B.contains(bounds, v) for v in inside)
    assert not any(B.contains(bounds, v) for v in outside)


def test_the_range_is_in_the_plan_and_survives_json():
    plan = gb.compile(PROGRAM, cache=False).plan
    ranges = {p.name: p.bounds for p in plan.params}
    assert ranges == {"x": [0, 1, False, True], "k": [-2, None, True, False], "n": [0, 10, True, False],
                      "b": None}
    again = Plan.from_json(plan.to_json())
    assert [p.bounds for p in again.params] == [p.bounds for p in plan.params]
    assert [B.describe(p.bounds) for p in plan.params[:3]] == ["(0, 1]", "[-2, inf)", "[0, 10)"]


@pytest.mark.parametrize("name,value,ok", [
    ("x", 1.0, True), ("x", 0.0, False), ("x", 1.5, False), ("x", math.nan, False),
    ("k", -2, True), ("k", -3, False), ("n", 9, True), ("n", 10, False),
])
def test_the_python_api_checks_every_value_before_running(name, value, ok):
    program = gb.compile(PROGRAM, cache=False)
    if ok:
        program.run(None, **{name: value})
        return
    with pytest.raises(GraphbuildError) as info:
        program.run(None, **{name: value})
    assert info.value.kind.name == "USAGE"
    if isinstance(value, float) and math.isnan(value):   # a float parameter takes a finite number first
        assert f"parameter '{name}' takes a finite number, got nan" in str(info.value)
    else:
        assert f"parameter '{name}' = {value!r} is outside its range" in str(info.value)


def test_the_cli_rejects_a_value_outside_the_range_before_the_run(tmp_path):
    proc = gb_cli("run", "pagerank", "-p", "damping=1.5", tmp=tmp_path)
    assert proc.returncode == 2
    assert "error: parameter 'damping' = 1.5 is outside its range [0, 1]" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    inside = gb_cli("run", "pagerank", "-p", "damping=1", "--json", tmp=tmp_path)
    assert inside.returncode == 0, inside.stderr
    ranks = json.loads(inside.stdout)["columns"]["rank"]
    assert all(0 <= r <= 1 for r in ranks)
    cutoff = gb_cli("run", "bfs", "-p", "cutoff=-2", tmp=tmp_path)
    assert cutoff.returncode == 2 and "'cutoff' = -2 is outside its range [-1, inf)" in cutoff.stderr


def test_an_unknown_parameter_gets_a_did_you_mean(tmp_path):
    proc = gb_cli("run", "pagerank", "-p", "dampng=0.5", tmp=tmp_path)
    assert proc.returncode == 2
    assert "unknown parameter 'dampng'" in proc.stderr and "did you mean 'damping'?" in proc.stderr
    far = gb_cli("run", "pagerank", "-p", "zzz=1", tmp=tmp_path)
    assert far.returncode == 2 and "did you mean" not in far.stderr


def test_the_networkx_backend_goes_through_the_same_check():
    G = nx.path_graph(6)
    with pytest.raises(GraphbuildError, match="'damping' = 1.5 is outside its range"):
        nx.pagerank(G, alpha=1.5, backend="graphbuild")
    with pytest.raises(GraphbuildError, match="'max_iter' = -1 is outside its range"):
        nx.katz_centrality(G, max_iter=-1, backend="graphbuild")
    assert nx.pagerank(G, alpha=0.9, backend="graphbuild") == pytest.approx(nx.pagerank(G, alpha=0.9))


def test_old_and_crafted_plans_are_refused_with_one_message(tmp_path):
    text = gb.compile(PROGRAM, cache=False).plan.to_json()
    outer = json.loads(text)
    old = {**outer, "graphbuild_plan": 2}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    proc = gb_cli("run", str(path), tmp=tmp_path)
    assert proc.returncode == 65 and f"plan format version 2, this graphbuild reads {PLAN_FORMAT_VERSION}" \
        in proc.stderr
    for bad in ([1, 0, True, True], [0, 1, "yes", True], [0.5, 1, True, True], [0, 2, True, True]):
        plan = gb.compile(PROGRAM, cache=False).plan
        target = 0 if bad != [0.5, 1, True, True] else 1   # a fractional end on the int k
        plan.params[target].bounds = bad
        if bad == [0, 2, True, True]:   # a range that excludes the default
            plan.params[0].bounds, plan.params[0].default = [0, 0.25, True, True], 0.5
        crafted = tmp_path / "crafted.json"
        crafted.write_text(plan.to_json())
        proc = gb_cli("run", str(crafted), tmp=tmp_path)
        assert proc.returncode == 65, (bad, proc.stderr)
        assert "range" in proc.stderr and "Traceback" not in proc.stderr


def test_the_plan_cache_key_moves_with_the_plan_format():
    components = key_components(PROGRAM, None, 1)
    assert [c.value for c in components if c.name == "plan_format"] == [str(PLAN_FORMAT_VERSION)]
    older = [Component(c.name, "2") if c.name == "plan_format" else c for c in components]
    assert key_of(older) != key_of(components) == cache_key(PROGRAM, None, 1)
