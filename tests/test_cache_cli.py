"""`graphbuild cache ...` and the cache options of compile and run, as a user runs them."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from test_cli import PACKAGE_PARENT, ROOT, assert_clean_failure, gb

PAGERANK = "algorithms/pagerank.gdsl"
COMPILER_MODULES = ("graphbuild.compiler", "graphbuild.lang", "graphbuild.ir", "graphbuild.passes",
                    "graphbuild.plan.build")


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def compile_json(cache, *args: str) -> dict:
    proc = gb("compile", *args, "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def run_json(cache, *args: str) -> dict:
    proc = gb("run", *args, "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def info_json(cache, *args: str) -> dict:
    proc = gb("cache", "info", "--json", *args, cache=cache)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def entry_files(cache: pathlib.Path) -> list[str]:
    return sorted(p.name for p in cache.glob("*.gbplan")) if cache.is_dir() else []


def test_every_cache_command_has_help_with_an_example(cache):
    for command in ("info", "list", "verify", "prune", "clear", "explain"):
        proc = gb("cache", command, "--help", cache=cache)
        assert proc.returncode == 0 and "Example" in proc.stdout, command
    proc = gb("cache", "--help", cache=cache)
    assert proc.returncode == 0 and "Example" in proc.stdout
    assert "--recache" in gb("run", "--help", cache=cache).stdout


def test_info_counts_entries_bytes_hits_and_misses(cache):
    key = compile_json(cache, PAGERANK)["key"]
    run_json(cache, PAGERANK)
    run_json(cache, PAGERANK)
    report = info_json(cache)
    size = (cache / f"{key}.gbplan").stat().st_size
    assert report == {"location": str(cache), "entries": 1, "bytes": size, "limit": 1 << 30,
                      "plans": {"entries": 1, "bytes": size},
                      "graphs": {"entries": 0, "blobs": 0, "bytes": 0},
                      "hits": 2, "misses": 1, "graph_hits": 0, "graph_misses": 0}
    text = gb("cache", "info", cache=cache).stdout
    for line in (f"location  {cache}", "entries   1", f"bytes     {size}", "limit     1073741824 (1.0 GiB)",
                 "plans     1 entry", "graphs    0 entries in 0 files", "hits      2", "misses    1"):
        assert line in text, text


def test_limit_setting_comes_from_the_environment(cache):
    proc = gb("cache", "info", "--json", cache=cache, env={"GRAPHBUILD_CACHE_MAX_SIZE": "500M"})
    assert json.loads(proc.stdout)["limit"] == 500 << 20
    proc = gb("cache", "info", cache=cache, env={"GRAPHBUILD_CACHE_MAX_SIZE": "lots"})
    assert_clean_failure(proc, 2, "GRAPHBUILD_CACHE_MAX_SIZE")


def test_list_shows_key_algorithm_absolute_source_size_and_use(cache):
    key = compile_json(cache, PAGERANK)["key"]
    compile_json(cache, "algorithms/bfs.gdsl")
    proc = gb("cache", "list", "--json", cache=cache)
    rows = {r["algorithm"]: r for r in json.loads(proc.stdout)["entries"]}
    assert set(rows) == {"pagerank", "bfs"}
    assert rows["pagerank"]["key"] == key
    assert rows["pagerank"]["source_path"] == str(ROOT / PAGERANK)
    assert rows["pagerank"]["bytes"] == (cache / f"{key}.gbplan").stat().st_size
    assert rows["pagerank"]["problem"] is None and rows["pagerank"]["last_used"] > 0
    text = gb("cache", "list", cache=cache, env={"COLUMNS": "200"}).stdout
    assert key[:16] in text and "pagerank" in text and "bfs" in text


def test_verify_exit_codes_and_fix(cache):
    key = compile_json(cache, PAGERANK)["key"]
    compile_json(cache, "algorithms/bfs.gdsl")
    ok = gb("cache", "verify", cache=cache)
    assert ok.returncode == 0 and "checked 2 entries" in ok.stderr and "0 bad" in ok.stderr
    entry = cache / f"{key}.gbplan"
    entry.write_bytes(entry.read_bytes()[:-3])
    bad = gb("cache", "verify", cache=cache)
    assert_clean_failure(bad, 65, "1 bad")
    assert f"bad  {key}  truncated entry" in bad.stdout and entry.exists()
    fixed = gb("cache", "verify", "--fix", cache=cache)
    assert fixed.returncode == 0 and "(removed)" in fixed.stdout and not entry.exists()
    assert gb("cache", "verify", cache=cache).returncode == 0
    assert info_json(cache)["entries"] == 1


def test_verify_validates_the_plan_as_the_executor_does(cache, tmp_path):
    """A well-formed entry whose plan C rejects is bad too."""
    from graphbuild.cache import PlanCache
    from graphbuild.plan.model import Plan

    key = compile_json(cache, PAGERANK)["key"]
    store = PlanCache(cache)
    plan = store.get(key)
    plan.code.append(type(plan.code[0])("jump", [10_000], -1))
    plan.exec_levels.append(0)
    store.put(key, Plan.from_json(plan.to_json()))
    bad = gb("cache", "verify", cache=cache)
    assert_clean_failure(bad, 65, "1 bad")
    assert "invalid plan" in bad.stdout and "jump" in bad.stdout


def test_prune_by_size_and_age_and_bad_arguments(cache):
    compile_json(cache, PAGERANK)
    compile_json(cache, "algorithms/bfs.gdsl")
    kept = gb("cache", "prune", "--older-than", "1d", cache=cache)
    assert kept.returncode == 0 and "removed 0 entries" in kept.stderr and len(entry_files(cache)) == 2
    old = 1_000_000.0
    os.utime(cache / entry_files(cache)[0], (old, old))
    aged = gb("cache", "prune", "--older-than", "7d", cache=cache)
    assert aged.returncode == 0 and "removed 1 entry" in aged.stderr and len(entry_files(cache)) == 1
    emptied = gb("cache", "prune", "--max-size", "0", cache=cache)
    assert emptied.returncode == 0 and entry_files(cache) == []
    assert_clean_failure(gb("cache", "prune", "--max-size", "big", cache=cache), 2, "--max-size")
    assert_clean_failure(gb("cache", "prune", "--older-than", "soon", cache=cache), 2, "--older-than")


def test_writes_respect_the_size_limit(cache):
    first = compile_json(cache, PAGERANK)["key"]
    proc = gb("compile", "algorithms/bfs.gdsl", "--json", cache=cache, env={"GRAPHBUILD_CACHE_MAX_SIZE": "1"})
    second = json.loads(proc.stdout)["key"]
    assert entry_files(cache) == [f"{second}.gbplan"] and first != second


def test_clear(cache):
    compile_json(cache, PAGERANK)
    proc = gb("cache", "clear", cache=cache)
    assert proc.returncode == 0 and "removed 1 entry" in proc.stderr
    assert info_json(cache)["entries"] == 0


def changed_components(a: dict, b: dict) -> list[str]:
    return [x["name"] for x, y in zip(a["components"], b["components"]) if x["sha256"] != y["sha256"]]


def test_explain_lists_components_key_and_entry(cache, tmp_path):
    before = json.loads(gb("cache", "explain", PAGERANK, "--json", cache=cache).stdout)
    assert [c["name"] for c in before["components"]] == [
        "source", "algorithm", "graphbuild_version", "compiler_sources", "plan_format", "executor_abi",
        "opt_level"]
    assert before["entry"] == "absent"
    key = compile_json(cache, PAGERANK)["key"]
    after = gb("cache", "explain", PAGERANK, cache=cache)
    assert after.returncode == 0
    assert f"key                 {key}" in after.stdout
    assert "entry               present" in after.stdout
    assert before["key"] == key
    o0 = json.loads(gb("cache", "explain", PAGERANK, "-O0", "--json", cache=cache).stdout)
    assert changed_components(before, o0) == ["opt_level"]
    assert o0["key"] != key and o0["entry"] == "absent"
    edited = tmp_path / "pagerank.gdsl"
    edited.write_text((ROOT / PAGERANK).read_text() + "\n")
    ws = json.loads(gb("cache", "explain", str(edited), "--json", cache=cache).stdout)
    assert changed_components(before, ws) == ["source"]
    named = json.loads(gb("cache", "explain", PAGERANK, "-a", "pagerank", "--json", cache=cache).stdout)
    assert named["key"] != key and named["components"][1]["value"] == "pagerank"


def test_explain_errors(cache, tmp_path):
    assert_clean_failure(gb("cache", "explain", "missing.gdsl", cache=cache), 66, "missing.gdsl")
    plan = tmp_path / "p.json"
    plan.write_text("{}")
    assert_clean_failure(gb("cache", "explain", str(plan), cache=cache), 2, "plan file")


def test_parameters_and_graph_are_not_in_the_key(cache, tmp_path):
    edges = tmp_path / "edges.el"
    edges.write_text("1 2\n2 3\n3 1\n")
    assert not run_json(cache, PAGERANK)["timings"]["cache_hit"]
    assert run_json(cache, PAGERANK, "-p", "damping=0.5")["timings"]["cache_hit"]
    assert run_json(cache, PAGERANK, "--graph", str(edges))["timings"]["cache_hit"]


def test_no_cache_recache_and_cache_dir(cache, tmp_path):
    assert not run_json(cache, PAGERANK, "--no-cache")["timings"]["cache_hit"]
    assert not compile_json(cache, PAGERANK, "--no-cache")["cache_hit"]
    assert not cache.exists()
    run_json(cache, PAGERANK)
    assert not run_json(cache, PAGERANK, "--recache")["timings"]["cache_hit"]
    assert run_json(cache, PAGERANK)["timings"]["cache_hit"]
    other = tmp_path / "other"
    assert not run_json(cache, PAGERANK, "--cache-dir", str(other))["timings"]["cache_hit"]
    assert len(entry_files(other)) == 1 and info_json(cache, "--cache-dir", str(other))["misses"] == 1


def test_unwritable_cache_lets_every_command_work_with_one_warning(cache, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    where = str(blocker / "plans")
    for args in (["run", PAGERANK], ["compile", PAGERANK], ["cache", "info"], ["cache", "list"],
                 ["cache", "verify"], ["cache", "prune"], ["cache", "clear"], ["cache", "explain", PAGERANK]):
        proc = gb(*args, "--cache-dir", where, cache=cache)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.stderr.count("warning") <= 1, (args, proc.stderr)
    proc = gb("run", PAGERANK, "--cache-dir", where, cache=cache)
    assert proc.stderr.count("warning: plan cache") == 1 and "not writable" in proc.stderr


def test_a_cache_hit_does_not_import_the_compiler(cache, tmp_path):
    compile_json(cache, PAGERANK)
    modules_file = tmp_path / "modules.json"
    code = (
        "import json, runpy, sys\n"
        "sys.argv = ['graphbuild', 'run', sys.argv[1], '--json']\n"
        "try:\n"
        "    runpy.run_module('graphbuild', run_name='__main__', alter_sys=True)\n"
        "finally:\n"
        "    with open(MODULES, 'w') as f:\n"
        "        json.dump(sorted(sys.modules), f)\n"
    ).replace("MODULES", repr(str(modules_file)))
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / PAGERANK)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["timings"]["cache_hit"] is True
    loaded = json.loads(modules_file.read_text())
    assert "graphbuild.runtime.executor" in loaded
    assert [m for m in loaded if m.startswith(COMPILER_MODULES)] == []
