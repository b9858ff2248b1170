"""One cache entry: a self-contained file holding one plan.

Layout (little-endian):
    magic  b"GBPLAN\\r\\n"   8 bytes (the CR LF catches text-mode mangling)
    format u32              ENTRY_FORMAT
    vlen   u16, version     graphbuild version that wrote it
    plen   u64, payload     the plan as JSON (never pickle)
    sha256                  32 bytes over everything before it

decode_entry raises ValueError naming the first defect; the store turns that into a miss.
"""
from __future__ import annotations

import hashlib
import struct

from .. import __version__
from ..errors import GraphbuildError
from ..plan.model import Plan

MAGIC = b"GBPLAN\r\n"
ENTRY_FORMAT = 1
_HEADER = len(MAGIC) + 4 + 2   # magic, format, version length
_TRAILER = 32                  # sha256


def encode_entry(plan: Plan, version: str = __version__) -> bytes:
    payload = plan.to_json().encode()
    tag = version.encode()
    body = (MAGIC + struct.pack("<I", ENTRY_FORMAT) + struct.pack("<H", len(tag)) + tag
            + struct.pack("<Q", len(payload)) + payload)
    return body + hashlib.sha256(body).digest()


def decode_entry(data: bytes) -> Plan:
    """Parse an entry; raises ValueError saying what is wrong with it."""
    if data[:8] != MAGIC:
        raise ValueError("truncated entry" if MAGIC.startswith(data)
                         else "not a plan cache entry (bad magic)")
    if len(data) < _HEADER + 8 + _TRAILER:
        raise ValueError("truncated entry")
    (fmt,) = struct.unpack_from("<I", data, 8)
    if fmt != ENTRY_FORMAT:
        raise ValueError(f"entry format {fmt}, expected {ENTRY_FORMAT}")
    (vlen,) = struct.unpack_from("<H", data, 12)
    pos = _HEADER + vlen
    if len(data) < pos + 8 + _TRAILER:
        raise ValueError("truncated entry")
    (plen,) = struct.unpack_from("<Q", data, pos)
    end = pos + 8 + plen
    if len(data) != end + _TRAILER:
        raise ValueError("truncated entry" if len(data) < end + _TRAILER else "trailing bytes after entry")
    # The checksum comes before the version test, so a damaged version field reads as damage.
    if hashlib.sha256(data[:end]).digest() != data[end:]:
        raise ValueError("checksum mismatch")
    version = data[_HEADER:pos].decode(errors="replace")
    if version != __version__:
        raise ValueError(f"written by graphbuild {version}, this is {__version__}")
    try:
        return Plan.from_json(data[pos + 8:end].decode())
    except (GraphbuildError, UnicodeDecodeError) as exc:
        raise ValueError(f"bad plan: {exc}") from None
