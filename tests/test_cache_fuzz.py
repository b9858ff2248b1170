"""Fuzzed plan files, as a damaged cache or a hand edit would give them, never crash graphbuild.

Real plans of every shipped algorithm are mutated with a seeded generator (numbers, op names,
slot, register and temp indices, dtypes, dropped fields and list elements, values of the wrong
type), re-checksummed so they get past the JSON checksum, and run the way `graphbuild run
PLAN.json` runs them: read through the API, validated by C (graphbuild.runtime.Executable),
run on the bundled graph.  Each must end in a GraphbuildError or a run with well-formed
results.  Batches run in subprocesses, so a segfault is a failed test naming the plan file.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import pathlib
import random
import subprocess
import sys

import pytest

import graphbuild
from graphbuild.compiler import compile_source
from graphbuild.plan.model import PLAN_FORMAT_VERSION

ROOT = pathlib.Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# Batches import the same graphbuild as this process (see test_cli.py).
PACKAGE_PARENT = str(pathlib.Path(graphbuild.__file__).resolve().parents[1])
SEED = 20240611
PLANS = 2400
BATCH = 300
# A plan whose loop has no iteration check (a mutated jump) runs until interrupted, as Ctrl-C
# would; runs on the bundled graph take milliseconds, so this only bounds such loops.
WATCHDOG_SECONDS = 0.25

INTERESTING = [-2**63, -2**31, -2, -1, 0, 1, 2, 3, 5, 7, 8, 33, 34, 35, 255, 1023, 1024, 1025, 2**31 - 1,
               2**31, 2**32, 2**53, 2**62, 2**63 - 1, 0.5, -0.0, 1e308, math.inf, -math.inf, math.nan]
WRONG_TYPES = ["", "x", None, True, [], {}, [1, 2], {"a": 1}, 1.5, "0"]
NAMES = {
    "slots": ["float", "int", "bool", "node", "double", ""],
    "registers": ["float", "int", "bool", "node", "x"],
    "dtype": ["float", "int", "bool", "node", "str"], "kind": ["vector", "scalar", "table"],
    "domain": ["node", "edge", "graph"], "dir": ["out", "in", "both", "", "up"],
    "agg": ["sum", "min", "max", "count", "any", "all", "mean", "mode", "", "median"],
    "default_kind": ["identity", "reg", "slot", "zero"],
}
GARBAGE_OPS = ["", "last", "LAST", "nop", "Add_F", "kernel ", "op_999", "red_sum", "const"]


def base_plans() -> list[dict]:
    plans = []
    for path in sorted((ROOT / "algorithms").glob("*.gdsl")):
        for level in (0, 1):
            plan = compile_source(path.read_text(), str(path), None, level)
            plans.append(json.loads(plan.to_json(), parse_constant=lambda c: float(c))["plan"])
    return plans


def _containers(node, out):
    """Every dict and list in the tree, with the key path to reach it."""
    if isinstance(node, (dict, list)):
        out.append(node)
        for child in (node.values() if isinstance(node, dict) else node):
            _containers(child, out)
    return out


def _leaves(tree) -> list[tuple[object, object]]:
    return [(c, k) for c in _containers(tree, []) for k in (c if isinstance(c, dict) else range(len(c)))
            if not isinstance(c[k], (dict, list))]


def mutate(plan: dict, rng: random.Random, ops: list[str]) -> dict:
    plan = copy.deepcopy(plan)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        kind = rng.randrange(8)
        instrs = [i for i in _containers(plan, []) if isinstance(i, dict) and "op" in i]
        # an earlier mutation may have dropped or retyped an instruction's operands
        with_args = [i for i in instrs if isinstance(i.get("args"), list)]
        if kind == 0:                                  # a number anywhere
            numeric = [(c, k) for c, k in _leaves(plan)
                       if isinstance(c[k], (int, float)) and not isinstance(c[k], bool)]
            if numeric:
                c, k = rng.choice(numeric)
                c[k] = rng.choice(INTERESTING + [c[k] + 1, c[k] - 1, -c[k]])
        elif kind == 1 and instrs:                     # an op name
            rng.choice(instrs)["op"] = rng.choice(ops + GARBAGE_OPS)
        elif kind == 2 and with_args:                  # an operand: slot, register, temp or jump index
            ins = rng.choice(with_args)
            if ins["args"]:
                tables = [plan.get(k) for k in ("slots", "registers", "code")]
                top = max([len(t) for t in tables if isinstance(t, list)], default=0) + 3
                ins["args"][rng.randrange(len(ins["args"]))] = rng.randint(-2, top)
        elif kind == 3:                                # drop a field
            dicts = [c for c in _containers(plan, []) if isinstance(c, dict) and c]
            target = rng.choice(dicts)
            del target[rng.choice(list(target))]
        elif kind == 4:                                # a value of the wrong type
            leaves = _leaves(plan)
            if leaves:
                c, k = rng.choice(leaves)
                c[k] = copy.deepcopy(rng.choice(WRONG_TYPES))
        elif kind == 5:                                # drop, duplicate or swap list elements
            lists = [c for c in _containers(plan, []) if isinstance(c, list) and c]
            target = rng.choice(lists)
            i, j = rng.randrange(len(target)), rng.randrange(len(target))
            action = rng.randrange(3)
            if action == 0:
                del target[i]
            elif action == 1:
                target.insert(j, copy.deepcopy(target[i]))
            else:
                target[i], target[j] = target[j], target[i]
        elif kind == 6:                                # a dtype, domain, direction or aggregation name
            named = [(c, k) for c, k in _leaves(plan) if isinstance(c, dict) and k in NAMES]
            named += [(plan[name], i) for name in ("slots", "registers") if isinstance(plan.get(name), list)
                      for i in range(len(plan[name]))]
            if named:
                c, k = rng.choice(named)
                c[k] = rng.choice(NAMES[k] if k in NAMES else NAMES["slots"])
        elif with_args:                                # too few or too many operands
            ins = rng.choice(with_args)
            if rng.random() < 0.5 and ins["args"]:
                ins["args"].pop()
            else:
                ins["args"].extend(rng.randint(-1, 8) for _ in range(rng.randint(1, 4)))
    return plan


def plan_text(body: dict, rng: random.Random) -> str:
    """The plan file: re-checksummed so it reaches the executor, except for a few left broken."""
    dumped = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=True)
    checksum = hashlib.sha256(dumped.encode()).hexdigest()
    roll = rng.random()
    if roll < 0.02:
        checksum = "0" * 64
    text = json.dumps({"graphbuild_plan": PLAN_FORMAT_VERSION, "checksum": checksum, "plan": body},
                      sort_keys=True, allow_nan=True)
    if roll > 0.98:
        text = text[: rng.randrange(len(text))]
    return text


def _attempt(path: str, graph, watchdog: float) -> dict:
    """Read, validate and run one plan file the way `graphbuild run PLAN.json` does."""
    import signal

    from graphbuild.api import compile_file
    from graphbuild.errors import GraphbuildError
    from graphbuild.runtime import Executable

    stage, outcome, detail = "read", "ok", ""
    signal.setitimer(signal.ITIMER_REAL, watchdog)
    try:
        plan = compile_file(path).plan
        stage = "validate"
        exe = Executable(plan)
        stage = "run"
        result = exe.run(graph, {}, threads=2, max_iterations=50)
        stage = "done"
        for name, column in result.columns.items():
            assert len(column) == graph.node_count, name
        assert set(result.values) | set(result.columns) >= {o.name for o in plan.outputs}
    except GraphbuildError as exc:
        outcome, detail = "error", f"{exc.kind.name}: {exc.message}"
    except BaseException as exc:  # noqa: BLE001  (anything else is the failure we look for)
        outcome, detail = "crash", f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"file": path, "stage": stage, "outcome": outcome, "detail": detail[:300]}


def run_batch(paths: list[str]) -> None:
    """Runs in a subprocess: one JSON line per plan on stdout; "start" lines on stderr name the
    plan in flight if the process dies."""
    import signal

    from graphbuild.api import resolve_graph

    def expire(signum, frame):
        raise KeyboardInterrupt  # inside a run, the executor turns this into its interrupt flag

    signal.signal(signal.SIGALRM, expire)
    graph = resolve_graph(None)
    for path in paths:
        print("start", path, file=sys.stderr, flush=True)
        report = _attempt(path, graph, WATCHDOG_SECONDS)
        if report["detail"].startswith("KeyboardInterrupt"):
            # The watchdog fired outside the C run (a stalled machine): once more, with time to spare.
            report = _attempt(path, graph, 30.0)
        print(json.dumps(report), flush=True)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory) -> list[pathlib.Path]:
    directory = tmp_path_factory.mktemp("fuzzed-plans")
    plans = base_plans()
    ops = sorted({i["op"] for p in plans for i in _containers(p, []) if isinstance(i, dict) and "op" in i})
    from graphbuild.runtime.native import lib
    ops += sorted({n[6:].lower() for n in dir(lib) if n.startswith("GB_OP_")} - set(ops))
    rng = random.Random(SEED)
    paths = []
    for i in range(PLANS):
        path = directory / f"plan{i:04d}.json"
        path.write_text(plan_text(mutate(rng.choice(plans), rng, ops), rng))
        paths.append(path)
    return paths


def test_every_fuzzed_plan_ends_in_an_error_or_a_run(fuzzed):
    batches = [[str(p) for p in fuzzed[start:start + BATCH]] for start in range(0, len(fuzzed), BATCH)]
    procs = []
    for batch in batches:
        code = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); from test_cache_fuzz import run_batch; "
                f"run_batch({batch!r})")
        procs.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, cwd=TESTS,
                                      env={**os.environ, "PYTHONPATH": PACKAGE_PARENT}))
    results = []
    for batch, proc in zip(batches, procs):
        stdout, stderr = proc.communicate(timeout=900)
        in_flight = [line.split(" ", 1)[1] for line in stderr.splitlines() if line.startswith("start ")]
        assert proc.returncode == 0, \
            f"the batch died ({proc.returncode}) on {in_flight[-1:]}: {stderr[-2000:]}"
        lines = [json.loads(line) for line in stdout.splitlines()]
        assert len(lines) == len(batch)
        results += lines
    crashes = [r for r in results if r["outcome"] == "crash"]
    assert not crashes, f"{len(crashes)} plans crashed, e.g. " + "\n".join(
        f"{r['file']} at {r['stage']}: {r['detail']}" for r in crashes[:10])
    stages = [r["stage"] for r in results]
    # The fuzz must reach the executor, not just the JSON reader: plans get to C's validator,
    # some run to completion, and C rejects some on its own.
    assert len(results) == PLANS >= 2000
    assert stages.count("done") >= PLANS // 10
    assert stages.count("validate") >= PLANS // 20
    assert sum(s in ("validate", "run", "done") for s in stages) >= PLANS // 2
