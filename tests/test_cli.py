"""The real commands, run as a user runs them: output, exit codes, and no tracebacks."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

import graphbuild

ROOT = pathlib.Path(__file__).resolve().parents[1]
ALGORITHMS = ROOT / "algorithms"


# The subprocess imports the same graphbuild as this test process (the installed package under
# `make test`, the source tree when working in it), never a shadowing copy from its cwd.
PACKAGE_PARENT = str(pathlib.Path(graphbuild.__file__).resolve().parents[1])


def gb_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphbuild",
            *(str(ROOT / a) if a.startswith("algorithms/") else a for a in args)]


def gb(*args: str, cache: pathlib.Path, env: dict | None = None, timeout: float = 120):
    full_env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT, **(env or {})}
    workdir = cache.parent / "cwd"
    workdir.mkdir(exist_ok=True)
    return subprocess.run(gb_command(*args), capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=workdir)


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def assert_clean_failure(proc, code: int, *words: str):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr


def test_version_and_help(cache):
    proc = gb("--version", cache=cache)
    assert proc.returncode == 0 and proc.stdout.startswith("graphbuild ")
    for command in (["run"], ["compile"], ["profile-memory"], ["cache", "info"]):
        proc = gb(*command, "--help", cache=cache)
        assert proc.returncode == 0 and "Example" in proc.stdout, command


def test_first_run_shows_top_pagerank_of_the_bundled_graph(cache):
    proc = gb("run", "algorithms/pagerank.gdsl", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "rank" in proc.stdout
    # Karate club: node 33 then node 0 have the highest PageRank.  Not a terminal: plain text,
    # a header line then one line per row.
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["node", "rank"]
    assert [line.split()[0] for line in lines[1:3]] == ["33", "0"]


def test_run_json_columns_and_values(cache, tmp_path):
    edges = tmp_path / "g.txt"
    edges.write_text("a b\nb c\nc a\nc d\n")
    proc = gb("run", "algorithms/bfs.gdsl", "--graph", str(edges), "--param", "source=b", "--json",
              cache=cache)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["columns"]["node"] == ["a", "b", "c", "d"]
    assert obj["columns"]["level"] == [2, 0, 1, 2]


def test_second_run_is_a_cache_hit(cache):
    first = gb("compile", "algorithms/pagerank.gdsl", "--json", cache=cache)
    second = gb("compile", "algorithms/pagerank.gdsl", "--json", cache=cache)
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["key"] == b["key"] and not a["cache_hit"] and b["cache_hit"]


def test_output_files(cache, tmp_path):
    for suffix in (".csv", ".tsv", ".json", ".jsonl"):
        target = tmp_path / f"out{suffix}"
        proc = gb("run", "algorithms/connected_components.gdsl", "--output", str(target), cache=cache)
        assert proc.returncode == 0, proc.stderr
        text = target.read_text()
        if suffix == ".json":
            assert len(json.loads(text)["columns"]["node"]) == 34
        elif suffix == ".jsonl":
            assert len(text.splitlines()) == 34 and json.loads(text.splitlines()[0])["node"] == 0
        else:
            assert len(text.splitlines()) == 35


def test_program_error_is_65_with_location_and_caret(cache, tmp_path):
    bad = tmp_path / "bad.gdsl"
    bad.write_text("algorithm a():\n    x = 1 + true\n    return x\n")
    proc = gb("run", str(bad), cache=cache)
    assert_clean_failure(proc, 65, f"{bad}:2:", "error:", "^")


def test_missing_program_is_66(cache):
    assert_clean_failure(gb("run", "nope.gdsl", cache=cache), 66, "nope.gdsl")


def test_missing_graph_is_66(cache):
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "--graph", "missing.el", cache=cache), 66,
                         "missing.el")


def test_malformed_graph_is_65_with_line(cache, tmp_path):
    edges = tmp_path / "broken.el"
    edges.write_text("0 1\n1 2 3 4\n")
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "--graph", str(edges), cache=cache), 65,
                         f"{edges}:2:")


def test_bad_parameter_is_a_usage_error(cache):
    pagerank = "algorithms/pagerank.gdsl"
    assert_clean_failure(gb("run", pagerank, "-p", "damping=high", cache=cache), 2, "damping")
    assert_clean_failure(gb("run", pagerank, "-p", "nonsense=1", cache=cache), 2, "nonsense")
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "-p", "source=999", cache=cache), 2, "999")
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "-p", "source", cache=cache), 2, "NAME=VALUE")


def test_runtime_error_is_70_and_names_the_line(cache, tmp_path):
    prog = tmp_path / "div.gdsl"
    prog.write_text("algorithm d(k: int = 0):\n    x = fill(7) // k\n    return x\n")
    assert_clean_failure(gb("run", str(prog), cache=cache), 70, f"{prog}:2:", "division by zero")


def test_iteration_limit_is_70(cache, tmp_path):
    prog = tmp_path / "spin.gdsl"
    prog.write_text("algorithm s():\n    x = 0\n    while true:\n        x = x + 1\n    return x\n")
    assert_clean_failure(gb("run", str(prog), "--max-iterations", "1000", cache=cache), 70, "1000")


def test_corrupt_cache_entry_is_rebuilt_with_a_warning(cache):
    first = json.loads(gb("compile", "algorithms/pagerank.gdsl", "--json", cache=cache).stdout)
    entry = cache / f"{first['key']}.gbplan"
    entry.write_bytes(entry.read_bytes()[:100])
    proc = gb("run", "algorithms/pagerank.gdsl", cache=cache)
    assert proc.returncode == 0 and "warning" in proc.stderr and "Traceback" not in proc.stderr


def test_plan_file_runs_without_the_source(cache, tmp_path):
    plan = tmp_path / "cc.json"
    assert gb("compile", "algorithms/connected_components.gdsl", "-o", str(plan), cache=cache).returncode == 0
    proc = gb("run", str(plan), "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert len(set(json.loads(proc.stdout)["columns"]["comp"])) == 1


def test_emit_stages(cache):
    for stage in ("ast", "ir", "opt", "plan"):
        proc = gb("compile", "algorithms/pagerank.gdsl", "--emit", stage, cache=cache)
        assert proc.returncode == 0 and proc.stdout.strip(), (stage, proc.stderr)


def test_profile_memory_json(cache):
    proc = gb("profile-memory", "algorithms/pagerank.gdsl", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    for key in ("peak_bytes", "minimum_bytes", "naive_bytes", "graph_bytes", "rss_peak_bytes"):
        assert report[key] > 0
    assert report["peak_bytes"] == sum(b["bytes"] for b in report["buffers"])


def test_cache_info_and_clear(cache):
    gb("compile", "algorithms/bfs.gdsl", cache=cache)
    info = gb("cache", "info", cache=cache)
    assert "entries   1" in info.stdout
    assert gb("cache", "clear", cache=cache).returncode == 0
    assert "entries   0" in gb("cache", "info", cache=cache).stdout


def test_ctrl_c_stops_a_long_run_with_130(cache, tmp_path):
    import signal
    import time

    prog = tmp_path / "forever.gdsl"
    prog.write_text("algorithm f():\n    x = fill(0)\n    while true:\n        x = x + 1\n    return x\n")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    proc = subprocess.Popen(gb_command("run", str(prog), "--max-iterations", str(10**15)), cwd=workdir,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)  # compiled and deep inside the C loop by now
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr


def test_unwritable_output_is_74(cache, tmp_path):
    target = tmp_path / "no-such-dir" / "out.csv"
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "--output", str(target), cache=cache), 74,
                         "cannot write")


def test_graph_that_is_a_directory_is_74(cache, tmp_path):
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "--graph", str(tmp_path), cache=cache), 74,
                         str(tmp_path))


def test_unknown_output_format_is_a_usage_error(cache, tmp_path):
    assert_clean_failure(gb("run", "algorithms/bfs.gdsl", "--output", str(tmp_path / "x.xlsx"), cache=cache),
                         2, ".csv")


@pytest.mark.parametrize("algorithm", sorted(p.name for p in ALGORITHMS.glob("*.gdsl")))
def test_every_shipped_algorithm_runs_on_a_user_edge_list(cache, algorithm):
    proc = gb("run", f"algorithms/{algorithm}", "--graph", str(ROOT / "graphbuild/data/karate.el"),
              "--undirected", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert len(obj["columns"]["node"]) == 34 and len(obj["columns"]) >= 2


def test_a_repeat_loop_stopped_by_its_count_says_so(cache):
    """Issue 16.3: `-p max_iter=2` no longer passes silently: a warning on stderr naming the
    loop's line, and `converged: false` with the pass count under "loops" in --json."""
    cut = gb("run", str(ALGORITHMS / "pagerank.gdsl"), "-p", "max_iter=2", "--json", cache=cache)
    assert cut.returncode == 0, cut.stderr
    (loop,) = json.loads(cut.stdout)["loops"]
    assert loop["kind"] == "repeat_until" and loop["passes"] == 2 and loop["converged"] is False
    lines = (ALGORITHMS / "pagerank.gdsl").read_text().splitlines()
    assert lines[loop["line"] - 1].lstrip().startswith("repeat max_iter until")
    assert f"warning: line {loop['line']}: the repeat loop stopped after 2 passes" in cut.stderr
    full = gb("run", str(ALGORITHMS / "pagerank.gdsl"), "--json", cache=cache)
    (loop,) = json.loads(full.stdout)["loops"]
    assert loop["converged"] is True and loop["passes"] > 2 and "warning" not in full.stderr
