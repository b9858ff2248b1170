"""Cache keys: SHA-256 over a canonical, length-prefixed encoding of everything that shapes a plan.

Parameter values and the graph are not in the key: one compile serves every run.  The
compiler's own sources are hashed from their files (not imported), so a cache hit stays fast.
"""
from __future__ import annotations

import functools
import hashlib
import pathlib

from .. import __version__
from ..plan.model import PLAN_FORMAT_VERSION

_PACKAGE = pathlib.Path(__file__).resolve().parents[1]
COMPILER_PACKAGES = ("lang", "ir", "passes", "plan")


@functools.lru_cache(maxsize=1)
def compiler_hash() -> str:
    """A hash of the compiler's source files, so a changed compiler never reuses old plans."""
    h = hashlib.sha256()
    for package in COMPILER_PACKAGES:
        for path in sorted((_PACKAGE / package).glob("*.py")):
            data = path.read_bytes()
            h.update(f"{package}/{path.name}:{len(data)}:".encode())
            h.update(data)
    return h.hexdigest()


def key_components(source: str, algorithm: str | None, opt_level: int) -> list[tuple[str, str]]:
    """The named inputs of a key, in order (shown by `graphbuild cache explain`)."""
    return [
        ("source", hashlib.sha256(source.encode()).hexdigest()),
        ("algorithm", algorithm or ""),
        ("graphbuild_version", __version__),
        ("compiler_sources", compiler_hash()),
        ("plan_format", str(PLAN_FORMAT_VERSION)),
        ("opt_level", str(opt_level)),
    ]


def cache_key(source: str, algorithm: str | None, opt_level: int) -> str:
    h = hashlib.sha256()
    for name, value in key_components(source, algorithm, opt_level):
        for part in (name, value):
            data = part.encode()
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    return h.hexdigest()
