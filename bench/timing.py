"""Trial timing shared by graphbuild and the peers: min and median over a bounded number of runs."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Timing:
    """Seconds per trial; `value` is the last trial's result (what the checks look at)."""

    times: list[float] = field(default_factory=list)
    value: Any = None
    note: str = ""

    @property
    def min_ms(self) -> float:
        return 1e3 * min(self.times)

    @property
    def median_ms(self) -> float:
        return 1e3 * statistics.median(self.times)


def run_trials(fn: Callable[[], tuple[Any, float | None]], trials: int, budget_s: float) -> Timing:
    """Call fn() up to `trials` times, stopping early once `budget_s` seconds have been spent.

    fn returns (value, seconds): seconds is the time it measured itself (None: time the whole
    call). At least one trial always runs, so a slow case costs one run, not `trials`.
    """
    timing = Timing()
    spent = 0.0
    for _ in range(max(trials, 1)):
        start = time.perf_counter()
        value, seconds = fn()
        elapsed = time.perf_counter() - start
        timing.times.append(elapsed if seconds is None else seconds)
        timing.value = value
        spent += elapsed
        if spent >= budget_s:
            break
    return timing


def timed(fn: Callable[[], Any]) -> Callable[[], tuple[Any, None]]:
    """Adapt a plain callable to run_trials: the whole call is the measured time."""
    return lambda: (fn(), None)
