"""The compiled C executor (graphbuild._native, built by cffi from csrc/): `ffi` and `lib`."""
from __future__ import annotations

from ..errors import ErrorKind, GraphbuildError

try:
    from graphbuild import _native
except ImportError as exc:  # the package was copied or checked out without building csrc/
    raise GraphbuildError(
        f"the graphbuild C extension is not built or cannot be loaded ({exc}); "
        "run `pip install .` to build it",
        kind=ErrorKind.RUNTIME,
        hint="in a source checkout, `make native` builds it in place",
    ) from None

ffi = _native.ffi
lib = _native.lib

__all__ = ["ffi", "lib"]
