"""The on-disk plan store: one self-contained file per entry, written atomically.

Entry layout (little-endian):
    magic  b"GBPLAN\\r\\n"   8 bytes (the CR LF catches text-mode mangling)
    format u32              ENTRY_FORMAT
    vlen   u16, version     graphbuild version that wrote it
    plen   u64, payload     the plan as JSON (never pickle)
    sha256                  32 bytes over everything before it

Any defect makes the entry a miss: it is removed where possible and reported as a warning,
never raised, so a damaged cache can slow a command down but never break it.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import struct
import tempfile
from dataclasses import dataclass

from .. import __version__
from ..errors import GraphbuildError
from ..plan.model import Plan

MAGIC = b"GBPLAN\r\n"
ENTRY_FORMAT = 1
SUFFIX = ".gbplan"


@dataclass
class EntryInfo:
    key: str
    path: pathlib.Path
    size: int
    last_used: float
    algorithm: str
    source_path: str


def encode_entry(plan: Plan) -> bytes:
    payload = plan.to_json().encode()
    version = __version__.encode()
    body = (MAGIC + struct.pack("<I", ENTRY_FORMAT) + struct.pack("<H", len(version)) + version
            + struct.pack("<Q", len(payload)) + payload)
    return body + hashlib.sha256(body).digest()


def decode_entry(data: bytes) -> Plan:
    """Parse an entry; raises ValueError saying what is wrong with it."""
    if len(data) < len(MAGIC) + 4 + 2 + 8 + 32:
        raise ValueError("truncated entry")
    if data[:8] != MAGIC:
        raise ValueError("not a plan cache entry (bad magic)")
    (fmt,) = struct.unpack_from("<I", data, 8)
    if fmt != ENTRY_FORMAT:
        raise ValueError(f"entry format {fmt}, expected {ENTRY_FORMAT}")
    (vlen,) = struct.unpack_from("<H", data, 12)
    pos = 14 + vlen
    if len(data) < pos + 8 + 32:
        raise ValueError("truncated entry")
    version = data[14:pos].decode(errors="replace")
    if version != __version__:
        raise ValueError(f"written by graphbuild {version}")
    (plen,) = struct.unpack_from("<Q", data, pos)
    end = pos + 8 + plen
    if len(data) != end + 32:
        raise ValueError("truncated entry" if len(data) < end + 32 else "trailing bytes after entry")
    if hashlib.sha256(data[:end]).digest() != data[end:]:
        raise ValueError("checksum mismatch")
    try:
        return Plan.from_json(data[pos + 8:end].decode())
    except (GraphbuildError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None


class PlanCache:
    """A directory of plan entries named by key.  Failures become warnings, never errors."""

    def __init__(self, directory: str | os.PathLike):
        self.dir = pathlib.Path(directory)
        self.warnings: list[str] = []

    def _path(self, key: str) -> pathlib.Path:
        return self.dir / f"{key}{SUFFIX}"

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def get(self, key: str) -> Plan | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn(f"cannot read cache entry {path}: {exc.strerror}; recompiling")
            return None
        try:
            plan = decode_entry(data)
        except ValueError as exc:
            self._warn(f"discarding cache entry {path.name}: {exc}; recompiling")
            try:
                path.unlink()
            except OSError:
                pass
            return None
        self._touch(path)
        return plan

    def put(self, key: str, plan: Plan) -> bool:
        """Store atomically: a unique temp file in the same directory, fsync, rename."""
        data = encode_entry(plan)
        tmp = None
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=self.dir)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path(key))
            return True
        except OSError as exc:
            self._warn(f"plan cache {self.dir} is not writable ({exc.strerror}); continuing without it")
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            return False

    @staticmethod
    def _touch(path: pathlib.Path) -> None:
        try:
            os.utime(path)
        except OSError:
            pass  # a read-only cache still serves hits

    def entries(self) -> list[EntryInfo]:
        result = []
        try:
            paths = sorted(self.dir.glob(f"*{SUFFIX}"))
        except OSError:
            return []
        for path in paths:
            if path.name.startswith(".tmp-"):
                continue
            try:
                st = path.stat()
                plan = decode_entry(path.read_bytes())
                algorithm, source = plan.algorithm, plan.source_path
            except (OSError, ValueError):
                algorithm, source = "?", "(unreadable entry)"
                try:
                    st = path.stat()
                except OSError:
                    continue
            result.append(EntryInfo(path.name[: -len(SUFFIX)], path, st.st_size, st.st_mtime,
                                    algorithm, source))
        return result

    def clear(self) -> int:
        """Remove every entry (and stale temp files); returns how many entries were removed."""
        removed = 0
        for path in list(self.dir.glob(f"*{SUFFIX}")) if self.dir.is_dir() else []:
            try:
                path.unlink()
                removed += not path.name.startswith(".tmp-")
            except FileNotFoundError:
                pass
            except OSError as exc:
                self._warn(f"cannot remove {path}: {exc.strerror}")
        return removed

    def total_bytes(self) -> int:
        return sum(e.size for e in self.entries())
