"""The store's limits and upkeep: LRU eviction, prune, stats, verify, and the size setting."""
from __future__ import annotations

import json
import multiprocessing
import os
import stat
import time

import pytest

import graphbuild.cache.store as store
from graphbuild.cache import PlanCache
from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.settings import DEFAULT_CACHE_MAX_SIZE, load_settings, parse_duration, parse_size

from test_cache import small_plan

KEYS = [c * 64 for c in "abcdef"]


def fill(cache: PlanCache, keys: list[str], start: float = 1_000_000.0) -> int:
    """Store one entry per key, each one second more recently used than the last; entry size."""
    for i, key in enumerate(keys):
        assert cache.put(key, small_plan(f"alg{i}"))
        os.utime(cache.path_of(key), (start + i, start + i))
    return cache.path_of(keys[0]).stat().st_size


def present(cache: PlanCache) -> list[str]:
    return sorted(e.key for e in cache.entries())


# ---- LRU eviction -------------------------------------------------------------------------

def test_writes_evict_least_recently_used_first_and_hits_count_as_use(tmp_path):
    cache = PlanCache(tmp_path, max_size=None)
    size = fill(cache, KEYS[:4])                   # a, b, c, d: a is the oldest
    assert cache.get(KEYS[0]) is not None         # a hit makes a the newest
    limited = PlanCache(tmp_path, max_size=3 * size)
    assert limited.put(KEYS[4], small_plan())      # five entries, room for three: b and c go
    assert present(limited) == sorted([KEYS[0], KEYS[3], KEYS[4]])
    assert limited.total_bytes() <= 3 * size


def test_the_entry_just_written_stays_even_above_the_limit(tmp_path):
    cache = PlanCache(tmp_path, max_size=10)
    fill(PlanCache(tmp_path, max_size=None), KEYS[:2])
    assert cache.put(KEYS[2], small_plan())
    assert present(cache) == [KEYS[2]]


def test_eviction_order_ties_break_by_key(tmp_path):
    cache = PlanCache(tmp_path, max_size=None)
    size = fill(cache, KEYS[:3])
    for key in KEYS[:3]:
        os.utime(cache.path_of(key), (5.0, 5.0))
    assert cache.prune(max_size=size).removed == 2
    assert present(cache) == [KEYS[2]]


def test_default_limit_is_one_gib(tmp_path):
    assert PlanCache(tmp_path).max_size == DEFAULT_CACHE_MAX_SIZE == 1 << 30


# ---- prune and clear ----------------------------------------------------------------------

def test_prune_older_than_then_max_size(tmp_path):
    cache = PlanCache(tmp_path, max_size=None)
    size = fill(cache, KEYS[:5], start=1000.0)     # last used at 1000 .. 1004
    result = cache.prune(older_than=2.5, now=1004.0)
    assert present(cache) == KEYS[2:5] and result.removed == 2 and result.freed == 2 * size
    result = cache.prune(max_size=size, older_than=100.0, now=1004.0)
    assert present(cache) == [KEYS[4]] and result.removed == 2


def test_prune_without_options_trims_to_the_cache_limit(tmp_path):
    size = fill(PlanCache(tmp_path, max_size=None), KEYS[:4])
    assert PlanCache(tmp_path, max_size=None).prune().removed == 0
    result = PlanCache(tmp_path, max_size=2 * size).prune()
    assert result.removed == 2 and present(PlanCache(tmp_path)) == KEYS[2:4]


def test_stale_temporary_files_go_but_fresh_ones_stay(tmp_path):
    cache = PlanCache(tmp_path)
    fill(cache, KEYS[:1])
    stale, fresh = tmp_path / ".tmp-dead.gbplan", tmp_path / ".tmp-live.gbplan"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - store.STALE_TEMP_SECONDS - 10
    os.utime(stale, (old, old))
    assert cache.clear() == 1
    assert not stale.exists() and fresh.exists()
    assert cache.entries() == []


def test_clear_keeps_the_counts(tmp_path):
    cache = PlanCache(tmp_path)
    fill(cache, KEYS[:2])
    cache.get(KEYS[0])
    cache.get(KEYS[5])
    assert cache.clear() == 2
    assert cache.stats() == {"hits": 1, "misses": 1}


# ---- stats --------------------------------------------------------------------------------

def test_hits_and_misses_are_recorded_in_the_directory(tmp_path):
    cache = PlanCache(tmp_path)
    cache.get(KEYS[0])
    fill(cache, KEYS[:1])
    for _ in range(3):
        assert cache.get(KEYS[0]) is not None
    assert PlanCache(tmp_path).stats() == {"hits": 3, "misses": 1}
    assert json.loads((tmp_path / store.STATS_FILE).read_text()) == {
        "hits": 3, "misses": 1, "graph_hits": 0, "graph_misses": 0}


@pytest.mark.parametrize("content", ["", "{", "[1, 2]", '{"hits": -4, "misses": "x"}', "\x00\xff"])
def test_a_damaged_stats_file_counts_from_zero(tmp_path, content):
    (tmp_path / store.STATS_FILE).write_text(content, encoding="latin-1")
    cache = PlanCache(tmp_path)
    assert cache.stats() == {"hits": 0, "misses": 0}
    cache.get(KEYS[0])
    assert cache.stats() == {"hits": 0, "misses": 1} and cache.warnings == []


def _count_many(directory: str, n: int) -> None:
    cache = PlanCache(directory)
    for _ in range(n):
        cache.get(KEYS[0])


def test_racing_counters_lose_no_counts_and_never_corrupt_the_file(tmp_path):
    """Six processes counting 50 misses each at once: all 300 are recorded (issue 16.4)."""
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_count_many, args=(str(tmp_path), 50)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    counts = json.loads((tmp_path / store.STATS_FILE).read_text())
    assert counts["misses"] == 300 and counts["hits"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".stats.lock", store.STATS_FILE]


# ---- writes -------------------------------------------------------------------------------

def test_a_write_fsyncs_the_file_and_then_the_directory(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(store.os, "fsync", fsync)
    assert PlanCache(tmp_path).put(KEYS[0], small_plan())
    assert synced == [False, True]


def test_entries_record_the_absolute_source_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = PlanCache(tmp_path / "cache")
    cache.put(KEYS[0], small_plan())
    assert [e.source_path for e in cache.entries(details=True)] == [str(tmp_path / "a.gdsl")]


def test_lookup_neither_touches_nor_counts(tmp_path):
    cache = PlanCache(tmp_path)
    fill(cache, KEYS[:1], start=100.0)
    info = cache.lookup(KEYS[0])
    assert info is not None and info.algorithm == "alg0" and info.last_used == 100.0
    assert cache.lookup(KEYS[1]) is None
    assert cache.path_of(KEYS[0]).stat().st_mtime == 100.0 and cache.stats() == {"hits": 0, "misses": 0}


# ---- verify -------------------------------------------------------------------------------

def test_verify_reports_and_fixes_bad_entries(tmp_path):
    cache = PlanCache(tmp_path)
    fill(cache, KEYS[:3])
    data = cache.path_of(KEYS[1]).read_bytes()
    cache.path_of(KEYS[1]).write_bytes(data[:40])
    (tmp_path / f"{'z' * 64}.gbplan").write_bytes(data)

    def reject_alg2(plan):
        if plan.algorithm == "alg2":
            raise GraphbuildError("invalid plan: made up for the test")

    bad = cache.verify(check=reject_alg2)
    assert {e.key: e.problem for e in bad} == {KEYS[1]: "truncated entry",
                                              KEYS[2]: "invalid plan: made up for the test",
                                              "z" * 64: "file name is not a cache key"}
    assert len(cache.entries()) == 4
    assert len(cache.verify(check=reject_alg2, fix=True)) == 3
    assert present(cache) == [KEYS[0]] and cache.verify() == []


# ---- sizes, durations and the setting -----------------------------------------------------

@pytest.mark.parametrize("text, size", [
    ("0", 0), ("123", 123), ("123b", 123), ("1K", 1024), ("500M", 500 << 20), ("2G", 2 << 30),
    ("2g", 2 << 30), ("1.5GiB", 3 << 29), ("10 MB", 10 << 20), ("1T", 1 << 40), (" 7k ", 7168), (4096, 4096),
])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "M", "-1", "5X", "5ib", "1.2.3G", "lots", True, -5])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("30m", 1800), ("12h", 43200), ("7d", 604800),
                                           ("2w", 1209600), ("1.5h", 5400), ("10M", 600)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "7", "d", "7y", "-1d"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_cache_max_size_precedence_flag_env_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.graphbuild]\ncache_max_size = "2G"\n')
    sub = tmp_path / "src"
    sub.mkdir()
    assert load_settings({}, env={}, cwd=sub).cache_max_size == 2 << 30
    env = {"GRAPHBUILD_CACHE_MAX_SIZE": "500M"}
    assert load_settings({}, env=env, cwd=sub).cache_max_size == 500 << 20
    assert load_settings({"cache_max_size": "1K"}, env=env, cwd=sub).cache_max_size == 1024
    (sub / "graphbuild.toml").write_text("cache_max_size = 4096\n")
    assert load_settings({}, env={}, cwd=sub).cache_max_size == 4096


def test_cache_max_size_defaults_to_one_gib(tmp_path):
    assert load_settings({}, env={}, cwd=tmp_path).cache_max_size == 1 << 30


@pytest.mark.parametrize("where", ["file", "env"])
def test_a_bad_cache_max_size_is_a_usage_error_naming_its_origin(tmp_path, where):
    env = {}
    if where == "file":
        (tmp_path / "graphbuild.toml").write_text('cache_max_size = "huge"\n')
    else:
        env = {"GRAPHBUILD_CACHE_MAX_SIZE": "huge"}
    with pytest.raises(GraphbuildError) as info:
        load_settings({}, env=env, cwd=tmp_path)
    origin = str(tmp_path / "graphbuild.toml") if where == "file" else "GRAPHBUILD_CACHE_MAX_SIZE"
    assert origin in info.value.message and "huge" in info.value.message
    assert info.value.kind is ErrorKind.USAGE

