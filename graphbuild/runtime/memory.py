"""The memory guard: how much more this process may allocate, and one clear refusal when a
load or a run needs more (docs/memory.md, "The memory guard").

    limit = memory_limit()               # or memory_limit(parse_size("2G")) for --max-memory
    check_fits(need_bytes, limit, "running pagerank.gdsl on kron:26")   # GraphbuildError, exit 74

What the process may still allocate is the least of
- MemAvailable in /proc/meminfo (what the machine can give without swapping);
- RLIMIT_AS (ulimit -v) less the address space already in use (VmSize);
- the cgroup's limit (v2 memory.max, v1 memory.limit_in_bytes) less its usage, for the
  process's cgroup and every ancestor;
unless --max-memory SIZE is given: then SIZE less what the process already holds (RSS),
higher or lower than what was detected.  Loads get the same figure as their C budget
(gb_load_options.max_bytes), so a file's size line, a generator's spec and a parser's
growing arrays are checked before C allocates them.
"""
from __future__ import annotations

import os
import re
import resource
from dataclasses import dataclass

from ..errors import ErrorKind, GraphbuildError

SPARK_HINT = ("run it with --engine spark, on a machine with more memory, or set "
              "--max-memory SIZE if more can be used")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
_UNLIMITED = 1 << 60   # a cgroup v1 "no limit" is about 2^63 rounded to a page


@dataclass(frozen=True)
class MemoryLimit:
    """available: bytes this process may still allocate; source: what says so."""

    available: int
    source: str


def parse_size(text: str) -> int:
    """Bytes of "2G", "512M", "1.5GiB", "300000000" (K, M, G, T, P are powers of 1024)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None or float(match.group(1)) <= 0:
        raise GraphbuildError(f"--max-memory takes a size such as 2G, 512M or 1500000000, not '{text}'",
                              kind=ErrorKind.USAGE)
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def human(n: int) -> str:
    """1.5 GiB, 300.0 MiB, 12.0 KiB, 100 B."""
    for unit, shift in (("PiB", 50), ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        size = 1 << shift
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _status_bytes(field: str, proc: str) -> int | None:
    """A "kB" field of /proc/self/status, in bytes."""
    try:
        with open(os.path.join(proc, "self", "status")) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _mem_available(proc: str) -> int | None:
    try:
        with open(os.path.join(proc, "meminfo")) as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# Address space a load's worker threads take besides their arrays: stacks and the malloc
# arena each thread gets (64 MiB reserved with glibc), which count against RLIMIT_AS.
THREAD_RESERVE = 128 << 20


def _address_space_left(proc: str) -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    return max(soft - (_status_bytes("VmSize", proc) or 0) - THREAD_RESERVE, 0)


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read(64).strip()
    except OSError:
        return None
    if text == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value < _UNLIMITED else None


def _cgroup_dirs(proc: str, cgroup_root: str) -> list[tuple[str, str, str]]:
    """(directory, limit file, usage file) of this process's memory cgroup and each
    ancestor up to the mount, v2 and v1."""
    found: list[tuple[str, str, str]] = []
    try:
        with open(os.path.join(proc, "self", "cgroup")) as f:
            entries = [line.rstrip("\n").split(":", 2) for line in f]
    except OSError:
        return found
    for entry in entries:
        if len(entry) != 3:
            continue
        _, controllers, path = entry
        if controllers == "":
            bases = [cgroup_root, os.path.join(cgroup_root, "unified")]
            files = ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            bases = [os.path.join(cgroup_root, "memory")]
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        for base in bases:
            # In a container the cgroup named may be the mount's root itself: try both.
            parts = [p for p in path.split("/") if p and p != ".."]
            while True:
                found.append((os.path.join(base, *parts), *files))
                if not parts:
                    break
                parts.pop()
    return found


def _cgroup_left(proc: str, cgroup_root: str) -> int | None:
    best: int | None = None
    for directory, limit_file, usage_file in _cgroup_dirs(proc, cgroup_root):
        limit = _read_int(os.path.join(directory, limit_file))
        if limit is None:
            continue
        left = max(limit - (_read_int(os.path.join(directory, usage_file)) or 0), 0)
        best = left if best is None else min(best, left)
    return best


def detect_limit(proc: str = "/proc", cgroup_root: str = "/sys/fs/cgroup") -> MemoryLimit | None:
    """The least of what the machine, RLIMIT_AS and the cgroups leave; None if none is known."""
    candidates = [
        (_mem_available(proc), "MemAvailable in /proc/meminfo"),
        (_address_space_left(proc), "RLIMIT_AS (ulimit -v) less the address space in use"),
        (_cgroup_left(proc, cgroup_root), "the cgroup's memory limit less its usage"),
    ]
    known = [(value, source) for value, source in candidates if value is not None]
    if not known:
        return None
    value, source = min(known)
    return MemoryLimit(value, source)


def memory_limit(max_memory: int | None = None) -> MemoryLimit | None:
    """--max-memory (bytes for the whole process) when given, else what is detected."""
    if max_memory is not None:
        held = _status_bytes("VmRSS", "/proc") or 0
        return MemoryLimit(max(max_memory - held, 0),
                           f"--max-memory {human(max_memory)} less the {human(held)} already in use")
    return detect_limit()


def too_big(need: int, limit: MemoryLimit, what: str) -> GraphbuildError:
    return GraphbuildError(f"{what} needs about {human(need)} of memory, but only {human(limit.available)} "
                           f"is available ({limit.source})", kind=ErrorKind.IO, hint=SPARK_HINT)


def check_fits(need: int, limit: MemoryLimit | None, what: str) -> None:
    """Raise the guard's error (exit 74) when need bytes more do not fit the limit."""
    if limit is not None and need > limit.available:
        raise too_big(need, limit, what)


def budget_bytes(limit: MemoryLimit | None) -> int:
    """The C loader's budget (gb_load_options.max_bytes): 0 is none, so at least 1."""
    return 0 if limit is None else max(limit.available, 1)
