"""Issue 17, item 5: Ctrl-C works everywhere.

A load, a generator, the graph cache's hash and store, and the run each stop on SIGINT with
exit 130 and "interrupted", never "Exception ignored from cffi callback", and leave no
partial file behind.  Each command has a generous timeout: a hang fails the test; the time
from the signal to the exit is printed (bench-like, not asserted)."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import threading
import time

import pytest

from graphbuild.runtime.graph import LoadOptions
from graphbuild.runtime.graph_cache import GraphCache

from test_cli import ALGORITHMS, PACKAGE_PARENT, gb_command

PAGERANK = str(ALGORITHMS / "pagerank.gdsl")


def start(args: list[str], cache: pathlib.Path, cwd: pathlib.Path) -> subprocess.Popen:
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    return subprocess.Popen(gb_command(*args), cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_until_started(proc: subprocess.Popen) -> None:
    """Until graphbuild's C library is loaded: the command line is up and its Ctrl-C handling
    in place.  A signal before that lands in Python's own start-up (site, the package's
    imports), which ends the way Python ends any program interrupted there."""
    maps = pathlib.Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if "_native" in maps.read_text():
                return
        except OSError:
            pass
        time.sleep(0.01)


def interrupt(proc: subprocess.Popen) -> tuple[str, float]:
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    latency = time.monotonic() - sent
    print(f"SIGINT to exit: {latency:.2f} s")
    return stderr, latency


def assert_clean_interrupt(proc: subprocess.Popen, stderr: str) -> None:
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr, stderr
    assert "Exception ignored" not in stderr and "Traceback" not in stderr, stderr


def leftovers(cache: pathlib.Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob(".tmp-*"))


def test_ctrl_c_during_a_load_from_an_endless_pipe(tmp_path):
    """The pipe never ends: only the interrupt can stop the load."""
    fifo = tmp_path / "edges.el"
    os.mkfifo(fifo)
    written = [0]
    stop = threading.Event()

    def feed() -> None:
        block = "".join(f"{i} {(i * 7919) % 100003}\n" for i in range(50_000)).encode()
        try:
            with open(fifo, "wb") as f:
                while not stop.is_set():
                    f.write(block)
                    written[0] += len(block)
        except (BrokenPipeError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    proc = start(["run", PAGERANK, "-g", str(fifo)], tmp_path / "cache", tmp_path)
    deadline = time.monotonic() + 120
    while written[0] < (40 << 20) and time.monotonic() < deadline:   # several 8 MiB chunks in
        time.sleep(0.05)
    assert proc.poll() is None and written[0] >= (40 << 20)
    stderr, _ = interrupt(proc)
    stop.set()
    assert_clean_interrupt(proc, stderr)
    assert leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("delay", [0.0, 0.3, 1.0, 2.0, 4.0])
def test_ctrl_c_at_any_moment_of_generate_build_store_and_run(tmp_path, delay):
    """Generating and building kron:19, storing it in the graph cache, running PageRank: a
    signal at any of these moments ends in 130, or the run had finished; never a partial
    cache entry."""
    cache = tmp_path / "cache"
    proc = start(["run", PAGERANK, "-g", "kron:19", "-p", "tol=0", "-p", "max_iter=200", "--top", "0"],
                 cache, tmp_path)
    wait_until_started(proc)
    time.sleep(delay)
    if proc.poll() is None:
        stderr, _ = interrupt(proc)
        assert_clean_interrupt(proc, stderr)
    else:
        assert proc.returncode == 0
    assert leftovers(cache) == []
    graphs = GraphCache(cache / "graphs", min_bytes=0)
    for entry in graphs.refs():   # whatever was stored is whole and verifies
        key = entry.name.removesuffix(".gbref")
        got = graphs.get(key)
        assert got is not None and got.node_count == 1 << 19, graphs.warnings


def test_ctrl_c_while_a_big_file_is_hashed_loaded_and_stored(tmp_path):
    big = tmp_path / "big.el"
    with open(big, "w") as f:
        for start_at in range(0, 6_000_000, 200_000):
            f.write("".join(f"{i} {(i * 7919) % 1_000_003}\n" for i in range(start_at, start_at + 200_000)))
    cache = tmp_path / "cache"
    latencies = []
    for delay in (0.3, 1.0, 2.0):
        proc = start(["graph", "info", str(big)], cache, tmp_path)
        wait_until_started(proc)
        time.sleep(delay)
        if proc.poll() is not None:
            assert proc.returncode == 0
            continue
        stderr, latency = interrupt(proc)
        latencies.append(latency)
        assert_clean_interrupt(proc, stderr)
        assert leftovers(cache) == []
    assert latencies, "every command finished before the signal"
    # what the cache holds afterwards, if anything, is a whole entry
    graphs = GraphCache(cache / "graphs", min_bytes=0)
    key = graphs.file_key(str(big), LoadOptions())
    got = graphs.get(key) if key else None
    assert got is None or got.edge_count == 6_000_000


def test_call_interruptibly_waits_for_the_call_then_raises(tmp_path):
    """Ctrl-C on the main thread raises the flag; the call still runs to its end (C is using
    the caller's buffers), what it made is handed to on_interrupt, then KeyboardInterrupt."""
    import _thread

    from graphbuild.runtime.interrupt import Interrupt, call_interruptibly

    stop, seen, freed = Interrupt(), [], []

    def call() -> str:
        while not stop.raised:   # what C does: poll the flag
            time.sleep(0.01)
        seen.append("stopped")
        return "made"

    threading.Timer(0.2, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt):
        call_interruptibly(call, stop, on_interrupt=freed.append)
    assert seen == ["stopped"] and freed == ["made"] and stop.raised
    # no signal: the value comes back, and an exception from the call is raised as itself
    assert call_interruptibly(lambda: 7, Interrupt()) == 7
    with pytest.raises(ZeroDivisionError):
        call_interruptibly(lambda: 1 // 0, Interrupt())
