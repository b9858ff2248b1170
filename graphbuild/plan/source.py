"""The program text a plan was compiled from, read back only when it is that text.

A plan records the SHA-256 of its source (stats["source_sha256"], set by the compiler) and
the path it came from.  Error messages quote a source line only when source_path is a
regular file of at most MAX_SOURCE_BYTES, opened without blocking (not a FIFO or a device),
whose text has that digest: a crafted plan file cannot make graphbuild read /dev/zero, wait
on a FIFO, or print a line of someone else's file.
"""
from __future__ import annotations

import hashlib

from ..safe_io import read_regular
from .model import Plan

MAX_SOURCE_BYTES = 16 << 20


def source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def own_source(plan: Plan) -> str | None:
    """The plan's own program text, or None when it cannot be read back as it was compiled."""
    digest = plan.stats.get("source_sha256")
    if not isinstance(digest, str) or not isinstance(plan.source_path, str):
        return None
    try:
        data = read_regular(plan.source_path, MAX_SOURCE_BYTES, follow_symlinks=True)
        text = data.decode("utf-8")
    except (OSError, ValueError):   # ValueError: a NUL in the path, or not UTF-8
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")   # as the compiler read it
    return text if source_digest(text) == digest else None
