"""Issue 17, item 2: a planted entry is not a cache hit.

Anyone who can write the cache directory can learn a program's key (`cache explain` shows
it) and write an entry in the documented format; only the holder of the cache's secret key
can make one that verifies.  An entry that does not verify is a miss with one warning, for
plans and for graphs alike; the key file is made 0600 on first use and a key file others
can read turns the caches off."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import struct

import networkx as nx
import pytest

import graphbuild
from graphbuild.cache import PlanCache
from graphbuild.cache.auth import KEY_BYTES, KeyProblem, load_key
from graphbuild.cache.entry import ENTRY_FORMAT, MAGIC, encode_entry
from graphbuild.cache.trust import CachePolicy
from graphbuild.plan.model import Plan
from graphbuild.runtime.graph import LoadOptions, load_graph
from graphbuild.runtime.graph_cache import GraphCache, open_graph

from test_cli import ROOT, gb
from test_graph_cache import edge_file, same

PAGERANK = ROOT / "algorithms" / "pagerank.gdsl"


def planted_entry(plan: Plan, trailer: str) -> bytes:
    """An entry written from the documented layout by someone without the cache's key: with
    a plain SHA-256 trailer, or an HMAC under a key of their own."""
    payload = plan.to_json().encode()
    version = graphbuild.__version__.encode()
    body = (MAGIC + struct.pack("<I", ENTRY_FORMAT) + struct.pack("<H", len(version)) + version
            + struct.pack("<Q", len(payload)) + payload)
    if trailer == "sha256":
        return body + hashlib.sha256(body).digest()
    import hmac
    return body + hmac.new(os.urandom(KEY_BYTES), b"graphbuild plan entry\0" + body, "sha256").digest()


def damping_zero(cache_dir) -> tuple[str, bytes]:
    """The key of pagerank.gdsl and a plan of it with damping 0 (every rank 1/n)."""
    from graphbuild.compiler import compile_source

    explained = gb("cache", "explain", str(PAGERANK), "--json", cache=cache_dir)
    key = json.loads(explained.stdout)["key"]
    source = PAGERANK.read_text().replace("damping: float = 0.85", "damping: float = 0.0")
    return key, compile_source(source, str(PAGERANK))


@pytest.mark.parametrize("trailer", ["sha256", "foreign key"])
def test_a_planted_plan_is_a_miss_with_one_warning_and_the_run_is_right(tmp_path, trailer):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    key, tampered = damping_zero(cache)
    (cache / f"{key}.gbplan").write_bytes(planted_entry(tampered, trailer))
    result = gb("run", str(PAGERANK), "--json", cache=cache)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("does not verify") == 1, result.stderr
    out = json.loads(result.stdout)
    assert out["timings"]["cache_hit"] is False
    expected = nx.pagerank(nx.karate_club_graph(), alpha=0.85, tol=1e-12, weight=None)
    ranks = dict(zip(out["columns"]["node"], out["columns"]["rank"]))
    assert max(abs(ranks[v] - expected[v]) for v in expected) < 1e-8
    again = gb("run", str(PAGERANK), "--json", cache=cache)   # rebuilt, and now a real hit
    assert json.loads(again.stdout)["timings"]["cache_hit"] is True and "warning" not in again.stderr


def test_a_planted_graph_entry_is_a_miss_and_the_real_graph_is_loaded(tmp_path):
    path = edge_file(tmp_path, "real.el", seed=1)
    other = edge_file(tmp_path, "other.el", seed=2)
    victim = GraphCache(tmp_path / "victim" / "graphs", min_bytes=0)
    attacker_key = tmp_path / "attacker.key"
    attacker = GraphCache(tmp_path / "attacker" / "graphs", min_bytes=0,
                          policy=CachePolicy(key_file=attacker_key))
    options = LoadOptions()
    key = victim.file_key(path, options)                 # computable by anyone who can read the file
    assert attacker.put(key, load_graph(other, options=options))
    victim.dir.mkdir(parents=True, mode=0o700)
    os.link(attacker.path(key), victim.path(key))        # planted under the victim's key
    got = open_graph(path, options, victim)
    assert got.cache_status == "stored"                  # a miss: rebuilt from the file
    same(got, load_graph(path, options=options))
    assert len(victim.warnings) == 1 and "does not verify" in victim.warnings[0]
    hit = open_graph(path, options, victim)
    assert hit.cache_status == "hit" and victim.warnings == [victim.warnings[0]]
    same(hit, load_graph(path, options=options))


def test_a_flipped_byte_anywhere_in_a_graph_entry_is_a_miss(tmp_path):
    path = edge_file(tmp_path, lines=300)
    cache = GraphCache(tmp_path / "graphs", min_bytes=0, threads=2)
    graph = open_graph(path, LoadOptions(), cache)
    entry = cache.entries()[0]
    data = entry.read_bytes()
    for at in (8, 479, 480, 511, 512, len(data) // 2, len(data) - 1):
        bad = bytearray(data)
        bad[at] ^= 0x20
        entry.write_bytes(bytes(bad))
        fresh = GraphCache(cache.dir, min_bytes=0)
        got = open_graph(path, LoadOptions(), fresh)
        assert got.cache_status == "stored", at
        assert fresh.warnings and "discarding graph cache entry" in fresh.warnings[0]
        same(got, graph)


def test_the_key_file_is_made_private_on_first_use(tmp_path):
    path = tmp_path / "config" / "graphbuild" / "cache.key"
    key = load_key(path, shared=False)
    assert len(key) == KEY_BYTES and load_key(path, shared=False) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text().strip() == key.hex()


@pytest.mark.parametrize("mode, shared, problem", [
    (0o644, False, "can be read by others"),
    (0o640, False, "can be read by others"),
    (0o640, True, None),
    (0o644, True, "readable or writable by every user"),
])
def test_a_key_file_others_can_read_is_refused(tmp_path, mode, shared, problem):
    path = tmp_path / "cache.key"
    path.write_text(os.urandom(KEY_BYTES).hex() + "\n")
    os.chmod(path, mode)
    if problem is None:
        assert len(load_key(path, shared)) == KEY_BYTES
    else:
        with pytest.raises(KeyProblem, match=problem):
            load_key(path, shared)


def test_a_malformed_or_linked_key_file_turns_the_caches_off_with_one_warning(tmp_path):
    bad = tmp_path / "bad.key"
    bad.write_text("not hex\n")
    os.chmod(bad, 0o600)
    policy = CachePolicy(key_file=bad)
    plans = PlanCache(tmp_path / "cache", policy=policy)
    assert plans.get("a" * 64) is None and not plans.put("a" * 64, small_plan())
    assert len(plans.warnings) == 1 and "does not hold 64 hex digits" in plans.warnings[0]
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").iterdir()) == []
    with pytest.raises(KeyProblem, match="FIFO"):
        fifo = tmp_path / "fifo.key"
        os.mkfifo(fifo)
        load_key(fifo, shared=False)


def test_members_of_a_team_cache_read_each_others_entries(tmp_path):
    key_file = tmp_path / "team.key"
    load_key(key_file, shared=True)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o640
    directory = tmp_path / "team"
    alice = PlanCache(directory, policy=CachePolicy(shared=True, key_file=key_file))
    bob = PlanCache(directory, policy=CachePolicy(shared=True, key_file=key_file))
    assert alice.put("b" * 64, small_plan("shared"))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o2770
    assert stat.S_IMODE(alice.path_of("b" * 64).stat().st_mode) == 0o640
    assert bob.get("b" * 64).algorithm == "shared"
    outsider = PlanCache(directory, policy=CachePolicy(shared=True, key_file=tmp_path / "own.key"))
    assert outsider.get("b" * 64) is None and "does not verify" in outsider.warnings[0]


def test_entries_round_trip_only_under_their_key():
    from graphbuild.cache.entry import decode_entry

    key, other = os.urandom(KEY_BYTES), os.urandom(KEY_BYTES)
    data = encode_entry(small_plan(), key)
    assert decode_entry(data, key).algorithm == "a"
    with pytest.raises(ValueError, match="does not verify"):
        decode_entry(data, other)


def small_plan(name: str = "a") -> Plan:
    from test_cache import small_plan as make

    return make(name)
