"""Many processes on one cache: concurrent compiles, readers racing writers, prune and clear
during runs.  No locks exist; these tests show none are needed."""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading

from graphbuild.api import compile_file, resolve_graph
from graphbuild.cache import PlanCache, decode_entry
from graphbuild.runtime import Executable

from test_cache import cache_key_bytes, small_plan
from test_cli import PACKAGE_PARENT, ROOT

PAGERANK = ROOT / "algorithms" / "pagerank.gdsl"


def graphbuild(*args: str, cache) -> subprocess.Popen:
    """The real command line, importing the graphbuild under test, run outside the source tree."""
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    return subprocess.Popen([sys.executable, "-m", "graphbuild", *args], cwd=cache.parent, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def test_sixteen_processes_compiling_one_new_file_leave_one_valid_entry(tmp_path):
    program = tmp_path / "fresh.gdsl"
    program.write_text(PAGERANK.read_text() + f"# a program no cache has seen: {tmp_path.name}\n")
    cache = tmp_path / "cache"
    procs = [graphbuild("compile", str(program), "--json", cache=cache) for _ in range(16)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, stderr) in zip(procs, results):
        assert p.returncode == 0 and "warning" not in stderr and "Traceback" not in stderr, stderr
    keys = {json.loads(stdout)["key"] for stdout, _ in results}
    assert len(keys) == 1
    (key,) = keys
    assert sorted(p.name for p in cache.iterdir()) == sorted([f"{key}.gbplan", "stats.json", ".stats.lock"])
    assert decode_entry((cache / f"{key}.gbplan").read_bytes(), cache_key_bytes()).algorithm == "pagerank"
    counts = json.loads((cache / "stats.json").read_text())
    assert counts["hits"] + counts["misses"] == 16   # counted under a lock: none lost
    assert graphbuild("cache", "verify", cache=cache).wait(timeout=120) == 0


def _write_loop(directory: str, key: str, rounds: int, name: str) -> None:
    cache = PlanCache(directory)
    for _ in range(rounds):
        assert cache.put(key, small_plan(name))
        assert cache.warnings == []


def _read_loop(directory: str, key: str, rounds: int, seen) -> None:
    cache = PlanCache(directory)
    for _ in range(rounds):
        plan = cache.get(key)
        if plan is not None:
            seen.put(plan.algorithm)
    seen.put(("warnings", cache.warnings))


def _prune_loop(directory: str, rounds: int) -> None:
    cache = PlanCache(directory)
    for i in range(rounds):
        cache.clear() if i % 2 else cache.prune(max_size=0)
    assert cache.warnings == []


def test_readers_never_see_a_half_written_entry(tmp_path):
    """Writers replace one key with different plans while readers read it and a pruner
    empties the cache: every read is a whole plan or a clean miss, never a warning."""
    ctx = multiprocessing.get_context("fork")
    key = "c" * 64
    seen = ctx.Queue()
    procs = [ctx.Process(target=_write_loop, args=(str(tmp_path), key, 150, name)) for name in ("x", "y")]
    procs += [ctx.Process(target=_read_loop, args=(str(tmp_path), key, 300, seen)) for _ in range(3)]
    procs += [ctx.Process(target=_prune_loop, args=(str(tmp_path), 150))]
    for p in procs:
        p.start()
    names, warnings = [], []
    while len(warnings) < 3:
        item = seen.get(timeout=120)
        if isinstance(item, tuple):
            warnings += [item[1]]
        else:
            names.append(item)
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert warnings == [[], [], []]
    assert names and set(names) <= {"x", "y"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_a_run_that_has_its_plan_survives_the_entry_going_away(tmp_path):
    cache = PlanCache(tmp_path)
    compile_file(PAGERANK, cache=cache)
    compiled = compile_file(PAGERANK, cache=cache)
    assert compiled.cache_hit
    assert cache.clear() == 1
    result = Executable(compiled.plan).run(resolve_graph(None))
    assert abs(sum(result.columns["rank"]) - 1.0) < 1e-9


def test_prune_and_clear_during_runs_break_none(tmp_path):
    cache = tmp_path / "cache"
    reference = graphbuild("run", str(PAGERANK), "--json", "--no-cache", cache=cache)
    expected = json.loads(reference.communicate(timeout=120)[0])["columns"]
    outcomes: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def runner() -> None:
        for _ in range(3):
            p = graphbuild("run", str(PAGERANK), "--json", cache=cache)
            stdout, stderr = p.communicate(timeout=300)
            with lock:
                outcomes.append((p.returncode, stdout, stderr))

    threads = [threading.Thread(target=runner) for _ in range(3)]
    for t in threads:
        t.start()
    store = PlanCache(cache)
    cli_maintenance = 0
    while any(t.is_alive() for t in threads):
        store.prune(max_size=0)
        store.clear()
        if cli_maintenance < 6:  # the commands too, as a user would run them alongside
            command = ("cache", "clear") if cli_maintenance % 2 else ("cache", "prune", "--max-size", "0")
            assert graphbuild(*command, cache=cache).wait(timeout=120) == 0
            cli_maintenance += 1
    for t in threads:
        t.join()
    assert store.warnings == []
    assert len(outcomes) == 9
    for code, stdout, stderr in outcomes:
        assert code == 0 and "warning" not in stderr and "Traceback" not in stderr, stderr
        assert json.loads(stdout)["columns"] == expected
