"""Ctrl-C during a call into C: the call runs on a worker thread, and the main thread, which
is where Python delivers SIGINT, turns it into a flag C polls.

    stop = Interrupt()
    status = call_interruptibly(lambda: lib.gb_run(..., stop.flag ...), stop)

C sees the flag at its next poll (between chunks, blocks and passes) and returns GB_EINTR;
the main thread keeps waiting until it has, since C is using the caller's buffers, then
raises KeyboardInterrupt if the flag was raised even though C finished first, so a Ctrl-C is
never lost.  Nothing runs Python code inside a cffi callback when the signal arrives: a
progress callback runs on the worker thread and only reads the flag.
"""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

from .native import ffi

T = TypeVar("T")


class Interrupt:
    """The int32 flag C polls (gb_run_options.interrupt, gb_load_options.interrupt, ...)."""

    def __init__(self) -> None:
        self.flag = ffi.new("int32_t *")

    @property
    def raised(self) -> bool:
        return bool(self.flag[0])


def call_interruptibly(call: Callable[[], T], interrupt: Interrupt,
                       on_interrupt: Callable[[T], None] | None = None) -> T:
    """call() on a worker thread; Ctrl-C meanwhile raises the flag.  Once call() has returned,
    a raised flag is a KeyboardInterrupt (on_interrupt(result) first, to free what C made).

    It waits on an Event, not Thread.join: on Python 3.11 a join interrupted by Ctrl-C can
    mark the still running thread as stopped (its bpo-45274 clean-up releases the lock the
    worker holds), and the buffers would then be freed under C."""
    box: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 (raised again on the main thread)
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, daemon=True).start()
    while not done.is_set():
        try:
            done.wait(0.05)
        except KeyboardInterrupt:
            interrupt.flag[0] = 1   # C stops at its next poll; keep waiting until it has
    if "error" in box:
        raise box["error"]   # type: ignore[misc]
    value = box["value"]
    if interrupt.raised:
        if on_interrupt is not None:
            on_interrupt(value)   # type: ignore[arg-type]
        raise KeyboardInterrupt
    return value   # type: ignore[return-value]
