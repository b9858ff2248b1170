"""The graph cache's files, as the cache commands see them (no C here: runtime/graph_cache.py
loads and stores graphs through them).

In `<cache dir>/graphs/`:
    <content id>.gbgraph   a blob: one binary graph (C's gb_graph_save format), named by the
                           SHA-256 of its bytes (auth.tree_mac_and_id), its MAC in its header
    <key>.gbref            a reference: which blob holds the graph of one input file (or
                           generator) under one set of load options

Load options that leave the same graph (--dedupe on a file without duplicate edges) give
equal bytes, hence one blob with several references.  A reference is
    magic b"GBGREF\\r\\n", a JSON payload (blob, source, options), 32-byte HMAC
with the MAC over its own key name and payload (auth.GRAPH_REF_DOMAIN), so a reference can
neither be forged nor moved to another key; the blob is checked against the content id the
reference names and against its own MAC before C maps it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import re
from typing import Any

from ..safe_io import TEMP_PREFIX, read_regular
from .auth import GRAPH_REF_DOMAIN, NOT_VERIFIED, entry_mac, same_mac

BLOB_SUFFIX = ".gbgraph"
REF_SUFFIX = ".gbref"
REF_MAGIC = b"GBGREF\r\n"
MAX_REF_BYTES = 64 << 10
CONTENT_ID = re.compile(r"[0-9a-f]{64}")


def graphs_dir(cache_dir: str | os.PathLike) -> pathlib.Path:
    return pathlib.Path(cache_dir) / "graphs"


def encode_ref(key: bytes, name: str, payload: dict[str, Any]) -> bytes:
    body = REF_MAGIC + json.dumps(payload, sort_keys=True).encode()
    return body + entry_mac(key, GRAPH_REF_DOMAIN, name.encode() + b"\0" + body)


def decode_ref(data: bytes, key: bytes | None, name: str) -> dict[str, Any]:
    """A reference's payload; ValueError saying what is wrong.  key None: unauthenticated
    (only to list or group files, never to load a graph)."""
    if not data.startswith(REF_MAGIC) or len(data) < len(REF_MAGIC) + 32:
        raise ValueError("not a graph cache reference")
    body, mac = data[:-32], data[-32:]
    if key is not None and not same_mac(entry_mac(key, GRAPH_REF_DOMAIN, name.encode() + b"\0" + body), mac):
        raise ValueError(NOT_VERIFIED)
    try:
        payload = json.loads(body[len(REF_MAGIC):])
    except (UnicodeDecodeError, ValueError):
        raise ValueError("a damaged reference") from None
    if not isinstance(payload, dict) or not CONTENT_ID.fullmatch(str(payload.get("blob", ""))):
        raise ValueError("a reference without a blob")
    return payload


@dataclasses.dataclass
class GraphEntry:
    """One reference and the blob it names (size 0 and problem set when it is missing)."""

    key: str
    path: pathlib.Path
    blob: str
    source: str
    options: dict[str, Any]
    size: int             # the blob's bytes (shared blobs count once in totals, not here)
    last_used: float      # the blob's mtime: every hit touches it
    problem: str = ""
    layout: str = "original"   # the reference's "layout" (docs/graphs.md "Layout")


def read_refs(directory: pathlib.Path, key: bytes | None = None) -> list[GraphEntry]:
    """Every reference in directory, with its blob's size and last use."""
    entries = []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    for name in names:
        if not name.endswith(REF_SUFFIX) or name.startswith(TEMP_PREFIX):
            continue
        path = directory / name
        ref_key = name[: -len(REF_SUFFIX)]
        try:
            payload = decode_ref(read_regular(path, MAX_REF_BYTES), key, ref_key)
        except (OSError, ValueError) as exc:
            entries.append(GraphEntry(ref_key, path, "", "", {}, 0, 0.0, str(exc)))
            continue
        blob = directory / f"{payload['blob']}{BLOB_SUFFIX}"
        try:
            st = blob.lstat()
            size, used, problem = st.st_size, st.st_mtime, ""
        except OSError:
            size, used, problem = 0, 0.0, "its graph was evicted"
        entries.append(GraphEntry(ref_key, path, payload["blob"], str(payload.get("source", "")),
                                  payload.get("options") or {}, size, used, problem,
                                  str(payload.get("layout", "original"))))
    return entries


__all__ = ["BLOB_SUFFIX", "GraphEntry", "REF_SUFFIX", "decode_ref", "encode_ref", "graphs_dir",
           "read_refs"]
