"""Hit and miss counts in the cache directory's stats.json, shared by both kinds of entry.

Each update takes an exclusive flock on `.stats.lock`, reads, adds one and renames a new
stats.json into place, so processes counting at once lose nothing and a reader (which
takes no lock) always sees a whole file.  A lock that cannot be had within LOCK_WAIT
seconds (a process stuck holding it) skips the count: a count is never worth blocking a
command for.  A lock path that is not a regular file (a link, a FIFO, a directory) skips the
count too, and is removed where it can be, rather than turning the cache off.
stats.json is not fsynced; an unreadable one counts from zero.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import pathlib
import stat
import time

from ..safe_io import atomic_write, read_regular

STATS_FILE = "stats.json"
LOCK_FILE = ".stats.lock"
NAMES = ("hits", "misses", "graph_hits", "graph_misses")
LOCK_WAIT = 2.0
MAX_STATS_BYTES = 64 << 10


def read_counts(directory: str | os.PathLike) -> dict[str, int]:
    """Every count (zero where stats.json has none, or is missing, unreadable or damaged)."""
    counts = dict.fromkeys(NAMES, 0)
    try:
        data = json.loads(read_regular(pathlib.Path(directory) / STATS_FILE, MAX_STATS_BYTES))
    except (OSError, ValueError):
        return counts
    if isinstance(data, dict):
        for name in NAMES:
            value = data.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                counts[name] = value
    return counts


def add_count(directory: str | os.PathLike, name: str, mode: int = 0o600) -> None:
    """One more of `name`; raises OSError when the directory cannot be written."""
    directory = pathlib.Path(directory)
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    try:
        fd = os.open(directory / LOCK_FILE, flags, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            _replace_odd_lock(directory / LOCK_FILE)   # a link or a directory where the lock was
            return
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            _replace_odd_lock(directory / LOCK_FILE)   # a FIFO or a device: not a lock to share
            return
        if not _lock(fd):
            return
        counts = read_counts(directory)
        counts[name] += 1
        with atomic_write(directory / STATS_FILE, mode=mode, durable=False) as f:
            f.write(json.dumps(counts).encode())
    finally:
        os.close(fd)   # releases the lock


def _replace_odd_lock(path: pathlib.Path) -> None:
    """Skip this count (never worth a warning, nor a write anywhere but the cache) and remove
    what is not a lock file, so the next count makes a real one (a directory stays)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def _lock(fd: int) -> bool:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EINTR):
                raise
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
