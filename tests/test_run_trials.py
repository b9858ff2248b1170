"""`graphbuild run --trials K` and parallel runs from the command line: the GAPBS-style timing
block, the timings in --json, and Ctrl-C stopping a multi-threaded run."""
from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import time

import pytest
from test_cli import PACKAGE_PARENT, gb, gb_command

LINE = re.compile(r"^(?P<label>[A-Za-z ]+):\s+(?P<seconds>\d+\.\d{5})$")


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def _timing_lines(stderr: str) -> list[tuple[str, float]]:
    lines = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        if match:
            assert line.index(match["seconds"]) == 21, line  # fixed width: values line up
            lines.append((match["label"], float(match["seconds"])))
    return lines


def test_trials_print_a_gapbs_block(cache):
    proc = gb("run", "algorithms/pagerank.gdsl", "--trials", "3", "--top", "1", cache=cache)
    assert proc.returncode == 0, proc.stderr
    lines = _timing_lines(proc.stderr)
    labels = [label for label, _ in lines]
    assert labels == ["Load Time", "Compile Time", "Plan Build Time", "Trial Time", "Trial Time",
                      "Trial Time", "Min Trial Time", "Median Trial Time"]
    trials = [s for label, s in lines if label == "Trial Time"]
    assert dict(lines)["Min Trial Time"] == min(trials)
    assert dict(lines)["Median Trial Time"] == statistics.median(trials)
    assert "33" in proc.stdout  # the results are still shown
    again = gb("run", "algorithms/pagerank.gdsl", "--trials", "1", cache=cache)
    assert [label for label, _ in _timing_lines(again.stderr)][1] == "Cache Hit Time"


def test_trials_in_json(cache):
    proc = gb("run", "algorithms/bfs.gdsl", "--trials", "4", "--threads", "2", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    timings = doc["timings"]
    assert len(timings["trials_ms"]) == 4 and timings["threads"] == 2
    assert timings["trial_min_ms"] == min(timings["trials_ms"])
    assert timings["trial_median_ms"] == round(statistics.median(timings["trials_ms"]), 3)
    assert timings["plan_build_ms"] >= 0 and "load_ms" in timings and "compile_ms" in timings
    assert doc["columns"]["level"][0] == 0
    plain = json.loads(gb("run", "algorithms/bfs.gdsl", "--json", cache=cache).stdout)["timings"]
    assert "trials_ms" not in plain


def test_zero_trials_is_a_usage_error(cache):
    proc = gb("run", "algorithms/bfs.gdsl", "--trials", "0", cache=cache)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_ctrl_c_stops_a_parallel_run(cache, tmp_path):
    """PageRank that never converges (tol=0) on a generated graph large enough that every kernel
    is split across two threads; SIGINT ends it with 130 (the
    timeout only guards against a hang: speed is not asserted in tests)."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    proc = subprocess.Popen(gb_command("run", "algorithms/pagerank.gdsl", "--graph", "kron:15",
                                       "--threads", "2", "-p", "tol=0.0", "-p", "max_iter=1000000000"),
                            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)  # compiled, generated and deep inside the C loop by now
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
