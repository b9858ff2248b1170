"""Issue 17.4, the memory guard: a load or a run that will not fit in what the process may
still allocate (MemAvailable, RLIMIT_AS, the cgroup limit, or --max-memory) is refused
before it allocates, with one message naming the bytes needed and available and exit 74;
the first load's peak is in profile-memory --predict."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
from test_cli import PACKAGE_PARENT, gb, gb_command

from graphbuild.errors import GraphbuildError
from graphbuild.runtime.memory import detect_limit, human, memory_limit, parse_size

GIB = 1 << 30


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


# Peak RSS is read from a child of a small launcher process: a child forked from pytest
# itself would count pytest's own pages in its ru_maxrss (Linux keeps the pre-exec peak).
LAUNCHER = r"""
import json, os, resource, subprocess, sys
limit, args = int(sys.argv[1]), sys.argv[2:]
def cap():
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=cap)
stderr = child.stderr.read().decode()
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), stderr, usage.ru_maxrss * 1024]))
"""


def run_measured(args: list[str], cache, cwd, address_space: int = 0) -> tuple[int, str, int]:
    """(exit code, stderr, peak RSS in bytes) of graphbuild, under RLIMIT_AS address_space
    if given."""
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, str(address_space), *gb_command(*args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    assert proc.returncode == 0, proc.stderr
    code, stderr, rss = json.loads(proc.stdout)
    return code, stderr, rss


def run_limited(args: list[str], cache, address_space: int, cwd) -> tuple[int, str, int]:
    return run_measured(args, cache, cwd, address_space)


def assert_refused(code: int, stderr: str, *words: str) -> None:
    assert code == 74, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error:") and "--engine spark" in lines[1], stderr
    assert "needs about" in lines[0] and "is available" in lines[0], stderr
    for w in words:
        assert w in stderr, stderr


def test_a_matrix_market_size_line_cannot_ask_for_2_31_nodes(tmp_path, cache):
    bomb = tmp_path / "bomb.mtx"
    bomb.write_text("%%MatrixMarket matrix coordinate pattern general\n"
                    "2147483647 2147483647 9223372036854775807\n1 2\n")
    assert bomb.stat().st_size <= 100
    code, stderr, rss = run_limited(["run", "algorithms/pagerank.gdsl", "-g", str(bomb)], cache, 2 * GIB,
                                    tmp_path)
    assert_refused(code, stderr, "bomb.mtx", "RLIMIT_AS")
    assert rss < 300 << 20   # the interpreter and graphbuild, nothing of the graph
    # the same file's node count alone (one entry) is past 2 GiB of offsets, counts and ids
    bomb.write_text("%%MatrixMarket matrix coordinate pattern general\n2147483647 2147483647 1\n1 2\n")
    code, stderr, _ = run_limited(["run", "algorithms/pagerank.gdsl", "-g", str(bomb)], cache, 2 * GIB,
                                  tmp_path)
    assert_refused(code, stderr, "bomb.mtx")


def test_a_generator_too_big_is_refused_before_it_generates(tmp_path, cache):
    code, stderr, rss = run_limited(["run", "algorithms/bfs.gdsl", "-g", "kron:30"], cache, 2 * GIB, tmp_path)
    assert_refused(code, stderr, "kron:30", "1,073,741,824 nodes")
    assert rss < 300 << 20
    # past the generator's range altogether: a usage error naming the range
    proc = gb("run", "algorithms/bfs.gdsl", "-g", "kron:40", cache=cache)
    assert proc.returncode == 2 and "SCALE must be 1..30" in proc.stderr


def test_a_generator_whose_graph_fits_but_whose_build_does_not(tmp_path, cache):
    # kron:20 keeps about 140 MiB but builds beside 256 MiB of edge arrays: the guard
    # refuses it before generating, with the first load's figure
    proc = gb("run", "algorithms/bfs.gdsl", "-g", "kron:20", "--no-cache", "--max-memory", "300M",
              cache=cache)
    assert_refused(proc.returncode, proc.stderr, "kron:20", "first load", "--max-memory 300.0 MiB")


def write_edges(path, count: int) -> None:
    with open(path, "w") as f:
        f.write("".join(f"{i} {(i * 7919) % count}\n" for i in range(count)))


def test_an_edge_list_is_stopped_as_its_arrays_grow(tmp_path, cache):
    edges = tmp_path / "grow.el"
    write_edges(edges, 1_500_000)   # 2^21 edges' arrays: 32 MiB, with the 8 MiB read buffer
    proc = gb("run", "algorithms/out_degree_centrality.gdsl", "-g", str(edges), "--no-cache",
              "--max-memory", "60M", cache=cache)
    assert_refused(proc.returncode, proc.stderr, "loading", "grow.el")
    # --max-memory higher lets the same load through, and the result is right
    proc = gb("run", "algorithms/out_degree_centrality.gdsl", "-g", str(edges), "--no-cache", "--json",
              "--max-memory", "4G", cache=cache)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["columns"]["node"]) == 1_500_000


def test_a_gzip_bomb_is_stopped_during_the_parse(tmp_path, cache):
    member = gzip.compress(b"1 2\n" * (16 << 20), 9)   # 64 MiB of edges in ~64 KiB
    bomb = tmp_path / "bomb.el.gz"
    bomb.write_bytes(member * 32)                      # 2 GiB of text in 2 MB
    assert bomb.stat().st_size < 3 << 20
    code, stderr, rss = run_limited(["run", "algorithms/pagerank.gdsl", "-g", str(bomb), "--no-cache"],
                                    cache, GIB, tmp_path)
    assert_refused(code, stderr, "bomb.el.gz")
    assert rss < GIB
    # and by --max-memory, without a ulimit
    proc = gb("run", "algorithms/pagerank.gdsl", "-g", str(bomb), "--no-cache", "--max-memory", "200M",
              cache=cache)
    assert_refused(proc.returncode, proc.stderr, "bomb.el.gz", "--max-memory 200.0 MiB")
    assert not list(cache.glob("graphs/*"))   # nothing half-stored in the graph cache


def test_max_memory_is_documented_and_checked(cache):
    proc = gb("run", "--help", cache=cache, env={"COLUMNS": "200"})
    assert proc.returncode == 0 and "--max-memory" in proc.stdout
    proc = gb("run", "algorithms/pagerank.gdsl", "--max-memory", "lots", cache=cache)
    assert proc.returncode == 2 and "--max-memory takes a size" in proc.stderr


def test_sizes_parse_in_powers_of_1024():
    assert parse_size("2G") == 2 * GIB and parse_size("512M") == 512 << 20
    assert parse_size("1.5GiB") == 3 * GIB // 2 and parse_size("100") == 100 and parse_size("4k") == 4096
    for bad in ("", "0", "-1G", "2X", "G"):
        with pytest.raises(GraphbuildError):
            parse_size(bad)


def test_max_memory_overrides_what_is_detected_higher_or_lower():
    detected = detect_limit()
    assert detected is not None and detected.available > 0
    assert memory_limit(1 << 50).available > detected.available
    low = memory_limit(1)
    assert low.available == 0 and "--max-memory" in low.source


def fake_system(tmp_path, meminfo_kb: int, cgroup: str, files: dict[str, str]):
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal: 99999999 kB\nMemAvailable: {meminfo_kb} kB\n")
    (proc / "self" / "status").write_text("VmSize: 1000 kB\nVmRSS: 500 kB\n")
    (proc / "self" / "cgroup").write_text(cgroup)
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return str(proc), str(root)


def test_the_least_of_meminfo_and_the_cgroups_is_the_limit(tmp_path):
    # cgroup v2: memory.max less memory.current of the process's group, ancestors too
    proc, root = fake_system(tmp_path / "v2", 8 << 20, "0::/jobs/one\n", {
        "jobs/one/memory.max": "max\n", "jobs/one/memory.current": "100\n",
        "jobs/memory.max": str(3 * GIB), "jobs/memory.current": str(GIB)})
    limit = detect_limit(proc, root)
    assert limit.available == 2 * GIB and "cgroup" in limit.source
    # cgroup v1, named group absent (a container sees its own group as the mount's root)
    proc, root = fake_system(tmp_path / "v1", 1 << 20, "4:memory:/elsewhere/x\n", {
        "memory/memory.limit_in_bytes": str(4 * GIB), "memory/memory.usage_in_bytes": str(GIB)})
    limit = detect_limit(proc, root)
    assert limit.available == GIB and "MemAvailable" in limit.source
    # an unlimited v1 group leaves MemAvailable
    proc, root = fake_system(tmp_path / "v1u", 1 << 20, "4:memory:/\n", {
        "memory/memory.limit_in_bytes": "9223372036854771712", "memory/memory.usage_in_bytes": "5"})
    assert detect_limit(proc, root).available == GIB


def test_predict_counts_the_first_load(cache):
    """kron:16's first load holds 16 bytes per edge of generator arrays beside the CSR it
    builds: more than the run on the cached graph, and what --predict now reports."""
    proc = gb("profile-memory", "algorithms/bfs.gdsl", "-g", "kron:16", "--predict", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    edges = 16 << 16
    assert r["load_peak_bytes"] > 16 * edges + r["graph_bytes"]
    run_part = r["predicted_rss_bytes"] - r["baseline_rss_bytes"] + r["results_bytes"]
    assert r["rss_peak_bytes"] == r["baseline_rss_bytes"] + max(r["load_peak_bytes"], run_part)
    assert r["rss_peak_bytes"] > r["predicted_rss_bytes"]
    # measured: `run` on the graph not yet cached peaks within 10% of the prediction
    code, stderr, measured = run_measured(["run", "algorithms/bfs.gdsl", "-g", "kron:16", "--no-cache"],
                                          cache, cache.parent)
    assert code == 0, stderr
    assert abs(r["rss_peak_bytes"] - measured) < 0.1 * measured, (r["rss_peak_bytes"], measured)


def guard_figure(stderr: str) -> str:
    """The "needs about X" of the guard's refusal."""
    return stderr.split("needs about ", 1)[1].split(" of memory", 1)[0]


@pytest.mark.parametrize("algorithm", ["pagerank", "bfs"])
def test_the_guard_checks_the_figure_predict_reports(cache, algorithm):
    """One computation (profile/model.need_bytes) for the guard of `run` and for --predict:
    a first load (the edge arrays and the CSR build first) and a graph in the graph cache."""
    program = f"algorithms/{algorithm}.gdsl"
    proc = gb("profile-memory", program, "-g", "kron:14", "--predict", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["first_load_need_bytes"] == r["first_load_rss_bytes"] - r["baseline_rss_bytes"]
    assert r["load_peak_bytes"] <= r["first_load_need_bytes"]
    assert r["cached_need_bytes"] < r["first_load_need_bytes"]
    proc = gb("run", program, "-g", "kron:14", "--max-memory", "1", cache=cache)
    assert_refused(proc.returncode, proc.stderr, "first load")
    assert guard_figure(proc.stderr) == human(r["first_load_need_bytes"]), (proc.stderr, r)
    # once the graph is in the graph cache, the guard counts the cached graph, as --predict does
    assert gb("run", program, "-g", "kron:14", cache=cache).returncode == 0
    proc = gb("run", program, "-g", "kron:14", "--max-memory", "1", cache=cache)
    assert_refused(proc.returncode, proc.stderr, "cached")
    assert guard_figure(proc.stderr) == human(r["cached_need_bytes"]), (proc.stderr, r)
