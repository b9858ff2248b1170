"""Cache keys: SHA-256 over a canonical, length-prefixed encoding of everything that shapes a plan.

Components, in order (docs/cache.md explains each):
    source              the program text, byte for byte (whitespace and comments included,
                        since plans carry source lines and columns for error messages)
    algorithm           the --algorithm name, or "" when the file's only algorithm is meant
    graphbuild_version  graphbuild.__version__
    compiler_sources    SHA-256 of the compiler's own source files
    plan_format         PLAN_FORMAT_VERSION
    executor_abi        EXECUTOR_ABI (the opcode set plans are encoded against)
    opt_level           -O

Parameter values and the graph are not in the key: one compile serves every run.  The
compiler's sources are hashed from their files (not imported), so a cache hit stays fast.
"""
from __future__ import annotations

import functools
import hashlib
import pathlib
from dataclasses import dataclass

from .. import __version__
from ..plan.model import EXECUTOR_ABI, PLAN_FORMAT_VERSION

_PACKAGE = pathlib.Path(__file__).resolve().parents[1]
# Everything a plan is computed from: the stage packages, the driver and the type model.
COMPILER_PACKAGES = ("lang", "ir", "passes", "plan")
COMPILER_MODULES = ("compiler.py", "types.py")


@dataclass(frozen=True)
class Component:
    """One named input of a key; value is exactly what is hashed."""

    name: str
    value: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.value.encode()).hexdigest()

    def shown(self) -> str:
        """The value as `cache explain` prints it (the source is summarized, not printed)."""
        if self.name == "source":
            return f"{len(self.value.encode())} bytes, {len(self.value.splitlines())} lines"
        return self.value if self.value else '""'


@functools.lru_cache(maxsize=1)
def compiler_hash() -> str:
    """A hash of the compiler's source files, so a changed compiler never reuses old plans."""
    paths = [(package, path) for package in COMPILER_PACKAGES
             for path in sorted((_PACKAGE / package).glob("*.py"))]
    paths += [("", _PACKAGE / name) for name in COMPILER_MODULES]
    h = hashlib.sha256()
    for package, path in paths:
        data = path.read_bytes()
        h.update(f"{package}/{path.name}:{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()


def key_components(source: str, algorithm: str | None, opt_level: int) -> list[Component]:
    """The named inputs of a key, in order (shown by `graphbuild cache explain`)."""
    return [
        Component("source", source),
        Component("algorithm", algorithm or ""),
        Component("graphbuild_version", __version__),
        Component("compiler_sources", compiler_hash()),
        Component("plan_format", str(PLAN_FORMAT_VERSION)),
        Component("executor_abi", str(EXECUTOR_ABI)),
        Component("opt_level", str(opt_level)),
    ]


def key_of(components: list[Component]) -> str:
    """SHA-256 over (len, name, len, value) for each component: no two lists share an encoding."""
    h = hashlib.sha256()
    for c in components:
        for part in (c.name, c.value):
            data = part.encode()
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    return h.hexdigest()


def cache_key(source: str, algorithm: str | None, opt_level: int) -> str:
    return key_of(key_components(source, algorithm, opt_level))
