"""The on-disk plan store: a directory of entries (entry.py) named by key, and a stats file.

What it guarantees (docs/cache.md has the long form):
- A reader sees a whole entry or none: a writer writes a unique temporary file in the same
  directory, fsyncs it, renames it into place and fsyncs the directory.
- Every defect or I/O failure is a miss plus one warning, never an exception, so a damaged or
  read-only cache can slow a command down but never break it.
- Nothing locks.  Concurrent writers of one key each rename a complete, equal file; a prune or
  clear that unlinks an entry before a reader opens it turns that read into a miss, and a
  reader that has opened it reads the old file to the end.
- After each write the least recently used entries (oldest mtime; a hit touches its entry)
  are removed until the cache fits its size limit: plans and graphs (graphs/, usage.py)
  share the limit, and prune and clear see both.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import stat
import time
from typing import Callable

from ..errors import GraphbuildError
from ..plan.model import Plan
from ..safe_io import TEMP_PREFIX, UnsafeFile, atomic_write, describe_mode, read_regular, unlink_quietly
from ..settings import DEFAULT_CACHE_MAX_SIZE
from .counters import STATS_FILE as STATS_FILE  # re-exported: the stats file beside the entries
from .counters import add_count, read_counts
from . import usage
from .entry import decode_entry, encode_entry
from .graphs import graphs_dir
from .trust import CachePolicy, directory_problem, prepare_directory, refusal

SUFFIX = ".gbplan"
# A temporary file this old belongs to a writer that died; younger ones may still be renamed.
STALE_TEMP_SECONDS = 3600.0
_KEY = re.compile(r"[0-9a-f]{64}")
MAX_ENTRY_BYTES = 64 << 20   # plans are kilobytes; a bigger file is not an entry


@dataclasses.dataclass
class EntryInfo:
    key: str
    path: pathlib.Path
    size: int
    last_used: float           # mtime: set when written, touched by every hit
    algorithm: str = ""        # the fields below are read only when details are asked for
    source_path: str = ""
    problem: str = ""          # why the entry is unusable; "" when it is fine


@dataclasses.dataclass
class PruneResult:
    removed: int
    freed: int


class PlanCache:
    """A directory of plan entries named by key.  Failures become warnings, never errors."""

    def __init__(self, directory: str | os.PathLike, max_size: int | None = DEFAULT_CACHE_MAX_SIZE,
                 policy: CachePolicy | None = None):
        self.dir = pathlib.Path(directory)
        self.max_size = max_size   # None: no limit
        self.policy = policy or CachePolicy.from_environment()
        self.warnings: list[str] = []
        self._write_failed = False
        self._trusted: bool | None = None   # the directory's check, once made

    def usable(self, create: bool = False) -> bool:
        """Whether the directory may be used: this user's and writable by no one else (trust.py),
        checked once; a refused directory warns once and turns the cache off.  create makes it
        (0700) if it is missing; without, a missing directory is usable (every lookup misses)."""
        if self._trusted is not None:
            return self._trusted
        try:
            if create:
                problem = prepare_directory(self.dir, self.policy)
            elif not os.path.lexists(self.dir):
                return True   # no cache yet: every lookup misses
            else:
                problem = directory_problem(self.dir, self.policy)
        except OSError as exc:
            if create:
                self._write_failure(exc)
            return False
        if problem is not None:
            self._warn(refusal("plan cache", self.dir, problem))
        elif self.policy.key() is None:
            problem = self.policy.key_problem
            self._warn(problem)
        self._trusted = problem is None
        return self._trusted

    def path_of(self, key: str) -> pathlib.Path:
        return self.dir / f"{key}{SUFFIX}"

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _write_failure(self, exc: OSError) -> None:
        """The first failed write of any kind warns; the cache then just serves what it can."""
        if not self._write_failed:
            self._write_failed = True
            self._warn(f"plan cache {self.dir} is not writable ({exc.strerror or exc}); "
                       "continuing without storing plans")

    # ---- lookups and stores -------------------------------------------------------------

    def get(self, key: str) -> Plan | None:
        """The plan stored under key, or None (a miss) for an absent or unusable entry."""
        if not self.usable():
            return None
        path = self.path_of(key)
        try:
            data = read_regular(path, MAX_ENTRY_BYTES)
        except (FileNotFoundError, NotADirectoryError):  # no entry, or no cache directory at all
            return self._miss()
        except UnsafeFile as exc:
            self._warn(f"discarding cache entry {path.name}: it is {exc.reason}; recompiling")
            unlink_quietly(path)   # a directory stays (clear and verify --fix report it)
            return self._miss()
        except OSError as exc:
            self._warn(f"cannot read cache entry {path}: {exc.strerror or exc}; recompiling")
            return self._miss()
        try:
            plan = decode_entry(data, self.policy.key())
        except ValueError as exc:
            self._warn(f"discarding cache entry {path.name}: {exc}; recompiling")
            self._unlink(path)
            return self._miss()
        try:
            os.utime(path)  # the LRU clock
        except FileNotFoundError:
            pass  # pruned since we read it: the plan in hand is still whole
        except OSError as exc:
            self._write_failure(exc)
        self._count("hits")
        return plan

    def _miss(self) -> None:
        self._count("misses")
        return None

    def put(self, key: str, plan: Plan) -> bool:
        """Store atomically, then evict down to the size limit; False if it could not be stored."""
        # An absolute source path, so `cache list` means the same from any directory; a hit
        # replaces it with the path the program was given by.
        if not self.usable(create=True):
            return False
        data = encode_entry(dataclasses.replace(plan, source_path=os.path.abspath(plan.source_path)),
                            self.policy.key())
        if not self._write_atomically(self.path_of(key), data, durable=True):
            return False
        if self.max_size is not None:
            self._evict(self.max_size, keep=key)
        return True

    def _write_atomically(self, target: pathlib.Path, data: bytes, durable: bool) -> bool:
        try:
            with atomic_write(target, mode=self.policy.file_mode, durable=durable) as f:
                f.write(data)
        except OSError as exc:
            self._write_failure(exc)
            return False
        return True

    def _unlink(self, path: pathlib.Path) -> bool:
        """Remove a file; False if it was already gone or cannot be removed (which warns once)."""
        try:
            path.unlink()
            return True
        except FileNotFoundError:
            return False
        except OSError as exc:
            self._write_failure(exc)
            return False

    # ---- hit and miss counts ------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Hits and misses recorded so far; a missing or unreadable stats file counts as zero."""
        counts = read_counts(self.dir)
        return {"hits": counts["hits"], "misses": counts["misses"]}

    def _count(self, name: str) -> None:
        """One more hit or miss (counters.py: under a lock, so racing processes lose none)."""
        if not self.usable(create=True):
            return
        try:
            add_count(self.dir, name, self.policy.file_mode)
        except OSError as exc:
            self._write_failure(exc)

    # ---- listing and maintenance --------------------------------------------------------

    def entries(self, details: bool = False,
                check: Callable[[Plan], object] | None = None) -> list[EntryInfo]:
        """Every entry; with details, each is read and decoded (and given to check, if any)."""
        result = []
        try:
            with os.scandir(self.dir) as it:
                found = [(d.name, d.path) for d in it]
        except OSError:
            return []
        for name, path in sorted(found):
            if name.startswith(".") or not name.endswith(SUFFIX):
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue  # removed while we looked
            info = EntryInfo(name[: -len(SUFFIX)], pathlib.Path(path), st.st_size, st.st_mtime)
            if not stat.S_ISREG(st.st_mode):   # never read; verify reports it, clear removes it
                info.problem = f"it is {describe_mode(st.st_mode)}, not a regular file"
            elif details:
                self._describe(info, check)
            result.append(info)
        return result

    def lookup(self, key: str) -> EntryInfo | None:
        """The entry for key with its details, or None; unlike get, neither touches nor counts."""
        path = self.path_of(key)
        try:
            st = path.lstat()
        except OSError:
            return None
        info = EntryInfo(key, path, st.st_size, st.st_mtime)
        if not stat.S_ISREG(st.st_mode):
            info.problem = f"it is {describe_mode(st.st_mode)}, not a regular file"
        else:
            self._describe(info, None)
        return info

    def _describe(self, info: EntryInfo, check: Callable[[Plan], object] | None) -> None:
        """Fill in algorithm and source, or the problem that makes the entry unusable."""
        if not _KEY.fullmatch(info.key):
            info.problem = "file name is not a cache key"
            return
        key = self.policy.key()
        if key is None:
            info.problem = "cannot be checked without the cache key"
            return
        try:
            plan = decode_entry(read_regular(info.path, MAX_ENTRY_BYTES), key)
            if check is not None:
                check(plan)
        except UnsafeFile as exc:
            info.problem = f"it is {exc.reason}"
        except OSError as exc:
            info.problem = f"unreadable: {exc.strerror or exc}"
        except ValueError as exc:
            info.problem = str(exc)
        except GraphbuildError as exc:
            info.problem = exc.message
        else:
            info.algorithm, info.source_path = plan.algorithm, plan.source_path

    def total_bytes(self) -> int:
        return sum(e.size for e in self.entries())

    def verify(self, check: Callable[[Plan], object] | None = None, fix: bool = False) -> list[EntryInfo]:
        """The unusable entries (removed when fix is set); check(plan) may raise GraphbuildError."""
        bad = [e for e in self.entries(details=True, check=check) if e.problem]
        if fix and self.usable():
            for e in bad:
                self._unlink(e.path)
        return bad

    def _evict(self, limit: int, keep: str | None = None) -> PruneResult:
        """Remove least recently used plans and graphs until the total is at most limit bytes."""
        removed, freed = usage.evict(self.dir, limit, keep=[self.path_of(keep)] if keep else [])
        return PruneResult(removed, freed)

    def prune(self, max_size: int | None = None, older_than: float | None = None,
              now: float | None = None) -> PruneResult:
        """Remove entries of both kinds unused for older_than seconds, then trim to max_size
        bytes; with neither given, trim to the cache's own limit.  Stale temporary files go too."""
        now = time.time() if now is None else now
        removed = freed = 0
        if not self.usable():
            return PruneResult(0, 0)
        if older_than is not None:
            for unit in usage.units(self.dir):
                if now - unit.last_used > older_than and usage.remove(unit):
                    removed, freed = removed + 1, freed + unit.size
        limit = max_size if (max_size is not None or older_than is not None) else self.max_size
        if limit is not None:
            trimmed = self._evict(limit)
            removed, freed = removed + trimmed.removed, freed + trimmed.freed
        self._remove_stale_temps(now)
        return PruneResult(removed, freed)

    def clear(self) -> int:
        """Remove every entry, plans and graphs (and stale temporary files); returns how many
        entries (plans, graph blobs with their references) were removed.
        The hit and miss counts stay: they describe the cache's use, not its contents."""
        if not self.usable():
            return 0
        removed = sum(usage.remove(unit) for unit in usage.units(self.dir))
        self._remove_stale_temps(time.time())
        return removed

    def _remove_stale_temps(self, now: float) -> None:
        temps = []
        for directory in (self.dir, graphs_dir(self.dir)):
            try:
                with os.scandir(directory) as it:
                    temps += [d.path for d in it if d.name.startswith(TEMP_PREFIX)]
            except OSError:
                pass
        for path in temps:
            try:
                if now - os.stat(path).st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(path)
            except OSError:
                pass  # renamed into place or removed by its writer meanwhile
