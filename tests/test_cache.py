"""The plan cache: keys, entry format, corruption recovery, read-only and concurrent use."""
from __future__ import annotations

import math
import multiprocessing

import pytest

from graphbuild.cache import PlanCache, cache_key, decode_entry, encode_entry, key_components
from graphbuild.plan.model import Instr, Kernel, Output, Param, Plan, SourceLoc

SOURCE = "algorithm a(x: float = 1.0):\n    y = x * 2.0\n    return y\n"


def small_plan(name: str = "a") -> Plan:
    return Plan(
        algorithm=name, source_path="a.gdsl",
        params=[Param("x", "float", 1.0, 0)], registers=["float", "float"], slots=["float"],
        code=[Instr("const", [1, math.inf], 0), Instr("kernel", [0], 0)],
        kernels=[Kernel("node", [Instr("bcast", [0, 0], 0), Instr("store", [0, 0], 0)], 1)],
        locations=[SourceLoc(2, 5)], outputs=[Output("y", "vector", "float", 0)],
    )


def test_key_is_stable_and_sensitive_to_every_component():
    base = cache_key(SOURCE, "a", 1)
    assert base == cache_key(SOURCE, "a", 1)
    assert len(base) == 64
    assert cache_key(SOURCE + " ", "a", 1) != base       # any edit, whitespace included, is a new key
    assert cache_key(SOURCE, "b", 1) != base
    assert cache_key(SOURCE, None, 1) != base
    assert cache_key(SOURCE, "a", 0) != base
    names = [name for name, _ in key_components(SOURCE, "a", 1)]
    assert names == ["source", "algorithm", "graphbuild_version", "compiler_sources", "plan_format",
                     "opt_level"]


def test_key_components_are_length_prefixed():
    # "ab" + "c" must not collide with "a" + "bc" across the algorithm / source boundary.
    assert cache_key("x", "ab", 1) != cache_key("xa", "b", 1)


def test_entry_round_trip_keeps_the_plan():
    plan = small_plan()
    back = decode_entry(encode_entry(plan))
    assert back.to_json() == plan.to_json()
    assert math.isinf(back.code[0].args[1])


def test_every_truncation_and_every_flipped_byte_is_detected():
    data = encode_entry(small_plan())
    for cut in range(len(data)):
        with pytest.raises(ValueError):
            decode_entry(data[:cut])
    for i in range(0, len(data), 7):
        bad = bytearray(data)
        bad[i] ^= 0x41
        with pytest.raises(ValueError):
            decode_entry(bytes(bad))


def test_corrupt_entry_is_a_miss_with_one_warning_and_is_removed(tmp_path):
    cache = PlanCache(tmp_path)
    key = cache_key(SOURCE, "a", 1)
    assert cache.put(key, small_plan())
    path = tmp_path / f"{key}.gbplan"
    path.write_bytes(path.read_bytes()[:-5])
    assert cache.get(key) is None
    assert len(cache.warnings) == 1 and "truncated" in cache.warnings[0]
    assert not path.exists()
    assert cache.put(key, small_plan())
    assert cache.get(key) is not None


@pytest.mark.parametrize("mutate, words", [
    (lambda d: b"NOTAPLAN" + d[8:], "bad magic"),
    (lambda d: d[:8] + (99).to_bytes(4, "little") + d[12:], "entry format 99"),
    (lambda d: d + b"x", "trailing bytes"),
])
def test_each_kind_of_damage_is_named(tmp_path, mutate, words):
    cache = PlanCache(tmp_path)
    key = "k" * 64
    cache.put(key, small_plan())
    path = tmp_path / f"{key}.gbplan"
    path.write_bytes(mutate(path.read_bytes()))
    assert cache.get(key) is None
    assert words in cache.warnings[0]


def test_unwritable_cache_location_warns_instead_of_failing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = PlanCache(blocker / "plans")
    assert not cache.put("a" * 64, small_plan())
    assert cache.get("a" * 64) is None
    assert "not writable" in cache.warnings[0]


def _writer(directory: str, key: str, barrier, results) -> None:
    barrier.wait()  # all sixteen rename into place at the same moment
    results.put(PlanCache(directory).put(key, small_plan()))


def test_sixteen_concurrent_writers_leave_one_valid_entry(tmp_path):
    key = cache_key(SOURCE, "a", 1)
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(16), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), key, barrier, results)) for _ in range(16)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join()
    assert outcomes == [True] * 16
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{key}.gbplan"]
    assert PlanCache(tmp_path).get(key) is not None


def test_list_and_clear(tmp_path):
    cache = PlanCache(tmp_path)
    cache.put("a" * 64, small_plan("first"))
    cache.put("b" * 64, small_plan("second"))
    assert sorted(e.algorithm for e in cache.entries()) == ["first", "second"]
    assert cache.total_bytes() > 0
    assert cache.clear() == 2
    assert cache.entries() == []
