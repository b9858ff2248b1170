"""One cache entry: a self-contained file holding one plan.

Layout (little-endian):
    magic  b"GBPLAN\\r\\n"   8 bytes (the CR LF catches text-mode mangling)
    format u32              ENTRY_FORMAT
    vlen   u16, version     graphbuild version that wrote it
    plen   u64, payload     the plan as JSON (never pickle)
    mac                     32 bytes: HMAC-SHA256 with the cache's key over everything
                            before it (auth.py), so only a key holder makes an entry

decode_entry raises ValueError naming the first defect; the store turns that into a miss.
"""
from __future__ import annotations

import struct

from .. import __version__
from ..errors import GraphbuildError
from ..plan.model import Plan
from .auth import NOT_VERIFIED, PLAN_DOMAIN, entry_mac, same_mac

MAGIC = b"GBPLAN\r\n"
ENTRY_FORMAT = 2   # 2: an HMAC with the cache's key instead of a plain SHA-256
_HEADER = len(MAGIC) + 4 + 2   # magic, format, version length
_TRAILER = 32                  # the MAC


def encode_entry(plan: Plan, key: bytes, version: str = __version__) -> bytes:
    payload = plan.to_json().encode()
    tag = version.encode()
    body = (MAGIC + struct.pack("<I", ENTRY_FORMAT) + struct.pack("<H", len(tag)) + tag
            + struct.pack("<Q", len(payload)) + payload)
    return body + entry_mac(key, PLAN_DOMAIN, body)


def decode_entry(data: bytes, key: bytes) -> Plan:
    """Parse and authenticate an entry; raises ValueError saying what is wrong with it."""
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
    # The MAC comes before the version test, so a damaged version field reads as damage.
    if not same_mac(entry_mac(key, PLAN_DOMAIN, data[:end]), data[end:]):
        raise ValueError(NOT_VERIFIED)
    version = data[_HEADER:pos].decode(errors="replace")
    if version != __version__:
        raise ValueError(f"written by graphbuild {version}, this is {__version__}")
    try:
        return Plan.from_json(data[pos + 8:end].decode())
    except (GraphbuildError, UnicodeDecodeError) as exc:
        raise ValueError(f"bad plan: {exc}") from None
