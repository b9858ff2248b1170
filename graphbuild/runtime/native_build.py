"""cffi build script (API mode, out-of-line): compiles csrc/ into graphbuild._native.

The cdef is the public header itself, minus preprocessor lines, so C and Python share
one declaration of every function and constant.
"""
from __future__ import annotations

import os
import pathlib

from cffi import FFI

ROOT = pathlib.Path(__file__).resolve().parents[2]
CSRC = ROOT / "csrc"


def _cdef_text() -> str:
    header = (CSRC / "graphbuild.h").read_text()
    return "\n".join(line for line in header.splitlines() if not line.lstrip().startswith("#"))


def _sources() -> list[str]:
    # Paths relative to the project root, as setuptools wants them: csrc/exec (the executor)
    # and csrc/graph (graph loading and storage); csrc/ itself holds the shared headers.
    return sorted(str(p.relative_to(ROOT)) for p in CSRC.glob("*/*.c"))


ffibuilder = FFI()
ffibuilder.cdef(_cdef_text())
ffibuilder.set_source(
    "graphbuild._native",
    '#include "graphbuild.h"',
    sources=_sources(),
    include_dirs=[str(CSRC.relative_to(ROOT))],
    extra_compile_args=["-O3", "-std=c11", "-Wall", "-Wextra", "-pthread",
                        *os.environ.get("GRAPHBUILD_CFLAGS", "").split()],
    extra_link_args=["-pthread", "-lm", "-lz"],   # zlib: csrc/graph/graph_read.c reads gzipped edge lists
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
