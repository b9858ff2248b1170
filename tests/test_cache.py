"""The plan cache: keys, the entry format, corruption recovery and read-only use."""
from __future__ import annotations

import hashlib
import hmac
import math
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys

import pytest

import graphbuild
import graphbuild.cache.key as key_module
from graphbuild.api import compile_file
from graphbuild.cache import PlanCache, cache_key, decode_entry, encode_entry, key_components, key_of
from graphbuild.cache.entry import ENTRY_FORMAT, MAGIC
from graphbuild.plan.model import (EXECUTOR_ABI, PLAN_FORMAT_VERSION, Instr, Kernel, Output, Param, Plan,
                                   SourceLoc)

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Subprocesses import the same graphbuild as this process (see test_cli.py).
PACKAGE_PARENT = str(pathlib.Path(graphbuild.__file__).resolve().parents[1])
SOURCE = "algorithm a(x: float = 1.0):\n    y = x * 2.0\n    return y\n"


def small_plan(name: str = "a") -> Plan:
    return Plan(
        algorithm=name, source_path="a.gdsl",
        params=[Param("x", "float", 1.0, 0)], registers=["float", "float"], slots=["float"],
        code=[Instr("const", [1, math.inf], 0), Instr("kernel", [0], 0)],
        kernels=[Kernel("node", [Instr("bcast", [0, 0], 0), Instr("store", [0, 0], 0)], 1)],
        locations=[SourceLoc(2, 5)], outputs=[Output("y", "vector", "float", 0)], exec_levels=[0, 1],
    )


# ---- keys ---------------------------------------------------------------------------------

def test_key_components_in_order():
    names = [c.name for c in key_components(SOURCE, "a", 1)]
    assert names == ["source", "algorithm", "graphbuild_version", "compiler_sources", "plan_format",
                     "executor_abi", "opt_level"]
    assert cache_key(SOURCE, "a", 1) == key_of(key_components(SOURCE, "a", 1))


def test_key_stays_when_nothing_changes_even_in_another_process(tmp_path):
    base = cache_key(SOURCE, "a", 1)
    assert base == cache_key(SOURCE, "a", 1) and re.fullmatch("[0-9a-f]{64}", base)
    code = ("import sys; from graphbuild.cache import cache_key; "
            "print(cache_key(sys.argv[1], 'a', 1))")
    proc = subprocess.run([sys.executable, "-c", code, SOURCE], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": PACKAGE_PARENT})
    assert proc.stdout.strip() == base, proc.stderr


@pytest.mark.parametrize("change", [
    lambda mp: (SOURCE.replace("2.0", "3.0"), "a", 1),
    lambda mp: (SOURCE, "b", 1),
    lambda mp: (SOURCE, None, 1),
    lambda mp: (SOURCE, "a", 0),
    lambda mp: (mp.setattr(key_module, "__version__", "0.1.1"), (SOURCE, "a", 1))[1],
    lambda mp: (mp.setattr(key_module, "compiler_hash", lambda: "0" * 64), (SOURCE, "a", 1))[1],
    lambda mp: (mp.setattr(key_module, "PLAN_FORMAT_VERSION", PLAN_FORMAT_VERSION + 1),
                (SOURCE, "a", 1))[1],
    lambda mp: (mp.setattr(key_module, "EXECUTOR_ABI", EXECUTOR_ABI + 1), (SOURCE, "a", 1))[1],
], ids=["source", "algorithm", "no-algorithm", "opt-level", "version", "compiler", "plan-format",
        "executor-abi"])
def test_key_changes_with_each_component(monkeypatch, change):
    base = cache_key(SOURCE, "a", 1)
    assert cache_key(*change(monkeypatch)) != base


def test_compiler_hash_follows_the_compiler_files(tmp_path, monkeypatch):
    package = key_module._PACKAGE
    copy = tmp_path / "graphbuild"
    for part in (*key_module.COMPILER_PACKAGES,):
        shutil.copytree(package / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in key_module.COMPILER_MODULES:
        shutil.copy(package / name, copy / name)
    monkeypatch.setattr(key_module, "_PACKAGE", copy)
    key_module.compiler_hash.cache_clear()
    try:
        original = key_module.compiler_hash()
        key_module.compiler_hash.cache_clear()
        assert key_module.compiler_hash() == original
        for edited in (copy / "passes" / "fold.py", copy / "compiler.py", copy / "types.py"):
            edited.write_text(edited.read_text() + "\n# an edit\n")
            key_module.compiler_hash.cache_clear()
            assert key_module.compiler_hash() != original, edited
            original = key_module.compiler_hash()
    finally:
        key_module.compiler_hash.cache_clear()


def test_whitespace_edits_change_the_key_but_line_endings_do_not(tmp_path):
    # Plans carry source columns for error messages, so any edit of the text is a new key;
    # files are read with universal newlines, so CRLF and LF copies are the same program.
    assert cache_key(SOURCE.replace("    y", "     y", 1).replace("    return", "     return"), "a", 1) \
        != cache_key(SOURCE, "a", 1)
    assert cache_key(SOURCE + "\n", "a", 1) != cache_key(SOURCE, "a", 1)
    lf, crlf = tmp_path / "lf.gdsl", tmp_path / "crlf.gdsl"
    lf.write_bytes(SOURCE.encode())
    crlf.write_bytes(SOURCE.replace("\n", "\r\n").encode())
    assert compile_file(lf).key == compile_file(crlf).key


def test_key_components_are_length_prefixed():
    # "ab" + "c" must not collide with "a" + "bc" across the algorithm / source boundary.
    assert cache_key("x", "ab", 1) != cache_key("xa", "b", 1)


# A fingerprint of the enums in csrc/graphbuild.h that plans are encoded against.  A change to
# them without a new EXECUTOR_ABI would let old cached plans reach an executor that reads
# them differently.
ABI_FINGERPRINTS = {1: "63093dff", 2: "a11183d3", 3: "d1a60679", 4: "2229fd72", 5: "e179fdba", 6: "0f544f0e",
                    7: "bfb3b286", 8: "bfb3b286"}
_ABI_ENUMS = ("gb_dir", "gb_layout", "gb_op", "gb_kernel_field", "gb_domain", "gb_agg", "gb_default",
              "gb_dtype")


def header_fingerprint() -> str:
    text = re.sub(r"/\*.*?\*/", "", (ROOT / "csrc" / "graphbuild.h").read_text(), flags=re.S)
    parts = []
    for match in re.finditer(r"typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*\w+\s*;", text, re.S):
        if match.group(1) in _ABI_ENUMS:
            items = ["".join(i.split()) for i in match.group(2).split(",") if i.strip()]
            parts.append(f"{match.group(1)}:{','.join(items)}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:8]


def test_executor_abi_is_bumped_with_the_opcode_set():
    assert ABI_FINGERPRINTS.get(EXECUTOR_ABI) == header_fingerprint(), (
        "the opcodes or plan layout in csrc/graphbuild.h changed: bump EXECUTOR_ABI in "
        f"graphbuild/plan/model.py and record {{{EXECUTOR_ABI + 1}: '{header_fingerprint()}'}} here")


# ---- the entry format ---------------------------------------------------------------------

def cache_key_bytes() -> bytes:
    """The key the test session's caches authenticate with (conftest.py's config directory)."""
    from graphbuild.cache.trust import CachePolicy

    return CachePolicy.from_environment().key()


def test_entry_round_trip_keeps_the_plan():
    plan = small_plan()
    data = encode_entry(plan, cache_key_bytes())
    assert data.startswith(MAGIC) and b"pickle" not in data
    back = decode_entry(data, cache_key_bytes())
    assert back.to_json() == plan.to_json()
    assert math.isinf(back.code[0].args[1])


def _stored(tmp_path) -> tuple[PlanCache, str, pathlib.Path, bytes]:
    cache = PlanCache(tmp_path)
    key = cache_key(SOURCE, "a", 1)
    assert cache.put(key, small_plan())
    path = cache.path_of(key)
    return cache, key, path, path.read_bytes()


def _recovers(tmp_path, damaged: bytes, words: str) -> None:
    """A damaged entry is a miss with exactly one warning, is removed, and is then rebuilt."""
    cache = PlanCache(tmp_path)
    key = cache_key(SOURCE, "a", 1)
    path = cache.path_of(key)
    path.write_bytes(damaged)
    assert cache.get(key) is None
    assert len(cache.warnings) == 1 and words in cache.warnings[0], cache.warnings
    assert not path.exists()
    assert cache.put(key, small_plan()) and cache.get(key) is not None
    assert len(cache.warnings) == 1


@pytest.fixture
def no_fsync(monkeypatch):
    """Durability is not what the damage tests look at, and a thousand fsyncs take seconds."""
    import graphbuild.cache.store as store
    monkeypatch.setattr(store.os, "fsync", lambda fd: None)


def test_truncation_at_every_offset_recovers(tmp_path, no_fsync):
    _, _, _, data = _stored(tmp_path)
    for cut in range(len(data)):
        _recovers(tmp_path, data[:cut], "truncated")


def test_every_flipped_byte_recovers(tmp_path, no_fsync):
    _, _, _, data = _stored(tmp_path)
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x41
        _recovers(tmp_path, bytes(bad), "discarding cache entry")


@pytest.mark.parametrize("mutate, words", [
    (lambda d: b"NOTAPLAN" + d[8:], "bad magic"),
    (lambda d: b"", "truncated"),
    (lambda d: d[:8] + (99).to_bytes(4, "little") + d[12:], "entry format 99"),
    (lambda d: encode_entry(small_plan(), cache_key_bytes(), version="0.0.9"), "written by graphbuild 0.0.9"),
    (lambda d: d + b"x", "trailing bytes"),
    (lambda d: d[:-1] + bytes([d[-1] ^ 1]), "does not verify"),
])
def test_each_kind_of_damage_is_named_and_recovers(tmp_path, mutate, words):
    _, _, _, data = _stored(tmp_path)
    _recovers(tmp_path, mutate(data), words)


def test_a_valid_entry_holding_a_bad_plan_recovers(tmp_path):
    payload = b'{"graphbuild_plan": 1, "checksum": "0", "plan": {}}'
    version = graphbuild.__version__.encode()
    body = (MAGIC + struct.pack("<I", ENTRY_FORMAT) + struct.pack("<H", len(version)) + version
            + struct.pack("<Q", len(payload)) + payload)
    mac = hmac.new(cache_key_bytes(), b"graphbuild plan entry\0" + body, "sha256").digest()
    _recovers(tmp_path, body + mac, "bad plan")


def test_an_unreadable_entry_is_a_miss(tmp_path):
    cache = PlanCache(tmp_path)
    key = cache_key(SOURCE, "a", 1)
    cache.path_of(key).mkdir(parents=True)  # reading a directory fails with an OSError
    assert cache.get(key) is None
    assert len(cache.warnings) == 1 and "it is a directory, not a regular file" in cache.warnings[0]


# ---- read-only and unwritable caches ------------------------------------------------------

def test_cache_under_a_file_warns_once_and_still_compiles(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = PlanCache(blocker / "plans")
    assert not cache.put("a" * 64, small_plan())
    assert cache.get("a" * 64) is None
    program = tmp_path / "a.gdsl"
    program.write_text(SOURCE)
    for _ in range(3):
        compiled = compile_file(program, cache=cache)
        assert not compiled.cache_hit and compiled.plan.algorithm == "a"
    assert len(cache.warnings) == 1 and "not writable" in cache.warnings[0]
    assert cache.entries() == [] and cache.stats() == {"hits": 0, "misses": 0}


@pytest.mark.parametrize("target", ["replace", "mkstemp"])
def test_read_only_directory_serves_hits_and_warns_once(tmp_path, monkeypatch, target):
    program = tmp_path / "a.gdsl"
    program.write_text(SOURCE)
    first = compile_file(program, cache=PlanCache(tmp_path / "cache"))
    before = sorted(p.name for p in (tmp_path / "cache").iterdir())

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    import graphbuild.cache.store as store
    import graphbuild.safe_io as safe_io
    if target == "replace":
        monkeypatch.setattr(store.os, "replace", refuse)
    else:
        monkeypatch.setattr(safe_io.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(store.os, "utime", refuse)
    monkeypatch.setattr(pathlib.Path, "unlink", refuse)
    cache = PlanCache(tmp_path / "cache")
    hit = compile_file(program, cache=cache)
    assert hit.cache_hit and hit.key == first.key
    other = tmp_path / "b.gdsl"
    other.write_text(SOURCE.replace("2.0", "4.0"))
    miss = compile_file(other, cache=cache)
    assert not miss.cache_hit
    assert compile_file(other, cache=cache, recache=True).plan.algorithm == "a"
    cache.prune(max_size=0)
    cache.clear()
    assert len(cache.warnings) == 1 and "not writable" in cache.warnings[0] \
        and "Permission denied" in cache.warnings[0]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == before  # no temp files left
