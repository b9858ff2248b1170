"""The executor's buffer pool: one block per run sized by the plan, reused by later runs and
trials, grown for a bigger graph, never aliasing two slots, never changing a result."""
from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from graphbuild.api import compile_file
from graphbuild.runtime import Executable, Graph
from graphbuild.runtime.pool import ALIGN, BufferPool, slot_layout

ALGORITHMS = Path(__file__).resolve().parents[1] / "algorithms"


def random_graph(n: int, m: int, seed: int) -> Graph:
    rng = random.Random(seed)
    return Graph.from_edges(n, [(rng.randrange(n), rng.randrange(n)) for _ in range(m)])


def executable(name: str) -> Executable:
    return Executable(compile_file(ALGORITHMS / f"{name}.gdsl").plan)


def test_the_slots_never_overlap_and_are_aligned():
    for n in (0, 1, 7, 1000):
        dtypes = ["bool", "float", "int", "bool", "node"]
        offsets, total = slot_layout(dtypes, n)
        ends = [off + max(n, 1) * (1 if d == "bool" else 8) for off, d in zip(offsets, dtypes)]
        assert all(off % ALIGN == 0 for off in offsets)
        assert all(end <= nxt for end, nxt in zip(ends, offsets[1:])) and ends[-1] <= total


def test_trials_and_runs_reuse_one_block():
    exe, g = executable("pagerank"), random_graph(300, 1500, 1)
    exe.run_trials(g, None, 3)
    address = exe.pool.address
    exe.run(g)
    exe.run(random_graph(200, 900, 2))  # a smaller graph fits too
    assert exe.pool.allocations == 1 and exe.pool.address == address
    assert address % ALIGN == 0
    assert exe.pool.capacity == slot_layout(exe.plan.slots, 300)[1]


def test_the_pool_grows_for_a_bigger_graph():
    exe = executable("bfs")
    exe.run(random_graph(100, 300, 3))
    small = exe.pool.capacity
    exe.run(random_graph(5000, 20000, 4))
    assert exe.pool.allocations == 2 and exe.pool.capacity > small


@pytest.mark.parametrize("name", ["pagerank", "bfs", "sssp", "hits", "connected_components", "k_core"])
def test_a_reused_block_gives_the_results_of_a_fresh_one(name):
    big, small = random_graph(3000, 12000, 5), random_graph(700, 2500, 6)
    used = executable(name)
    used.run(big)  # leaves the block full of another run's values
    again = used.run(small)
    assert used.pool.allocations == 1
    fresh = executable(name).run(small)
    assert again.columns == fresh.columns and again.values == fresh.values


def test_a_second_thread_borrows_a_private_pool():
    pool = BufferPool()
    with pool.borrow() as first:
        seen = []
        t = threading.Thread(target=lambda: seen.append(pool.borrow().__enter__() is pool))
        t.start()
        t.join()
        assert first is pool and seen == [False]
    with pool.borrow() as again:
        assert again is pool


def test_concurrent_runs_of_one_executable_agree():
    exe, g = executable("pagerank"), random_graph(2000, 9000, 7)
    expected = exe.run(g).columns
    results = []
    threads = [threading.Thread(target=lambda: results.append(exe.run(g).columns)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_release_frees_the_block():
    exe = executable("pagerank")
    first = exe.run(random_graph(50, 200, 8)).columns
    exe.pool.release()
    assert exe.pool.capacity == 0
    assert exe.run(random_graph(50, 200, 8)).columns == first and exe.pool.allocations == 2
