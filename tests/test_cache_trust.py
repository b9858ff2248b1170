"""Issue 17, item 1: a shared or hostile cache directory cannot overwrite the user's files.

The graph cache writes through the descriptor of the temporary file it created, so a
second process that swaps the temporary name for a symbolic link to the victim's file
redirects nothing; cache directories are created 0700; a directory someone else owns or
could write is refused (one warning, the command runs uncached) unless sharing is on."""
from __future__ import annotations

import os
import pathlib
import stat
import subprocess
import sys
import time

import pytest

import graphbuild.runtime.graph_cache as graph_cache
from graphbuild.cache import PlanCache
from graphbuild.cache.trust import CachePolicy, directory_problem
from graphbuild.runtime.graph import Graph, LoadOptions, load_graph
from graphbuild.runtime.graph_cache import GraphCache, open_graph

from test_cli import PACKAGE_PARENT, gb, gb_command

VICTIM_TEXT = "the victim's own file\n"


def small_graph(seed: int) -> Graph:
    return Graph.from_edges(4, [(0, 1), (1, 2), (2, 3), (3, seed % 4)], weights=[1.0, 2.0, 3.0, 4.0])


class SwappingLib:
    """The native library as graph_cache sees it, with an attacker who, just before each save,
    replaces every temporary file in the cache directory by a symbolic link to the victim."""

    def __init__(self, real, directory: pathlib.Path, victim: pathlib.Path):
        self._real, self._dir, self._victim = real, directory, victim
        self.swaps = 0

    def __getattr__(self, name):
        attr = getattr(self._real, name)
        if not name.startswith("gb_graph_save"):
            return attr

        def save(*args):
            for entry in os.scandir(self._dir):
                if entry.name.startswith(".tmp-"):
                    os.unlink(entry.path)
                    os.symlink(self._victim, entry.path)
                    self.swaps += 1
            return attr(*args)

        return save


def test_a_temporary_file_swapped_for_a_link_does_not_redirect_the_write(tmp_path, monkeypatch):
    victim = tmp_path / "home" / "notes.txt"
    victim.parent.mkdir()
    victim.write_text(VICTIM_TEXT)
    cache = GraphCache(tmp_path / "cache" / "graphs", min_bytes=0)
    cache.dir.mkdir(parents=True)
    attacker = SwappingLib(graph_cache.lib, cache.dir, victim)
    monkeypatch.setattr(graph_cache, "lib", attacker)
    for i in range(3):
        cache.put(f"{i:040x}", small_graph(i))
    assert attacker.swaps == 3
    assert victim.read_text() == VICTIM_TEXT
    # nothing was published under a swapped name, and nothing is left behind
    assert [p.name for p in cache.dir.iterdir()] == []
    assert any("replaced" in w for w in cache.warnings)


# Reacts to each new file through inotify, so it wins the race whenever there is one.
ATTACKER = r"""
import ctypes, os, struct, sys, select
directory, victim, stop = sys.argv[1:4]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
IN_CREATE = 0x100
libc.inotify_add_watch(fd, directory.encode(), IN_CREATE)
swaps = 0
while not os.path.exists(stop):
    r, _, _ = select.select([fd], [], [], 0.05)
    if not r:
        continue
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        continue
    at = 0
    while at < len(data):
        wd, mask, cookie, length = struct.unpack_from("iIII", data, at)
        name = data[at + 16: at + 16 + length].rstrip(b"\0").decode()
        at += 16 + length
        if name.startswith(".tmp-"):
            path = os.path.join(directory, name)
            try:
                os.unlink(path)
                os.symlink(victim, path)
                swaps += 1
            except OSError:
                pass
print(swaps)
"""


def test_a_second_process_swapping_temporary_files_cannot_overwrite_the_victim(tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text(VICTIM_TEXT)
    cache = GraphCache(tmp_path / "cache" / "graphs", min_bytes=0)
    cache.dir.mkdir(parents=True)
    stop = tmp_path / "stop"
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, str(cache.dir), str(victim), str(stop)],
                                stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)   # the watch is in place
        graph = small_graph(0)
        for i in range(300):
            cache.put(f"{i:040x}", graph)
    finally:
        stop.touch()
        swaps = int(attacker.communicate(timeout=60)[0])
    assert victim.read_text() == VICTIM_TEXT
    assert swaps > 0, "the attacker never saw a temporary file"
    for path in cache.dir.iterdir():   # what was published is a whole entry or is refused
        key = path.name.removesuffix(".gbgraph").removesuffix(".gbref")   # a blob name: no entry
        got = cache.get(key)
        assert got is None or got.edge_count == 4


def test_cache_directories_are_created_private(tmp_path):
    cache = tmp_path / "deep" / "cache"
    big = tmp_path / "big.el"
    big.write_text("".join(f"{i} {(i * 7) % 5000}\n" for i in range(120_000)))   # past the 1 MiB minimum
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(cache), "PYTHONPATH": PACKAGE_PARENT}
    result = subprocess.run(gb_command("run", "algorithms/pagerank.gdsl", "-g", str(big), "--top", "0"),
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    for directory in (tmp_path / "deep", cache, cache / "graphs"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    entries = [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert entries and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in entries)


def foreign_owner(path: pathlib.Path) -> None:
    """Make path owned by someone else (as root: another user; otherwise, use a root-owned
    directory in its place, which a normal user cannot create)."""
    os.chown(path, 65534, 65534)


@pytest.fixture
def foreign_dir(tmp_path) -> pathlib.Path:
    if os.geteuid() == 0:
        path = tmp_path / "theirs"
        path.mkdir(mode=0o755)
        foreign_owner(path)
        return path
    return pathlib.Path("/usr/share")   # root's, and not writable by this user


def test_a_directory_writable_by_everyone_is_refused_and_the_command_runs_uncached(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chmod(cache, 0o777)
    for _ in range(2):
        result = gb("run", "algorithms/pagerank.gdsl", "--top", "0", cache=cache)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("writable by every user") == 1, result.stderr
        assert "running without" in result.stderr
    assert list(cache.iterdir()) == []   # nothing stored, nothing counted


def test_a_directory_owned_by_someone_else_is_refused_unless_sharing_is_on(foreign_dir):
    problem = directory_problem(foreign_dir, CachePolicy())
    assert problem is not None and "owned by" in problem
    assert directory_problem(foreign_dir, CachePolicy(shared=True)) is None
    cache = PlanCache(foreign_dir)
    assert cache.get("a" * 64) is None
    assert len(cache.warnings) == 1 and "owned by" in cache.warnings[0]


def test_group_write_is_refused_in_a_private_cache_unless_the_group_is_the_users_own(tmp_path):
    directory = tmp_path / "g"
    directory.mkdir()
    os.chmod(directory, 0o770)
    if os.geteuid() == 0:
        os.chown(directory, 0, 65534)            # a group that is not root's own
        assert "writable by group" in directory_problem(directory, CachePolicy())
        assert directory_problem(directory, CachePolicy(shared=True)) is None
        os.chown(directory, 0, 0)
    import grp
    import pwd
    me = pwd.getpwuid(os.geteuid())
    gid = directory.stat().st_gid
    own = me.pw_gid == gid and all(m == me.pw_name for m in grp.getgrgid(gid).gr_mem)
    assert (directory_problem(directory, CachePolicy()) is None) == own


def test_graph_cache_and_open_graph_run_uncached_in_a_refused_directory(tmp_path):
    root = tmp_path / "cache"
    (root / "graphs").mkdir(parents=True)
    os.chmod(root / "graphs", 0o777)
    path = tmp_path / "g.el"
    path.write_text("1 2\n2 3\n")
    cache = GraphCache(root / "graphs", min_bytes=0)
    first = open_graph(str(path), LoadOptions(), cache)
    second = open_graph(str(path), LoadOptions(), cache)
    assert first.cache_status is None and second.cache_status is None
    assert second.edge_count == load_graph(str(path)).edge_count == 2
    assert list((root / "graphs").iterdir()) == []
    assert len(cache.warnings) == 1 and "writable by every user" in cache.warnings[0]
