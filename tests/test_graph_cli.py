"""`graphbuild graph info|convert`, the loading options of run and profile-memory, the graph
cache seen from the command line, and the progress bar (only on a terminal, never with
--json): the real commands, run as a user runs them."""
from __future__ import annotations

import io
import json
import os
import pathlib
import pty
import random
import subprocess
import sys
import threading
import time

from rich.console import Console

from graphbuild.cli import graph_cmd
import graphbuild
from graphbuild.cli.graph_cmd import LoadProgress

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Subprocesses import the same graphbuild as this process (the installed package under `make
# test`), never the source tree that their cwd would otherwise put first on sys.path.
SAME_PACKAGE = {"PYTHONSAFEPATH": "1",
                "PYTHONPATH": str(pathlib.Path(graphbuild.__file__).resolve().parents[1])}


def gb(*args: str, cache: pathlib.Path, **kwargs):
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), **SAME_PACKAGE}
    return subprocess.run([sys.executable, "-m", "graphbuild", *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=ROOT, **kwargs)


def big_edge_list(path: pathlib.Path, lines: int = 120_000) -> pathlib.Path:
    """Over 1 MiB, so the graph cache keeps it; a few self-loops and repeats on purpose."""
    rng = random.Random(5)
    rows = [f"{rng.randrange(3000)} {rng.randrange(3000)}" for _ in range(lines)]
    rows += ["7 7", "7 7", rows[0]]
    path.write_text("source target\n" + "\n".join(rows) + "\n")
    return path


def test_info_reports_the_graph_and_the_cache(tmp_path):
    cache = tmp_path / "cache"
    path = big_edge_list(tmp_path / "big.el")
    first = gb("graph", "info", str(path), "--json", cache=cache)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["edges"] == report["input_edges"] == 120_003 and report["directed"]
    assert report["self_loops"] >= 2 and report["duplicates"] >= 2 and report["header_line"] == 1
    assert report["cached"] == "stored" and report["format"] == "edgelist"
    assert set(report["degree"]) == {"out", "in"} and report["degree"]["out"]["max"] >= 40
    second = gb("graph", "info", str(path), cache=cache)
    assert second.returncode == 0, second.stderr
    for text in ("nodes", "3,000", "edges", "120,003 (directed)", "self-loops", "duplicate edges",
                 "header line", "line 1 skipped", "in-degree", "cached", "yes (read from the graph cache)"):
        assert text in second.stdout, second.stdout
    assert list((cache / "graphs").glob("*.gbgraph"))
    dropped = json.loads(gb("graph", "info", str(path), "--json", "--dedupe", "--no-self-loops",
                            "--undirected", cache=cache).stdout)
    assert dropped["edges"] == 120_003 - dropped["self_loops_dropped"] - dropped["duplicates_dropped"]
    assert not dropped["directed"] and dropped["cached"] == "stored"


def test_convert_round_trips(tmp_path):
    cache = tmp_path / "cache"
    src = tmp_path / "w.csv"
    src.write_text("from,to,weight\n1,2,0.25\n2,3,1e-3\n3,1,7\n3,3,2\n")
    info = json.loads(gb("graph", "info", str(src), "--json", cache=cache).stdout)
    for target in ("out.mtx.gz", "out.wel", "out.el.gz", "out.tsv"):
        proc = gb("graph", "convert", str(src), str(tmp_path / target), cache=cache)
        assert proc.returncode == 0, proc.stderr
        assert f"wrote {tmp_path / target} (3 nodes, 4 directed edges)" in proc.stderr
        back = json.loads(gb("graph", "info", str(tmp_path / target), "--json", cache=cache).stdout)
        for key in ("nodes", "edges", "directed", "weighted", "self_loops", "degree"):
            assert back[key] == info[key], (target, key)
    proc = gb("graph", "convert", "kron:8", str(tmp_path / "k.mtx"), "--dedupe", "--no-self-loops",
              cache=cache)
    # ids 0..n-1 become 1..n
    assert proc.returncode == 0 and "the node ids of kron:8 are not kept" in proc.stderr
    symmetric = json.loads(gb("graph", "info", str(tmp_path / "k.mtx"), "--json", cache=cache).stdout)
    assert not symmetric["directed"] and symmetric["self_loops"] == 0 and symmetric["nodes"] == 256
    names = tmp_path / "names.el"
    names.write_text("alice bob\n")
    proc = gb("graph", "convert", str(names), str(tmp_path / "n.mtx"), cache=cache)
    assert proc.returncode == 0 and "node ids of" in proc.stderr and "are not kept" in proc.stderr
    bad = gb("graph", "convert", str(names), str(tmp_path / "n.parquet"), cache=cache)
    assert bad.returncode == 2 and "cannot tell the output format" in bad.stderr
    unwritable = gb("graph", "convert", str(names), str(tmp_path / "no" / "dir.el"), cache=cache)
    assert unwritable.returncode == 74 and "cannot write" in unwritable.stderr


def test_run_and_profile_take_the_loading_options(tmp_path):
    cache = tmp_path / "cache"
    path = tmp_path / "d.el"
    path.write_text("0 1\n1 1\n0 1\n3 0\n")
    proc = gb("run", "algorithms/degree_centrality.gdsl", "-g", str(path), "--ids", "dense", "--dedupe",
              "--no-self-loops", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["columns"]["node"] == [0, 1, 2, 3]
    assert obj["graph"]["edges"] == 2 and obj["timings"]["graph_cache"] is None
    proc = gb("run", "algorithms/connected_components.gdsl", "-g", "kron:10:4", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["timings"]["graph_cache"] == "stored"
    proc = gb("run", "algorithms/connected_components.gdsl", "-g", "kron:10:4", cache=cache)
    assert proc.returncode == 0 and "(graph cache hit)" in proc.stderr
    proc = gb("profile-memory", "algorithms/pagerank.gdsl", "-g", str(path), "--undirected", "--dedupe",
              "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["edges"] == 3
    for command in (["graph", "info"], ["graph", "convert"], ["run"], ["profile-memory"]):
        helped = gb(*command, "--help", cache=cache)
        assert helped.returncode == 0 and "Example" in helped.stdout and "--dedupe" in helped.stdout


def test_negative_weights_load_as_given_and_a_negative_cycle_ends(tmp_path):
    path = tmp_path / "neg.wel"
    path.write_text("0 1 1\n1 2 -3\n2 0 1\n")
    info = json.loads(gb("graph", "info", str(path), "--json", cache=tmp_path / "c").stdout)
    assert info["weighted"] and info["edges"] == 3
    proc = gb("run", "algorithms/sssp.gdsl", "-g", str(path), "--max-iterations", "40", cache=tmp_path / "c")
    assert proc.returncode == 70 and "while loop exceeded 40 iterations" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---- progress --------------------------------------------------------------------------

def test_progress_bar_waits_for_its_delay(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(graph_cmd, "err", Console(file=stream, force_terminal=True, width=100))
    now = [0.0]
    bar = LoadProgress("loading big.el", enabled=True, delay=1.0, clock=lambda: now[0])
    bar(1000, 10_000, 50)
    assert bar.bar is None and stream.getvalue() == ""
    now[0] = 1.5
    bar(5000, 10_000, 250)
    assert bar.bar is not None
    bar.close()
    assert "loading big.el" in stream.getvalue()
    quiet = LoadProgress("loading", enabled=False, delay=0.0)
    quiet(1, 2, 3)
    assert quiet.bar is None


def slow_pipe_run(args: list[str], cache: pathlib.Path, terminal: bool) -> str:
    """Runs graphbuild on a pipe fed in two halves 1.5 s apart (a load over a second) with
    stderr on a pseudo-terminal or a pipe; returns what stderr received."""
    read_end, write_end = os.pipe()
    text = "".join(f"{i} {i * 7 % 5000}\n" for i in range(100_000)).encode()

    def feed():
        with os.fdopen(write_end, "wb") as f:
            f.write(text[: len(text) // 2])
            f.flush()
            time.sleep(1.5)
            f.write(text[len(text) // 2:])

    master, slave = pty.openpty() if terminal else os.pipe()
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "TERM": "xterm", "COLUMNS": "120",
           **SAME_PACKAGE}
    command = [sys.executable, "-m", "graphbuild", "graph", "info", f"/dev/fd/{read_end}", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT,
                            pass_fds=(read_end,))
    os.close(slave)
    os.close(read_end)
    writer = threading.Thread(target=feed)
    writer.start()
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:   # the pty's other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    out, _ = proc.communicate(timeout=60)
    writer.join()
    os.close(master)
    assert proc.returncode == 0, b"".join(chunks)
    return b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal_and_never_with_json(tmp_path):
    shown = slow_pipe_run([], tmp_path / "c", terminal=True)
    assert "loading /dev/fd/" in shown and "edges" in shown
    assert "loading" not in slow_pipe_run(["--json"], tmp_path / "c", terminal=True)
    assert slow_pipe_run([], tmp_path / "c", terminal=False) == ""
