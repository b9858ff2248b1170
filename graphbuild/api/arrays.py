"""numpy views of memory C owns, and the element types of program values.

    view(address, count, np.float64, owner)   # an array over C memory that keeps owner alive

A view's base is a small object holding `owner` (the pool block a run wrote its columns
into, or the C graph whose ids it reads), so the memory lives exactly as long as some array
over it does: nothing is copied and nothing dangles.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# element type of each program dtype as numpy holds it: node values are node indices
DTYPES = {"float": np.dtype(np.float64), "int": np.dtype(np.int64), "node": np.dtype(np.int64),
          "bool": np.dtype(np.bool_)}


class _Memory:
    """C memory as numpy's array interface sees it, plus what keeps it alive."""

    def __init__(self, address: int, nbytes: int, owner: Any):
        self.__array_interface__ = {"shape": (nbytes,), "typestr": "|u1", "version": 3,
                                    "data": (address, False)}
        self.owner = owner


def view(address: int, count: int, dtype: np.dtype, owner: Any) -> np.ndarray:
    """count elements of dtype at address, read and written in place; owner stays alive as
    long as the array (or any array made from it) does."""
    if count == 0:
        return np.empty(0, dtype)
    raw = np.asarray(_Memory(address, count * dtype.itemsize, owner))
    return raw.view(dtype)


def as_ids(values: Any) -> np.ndarray:
    """Node ids as an array: int64 when every id is a Python or numpy integer that fits,
    otherwise objects, each id as given (tuples stay tuples)."""
    values = list(values)
    if all(type(v) is int for v in values):
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            pass
    return np.fromiter(values, dtype=object, count=len(values))


__all__ = ["DTYPES", "as_ids", "view"]
