"""Issue 17, evidence: a fuzzer for the cache directory's contents.

A real cache (plans of four shipped algorithms; graph blobs and references of two files and
a generator; stats.json and its lock; the key file, kept in the cache directory here so it
is fuzzed too) is copied once per round and a seeded generator damages several of its
paths: each becomes a FIFO, a link to /dev/zero, a link to a victim's file or directory,
a directory, a shorter file, a longer file (garbage appended, or a sparse file of 64 GiB),
or a file with bytes flipped.  Then every command that reads the cache runs on it, each
under a timeout, and each must give the right answer (the uncached run's, or a consistent
listing) with at most warnings, or one clear error with its documented exit code: never
a traceback, never a hang, never the victim's bytes in the output, never a write through a
link, and every entry graphbuild (re)wrote whole, with no temporary file left behind.

Permission mutations (chmod 000) are left out: the tests run as root here, and root reads
through mode 000, so such a case could not fail; test_hostile_files covers unreadable
entries for other users."""
from __future__ import annotations

import json
import math
import os
import pathlib
import random
import shutil
import stat

import pytest

from graphbuild.cache import PlanCache
from graphbuild.cache.graphs import decode_ref
from graphbuild.cache.trust import CachePolicy
from graphbuild.runtime.graph_cache import GraphCache

from test_cli import gb

SEED = 1717
ROUNDS = 4
MUTATIONS_PER_ROUND = 6          # 24 damaged paths in all
TIMEOUT = 60                     # a hang ends here; a healthy command takes about a second
MARKER = "VICTIM-SECRET-3f9a"    # the victim's bytes: never in any output
SPARSE_SIZE = 64 << 30

# (algorithm, graph, extra flags): two files (directed and undirected loads of one; a
# weighted one) and a generator, so blobs and references of every origin exist.
RUNS = [("pagerank", "g.el", []), ("connected_components", "g.el", ["--undirected"]),
        ("sssp", "w.wel", []), ("bfs", "kron:8", [])]


def _edge_file(path: pathlib.Path, weighted: bool, seed: int) -> None:
    """A file just over the graph cache's 1 MiB threshold, so its graph is cached."""
    rng = random.Random(seed)
    lines, size = [], 0
    while size < (1 << 20) + 4096:
        u, v = rng.randrange(20000), rng.randrange(20000)
        lines.append(f"{u} {v} {rng.randint(1, 9)}\n" if weighted else f"{u} {v}\n")
        size += len(lines[-1])
    path.write_text("".join(lines))


def _env(cache: pathlib.Path) -> dict:
    return {"GRAPHBUILD_CACHE_KEY_FILE": str(cache / "cache.key")}


def _run_args(i: int, base: pathlib.Path) -> list[str]:
    algorithm, graph, extra = RUNS[i]
    return ["run", algorithm, "-g", graph if ":" in graph else str(base / graph), *extra, "--json"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """The populated cache, the graph files, the victim, and each run's uncached answer."""
    base = tmp_path_factory.mktemp("fuzz")
    _edge_file(base / "g.el", False, 1)
    _edge_file(base / "w.wel", True, 2)
    victim = base / "victim"
    victim.mkdir()
    (victim / "notes.txt").write_text(f"{MARKER}\n" * 64)
    cache = base / "cache"
    expected = []
    for i in range(len(RUNS)):
        proc = gb(*_run_args(i, base), cache=cache, env=_env(cache), timeout=TIMEOUT)
        assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr
        expected.append(json.loads(proc.stdout))
    assert len(list(cache.glob("*.gbplan"))) == len(RUNS)
    assert len(list((cache / "graphs").glob("*.gbref"))) == len(RUNS)
    assert len(list((cache / "graphs").glob("*.gbgraph"))) >= 3
    assert (cache / "stats.json").is_file() and (cache / "cache.key").is_file()
    return base, expected


def _snapshot(victim: pathlib.Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in victim.iterdir()}


# ---- mutations: each replaces or damages one path ----------------------------------------

def _remove(path: pathlib.Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _fifo(path, rng, victim):
    _remove(path)
    os.mkfifo(path)


def _dev_zero(path, rng, victim):
    _remove(path)
    os.symlink("/dev/zero", path)


def _victim_link(path, rng, victim):
    is_dir = path.is_dir()
    _remove(path)
    os.symlink(victim if is_dir else victim / "notes.txt", path)


def _directory(path, rng, victim):
    _remove(path)
    path.mkdir()
    (path / "inner").write_text("x")


def _truncate(path, rng, victim):
    if path.is_dir():
        return _directory_to_file(path, rng)
    os.truncate(path, rng.randrange(path.stat().st_size + 1))


def _append(path, rng, victim):
    if path.is_dir():
        return _directory_to_file(path, rng)
    with open(path, "ab") as f:
        f.write(rng.randbytes(rng.randint(1, 4096)))


def _sparse(path, rng, victim):
    if path.is_dir():
        return _directory_to_file(path, rng)
    os.truncate(path, SPARSE_SIZE)


def _flip(path, rng, victim):
    if path.is_dir():
        return _directory_to_file(path, rng)
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(1, 4) if data else 0):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def _directory_to_file(path, rng):
    _remove(path)
    path.write_bytes(rng.randbytes(rng.randint(0, 600)))


MUTATIONS = [_fifo, _dev_zero, _victim_link, _directory, _truncate, _append, _sparse, _flip]


def _targets(cache: pathlib.Path, rng: random.Random, round_: int) -> list[pathlib.Path]:
    """MUTATIONS_PER_ROUND paths of the cache: entries of both kinds, stats.json and its lock;
    the key file and the graphs directory only in the last two rounds (damaging either turns
    off what is behind it, which would hide the other mutations of a round)."""
    graphs = cache / "graphs"
    found = sorted(p for p in [*cache.iterdir(), *graphs.iterdir()]
                   if p.name not in ("cache.key", "graphs"))
    chosen = rng.sample(found, MUTATIONS_PER_ROUND - (round_ >= ROUNDS - 2))
    return chosen + [[cache / "cache.key"], [graphs], []][min(2, ROUNDS - 1 - round_)]


def _state(path: pathlib.Path):
    try:
        st = path.lstat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, stat.S_IFMT(st.st_mode)


# ---- the checks -------------------------------------------------------------------------

def _same_result(got: dict, want: dict) -> bool:
    if set(got["columns"]) != set(want["columns"]) or got["values"].keys() != want["values"].keys():
        return False
    pairs = [(got["columns"][k], want["columns"][k]) for k in want["columns"]]
    pairs.append((list(got["values"].values()), list(want["values"].values())))
    return all(len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b)) for a, b in pairs)


def _close(x, y) -> bool:
    if isinstance(x, float) or isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) or (x != x and y != y)
    return x == y


def _clean(proc, allowed: tuple[int, ...], what: str, report: bool = False) -> None:
    """No traceback; an allowed exit code; a failure one `error:` message (or a report)."""
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, f"{what}: {proc.stderr}"
    assert MARKER not in text, f"{what} showed the victim's bytes"
    assert proc.returncode in allowed, f"{what} exited {proc.returncode}: {proc.stderr}"
    if proc.returncode != 0 and not report:
        assert proc.stderr.count("error:") == 1, f"{what}: {proc.stderr}"


def _whole(cache: pathlib.Path, untouched: dict) -> None:
    """Every plan, reference and blob not left exactly as the fuzzer made it verifies."""
    policy = CachePolicy(key_file=cache / "cache.key")
    if policy.key() is None:
        return   # the key itself was damaged: no entry can verify, and none may be written
    for path in cache.glob(".tmp-*"):
        pytest.fail(f"temporary file left behind: {path}")
    if (cache / "graphs").is_dir() and not (cache / "graphs").is_symlink():
        assert not list((cache / "graphs").glob(".tmp-*")), "temporary graph file left behind"
    for bad in PlanCache(cache, policy=policy).verify():
        assert untouched.get(bad.path) == _state(bad.path), f"{bad.path.name}: {bad.problem}"
    graphs = GraphCache(cache / "graphs", policy=policy, min_bytes=0)
    if not graphs.usable():
        return
    for ref in graphs.refs():
        if untouched.get(ref) == _state(ref) or not ref.is_file():
            continue
        blob = decode_ref(ref.read_bytes(), policy.key(), ref.name[: -len(".gbref")])["blob"]
        blob_path = graphs.blob_path(blob)
        if untouched.get(blob_path) != _state(blob_path):
            assert graphs._load_blob(blob_path, blob) is not None, graphs.warnings


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_damaged_cache_directory_never_breaks_a_command(pristine, tmp_path, round_):
    base, expected = pristine
    rng = random.Random(SEED * 100 + round_)
    cache = tmp_path / "cache"
    shutil.copytree(base / "cache", cache, symlinks=True)
    victim = base / "victim"
    before = _snapshot(victim)
    untouched = {}
    for path in _targets(cache, rng, round_):   # the graphs directory last of all
        rng.choice(MUTATIONS)(path, rng, victim)
        untouched[path] = _state(path)

    def gb_(*args):
        return gb(*args, cache=cache, env=_env(cache), timeout=TIMEOUT)

    for i in (round_ % len(RUNS), (round_ + 1) % len(RUNS)):
        proc = gb_(*_run_args(i, base))
        _clean(proc, (0,), f"run {RUNS[i]}")
        assert _same_result(json.loads(proc.stdout), expected[i]), f"run {RUNS[i]}: another answer"
    for args in (["cache", "info", "--json"], ["cache", "list", "--json"]):
        proc = gb_(*args)
        _clean(proc, (0,), " ".join(args))
        json.loads(proc.stdout)
    proc = gb_("cache", "verify")   # 65: a report of the bad entries, not an error message
    _clean(proc, (0,) if proc.returncode == 0 else (65,), "cache verify", report=True)
    assert proc.returncode == 0 or " 0 bad" not in proc.stderr, proc.stderr
    info = gb_("graph", "info", str(base / "g.el"))
    _clean(info, (0,), "graph info")
    assert "20,000" in info.stdout or "19,9" in info.stdout, info.stdout
    _clean(gb_("cache", "prune"), (0,), "cache prune")
    assert _snapshot(victim) == before, "the victim's files changed"
    _whole(cache, untouched)


def test_a_sparse_blob_of_any_size_is_refused_before_it_is_hashed(pristine, tmp_path):
    """Found by the fuzzer: a blob made a 64 GiB sparse file was hashed to the end (minutes)
    and mapped with MAP_POPULATE; now its header, read alone, gives the length it must have."""
    base, expected = pristine
    cache = tmp_path / "cache"
    shutil.copytree(base / "cache", cache, symlinks=True)
    for blob in (cache / "graphs").glob("*.gbgraph"):
        os.truncate(blob, SPARSE_SIZE)
    proc = gb(*_run_args(3, base), cache=cache, env=_env(cache), timeout=TIMEOUT)
    _clean(proc, (0,), "run on a sparse blob")
    assert "wrong length" in proc.stderr
    assert _same_result(json.loads(proc.stdout), expected[3])
    assert all(b.stat().st_size < SPARSE_SIZE for b in (cache / "graphs").glob("*.gbgraph"))
