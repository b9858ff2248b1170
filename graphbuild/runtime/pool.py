"""The buffer pool: every node-vector slot of a run inside one allocation.

The plan fixes the slots and their element types, the graph fixes n, so a run needs
sum(slot bytes) at once and never more: one block, each slot at a 64-byte aligned offset
(slot_layout), zeroed before every run, allocated nothing inside the run's loops.  An
Executable keeps its pool between runs and trials and allocates again only when a larger
graph comes; the block is freed when the pool (its Executable) is dropped.

A pool serves one run at a time (lock): a second thread running the same Executable
borrows a private pool instead of waiting.  The caller keeps the block alive until C has
returned, interrupt or not (executor._run_interruptibly never returns earlier).
"""
from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .native import ffi

ALIGN = 64
ELEMENT_BYTES = {"float": 8, "int": 8, "node": 8, "bool": 1}

# The pool zeroes what a run uses itself; clearing the whole block on allocation too is waste.
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)


def aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def slot_layout(dtypes: list[str], n: int) -> tuple[list[int], int]:
    """(offset of each slot, total bytes) for n nodes; each slot holds at least one element,
    so no two slots ever start at one address."""
    offsets, total = [], 0
    for d in dtypes:
        offsets.append(total)
        total += aligned(max(n, 1) * ELEMENT_BYTES[d])
    return offsets, total


class BufferPool:
    def __init__(self) -> None:
        self._block: Any = None
        self._base = 0           # the first ALIGN-aligned address inside the block
        self.capacity = 0        # usable bytes from _base
        self.allocations = 0     # how many blocks this pool has allocated
        self.lock = threading.Lock()

    @property
    def address(self) -> int:
        return self._base

    def slots(self, dtypes: list[str], n: int) -> Any:
        """A void *[] of the slots for n nodes, zeroed, inside this pool's block (grown if
        it is too small).  Valid until the next call or until the pool is dropped."""
        offsets, total = slot_layout(dtypes, n)
        if total > self.capacity:
            self._block = None   # free the old block before asking for the bigger one
            self._block = _new_uncleared("char[]", total + ALIGN)
            raw = int(ffi.cast("uintptr_t", self._block))
            self._base, self.capacity = -(-raw // ALIGN) * ALIGN, total
            self.allocations += 1
        ctypes.memset(self._base, 0, total)
        slots = ffi.new("void *[]", max(len(dtypes), 1))
        for i, off in enumerate(offsets):
            slots[i] = ffi.cast("void *", self._base + off)
        return slots

    def detach(self) -> Any:
        """Hand the block to the caller (the Python API's result keeps views of its slots);
        the pool allocates a new one on its next use.  Called by the run that borrowed it."""
        block = self._block
        self._block, self._base, self.capacity = None, 0, 0
        return block

    def release(self) -> None:
        """Free the block now (the pool allocates again on its next use)."""
        with self.lock:
            self._block, self._base, self.capacity = None, 0, 0

    @contextmanager
    def borrow(self) -> Iterator["BufferPool"]:
        """This pool for one run, or a private one if another thread is using it."""
        if not self.lock.acquire(blocking=False):
            yield BufferPool()
            return
        try:
            yield self
        finally:
            self.lock.release()
