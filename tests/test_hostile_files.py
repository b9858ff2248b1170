"""Issue 17, item 3: nothing in a cache or a plan makes graphbuild block or read without limit.

FIFOs and links to /dev/zero at cache entries and at stats.json, a plan whose source_path
names /dev/zero, a FIFO or someone else's file, and a plan with a loop that never checks its
iterations: each command still ends promptly (every subprocess has a timeout), with the
right answer or one clear error."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import resource
import subprocess

import networkx as nx
import pytest

from test_cli import ALGORITHMS, PACKAGE_PARENT, gb, gb_command

PAGERANK = ALGORITHMS / "pagerank.gdsl"
KARATE = nx.pagerank(nx.karate_club_graph(), alpha=0.85, tol=1e-12, weight=None)


def ranks_right(stdout: str) -> bool:
    out = json.loads(stdout)
    ranks = dict(zip(out["columns"]["node"], out["columns"]["rank"]))
    return max(abs(ranks[v] - KARATE[v]) for v in KARATE) < 1e-8


def plan_key(cache: pathlib.Path) -> str:
    return json.loads(gb("cache", "explain", str(PAGERANK), "--json", cache=cache).stdout)["key"]


@pytest.fixture
def cache(tmp_path) -> pathlib.Path:
    path = tmp_path / "cache"
    path.mkdir(mode=0o700)
    return path


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory", "huge"])
def test_a_plan_entry_of_the_wrong_kind_is_a_miss_and_never_read(cache, kind):
    entry = cache / f"{plan_key(cache)}.gbplan"
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "dev-zero":
        os.symlink("/dev/zero", entry)
    elif kind == "directory":
        entry.mkdir()
    else:
        with open(entry, "wb") as f:
            f.truncate(100 << 20)   # sparse: 100 MiB of zeros, more than any plan
    result = gb("run", str(PAGERANK), "--json", cache=cache, timeout=60)
    assert result.returncode == 0, result.stderr
    assert ranks_right(result.stdout)
    assert result.stderr.count("discarding cache entry") == 1, result.stderr
    for command in (["cache", "info"], ["cache", "list"], ["cache", "verify"]):
        shown = gb(*command, cache=cache, timeout=60)
        assert "Traceback" not in shown.stderr and shown.returncode in (0, 65), shown.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_stats_json_of_the_wrong_kind_neither_blocks_info_nor_run(cache, kind):
    stats = cache / "stats.json"
    if kind == "fifo":
        os.mkfifo(stats)
    else:
        os.symlink("/dev/zero", stats)
    info = gb("cache", "info", "--json", cache=cache, timeout=60)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["hits"] == 0
    result = gb("run", str(PAGERANK), "--json", cache=cache, timeout=60)
    assert result.returncode == 0 and ranks_right(result.stdout), result.stderr


def big_graph(tmp_path) -> pathlib.Path:
    path = tmp_path / "big.el"
    path.write_text("".join(f"{i} {(i * 7919) % 20000}\n" for i in range(150_000)))
    return path


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_graph_entry_of_the_wrong_kind_is_rebuilt(cache, tmp_path, kind):
    graph = big_graph(tmp_path)
    first = gb("run", str(PAGERANK), "-g", str(graph), "--json", cache=cache, timeout=120)
    assert first.returncode == 0, first.stderr
    (entry,) = (cache / "graphs").glob("*.gbgraph")
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        os.symlink("/dev/zero", entry)
    again = gb("run", str(PAGERANK), "-g", str(graph), "--json", cache=cache, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "discarding graph cache entry" in again.stderr
    assert json.loads(again.stdout)["columns"] == json.loads(first.stdout)["columns"]
    assert entry.is_file() and not entry.is_symlink()   # rebuilt as a real entry


FAILING = """\
algorithm broken(k: int = 0):
    n = node_count()
    x = n // k
    return x
"""


def crafted_plan(tmp_path, source_path: str | None = None, edit=None, text: str = FAILING) -> pathlib.Path:
    """text (FAILING unless given) compiled to a plan file, its source_path replaced and edit(plan) applied,
    re-checksummed as anyone editing a plan file can."""
    program = tmp_path / "broken.gdsl"
    program.write_text(text)
    plan_file = tmp_path / "broken.json"
    env = {**os.environ, "PYTHONPATH": PACKAGE_PARENT}
    made = subprocess.run(gb_command("compile", str(program), "--no-cache", "-o", str(plan_file)),
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    outer = json.loads(plan_file.read_text())
    body = outer["plan"]
    if source_path is not None:
        body["source_path"] = source_path
    if edit is not None:
        edit(body)
    dumped = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=True)
    outer["checksum"] = hashlib.sha256(dumped.encode()).hexdigest()
    plan_file.write_text(json.dumps(outer))
    return plan_file


def run_plan(plan_file: pathlib.Path, cache: pathlib.Path) -> subprocess.CompletedProcess:
    result = gb("run", str(plan_file), cache=cache, timeout=60)
    assert "Traceback" not in result.stderr
    return result


def test_an_error_quotes_the_plans_own_program(tmp_path, cache):
    result = run_plan(crafted_plan(tmp_path), cache)
    assert result.returncode == 70, result.stderr
    assert "broken.gdsl:3:" in result.stderr and "x = n // k" in result.stderr


@pytest.mark.parametrize("target", ["dev-zero", "fifo", "someone-elses"])
def test_an_error_never_reads_a_source_path_that_is_not_the_plans_own_program(tmp_path, cache, target):
    if target == "dev-zero":
        source = "/dev/zero"
    elif target == "fifo":
        source = str(tmp_path / "pipe.gdsl")
        os.mkfifo(source)
    else:
        secret = tmp_path / "secret.txt"
        secret.write_text("line one\nline two\nTOP SECRET: the password is swordfish\n")
        os.chmod(secret, 0o600)
        source = str(secret)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = run_plan(crafted_plan(tmp_path, source_path=source), cache)
    assert result.returncode == 70, result.stderr
    assert "integer division by zero" in result.stderr or "zero" in result.stderr
    assert "swordfish" not in result.stderr and "\x00" not in result.stderr
    assert f"{source}:3:" in result.stderr   # the location is still named
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < max(before, 1) + (1 << 20)  # KiB


def _loop_forever(body: dict) -> None:
    body["code"].append({"op": "jump", "args": [len(body["code"])], "loc": -1})
    body["exec_levels"].append(0)


def _while_without_count(body: dict) -> None:
    """A while-shaped loop whose check_iter watches a register nothing increments."""
    reg = len(body["registers"])
    body["registers"] += ["int"]
    at = len(body["code"])
    body["code"] += [{"op": "const", "args": [reg, 0], "loc": -1},
                     {"op": "check_iter", "args": [reg], "loc": -1},
                     {"op": "jump", "args": [at + 1], "loc": -1}]
    body["exec_levels"] += [0, 0, 0]


@pytest.mark.parametrize("edit", [_loop_forever, _while_without_count])
def test_a_loop_without_an_iteration_check_is_rejected_before_it_runs(tmp_path, cache, edit):
    result = run_plan(crafted_plan(tmp_path, edit=edit), cache)
    assert result.returncode == 65, result.stderr
    assert "invalid plan" in result.stderr and "without an iteration check" in result.stderr


def _float_kernel_operand(body: dict) -> None:
    """-0.0 passes as the integer 0 in C, but Python indexed its kernel list with it after the run."""
    ins = next(i for i in body["code"] if i["op"] in ("kernel", "fused"))
    ins["args"][0] = -0.0


def test_an_index_operand_written_as_a_float_is_refused(tmp_path, cache):
    text = "algorithm degrees():\n    d = sum(1 for u in in_nbrs)\n    return d\n"
    result = run_plan(crafted_plan(tmp_path, edit=_float_kernel_operand, text=text), cache)
    assert result.returncode == 65, result.stderr
    assert "not a valid plan: malformed instruction" in result.stderr


def test_a_graph_blob_grown_to_64_gib_is_refused_from_its_header(cache, tmp_path):
    """A blob made a sparse 64 GiB file (no disk used) was hashed and mapped whole before its
    header was checked, so `run` hung; its header is now read first and the length it gives
    compared with the file's, and the entry is rebuilt."""
    graph = big_graph(tmp_path)
    first = gb("run", str(PAGERANK), "-g", str(graph), "--json", cache=cache, timeout=120)
    assert first.returncode == 0, first.stderr
    (blob,) = (cache / "graphs").glob("*.gbgraph")
    os.truncate(blob, 64 << 30)
    again = gb("run", str(PAGERANK), "-g", str(graph), "--json", cache=cache, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "discarding graph cache entry" in again.stderr and "Traceback" not in again.stderr
    assert json.loads(again.stdout)["columns"] == json.loads(first.stdout)["columns"]
    assert all(p.stat().st_size < 1 << 30 for p in (cache / "graphs").iterdir())
