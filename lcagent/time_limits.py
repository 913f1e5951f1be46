"""Wall-clock limits for CPU-bound work: regular expressions and counting loops over pages.

The ``regex`` module's own ``timeout`` counts CPU seconds, which arrive late on a busy machine
(measured here: a 1 s timeout fired after 3 s of wall-clock time with the load at 4 on 2
cores). So bounded work runs on a helper thread, and the caller stops waiting for it at the
deadline. The regex timeout, given the same budget, still ends an abandoned thread soon after,
and the work checks ``TimeLimit.remaining()`` between steps, so an abandoned thread stops there.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class TimeLimit:
    """A wall-clock deadline shared by every step of one bounded call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises ``TimeoutError`` once there are none (so loops stop at their next step)."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"ran longer than {self.seconds:g} s")
        return left


def run_within(limit: TimeLimit | None, work: Callable[[], T]) -> T:
    """``work()``, or ``TimeoutError`` at ``limit``'s deadline even if ``work`` is stuck in C code.

    ``work`` must not touch SQLite or other shared state the caller may close after a timeout:
    give it plain strings. Regex calls inside it should pass ``concurrent=True`` (so the waiting
    thread gets the GIL back on time) and ``timeout=limit.remaining()``.
    """
    if limit is None:
        return work()
    outcome: list[tuple[bool, object]] = []

    def target() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as error:  # handed to the caller's thread
            outcome.append((False, error))

    worker = threading.Thread(target=target, name="lcagent-bounded-work", daemon=True)
    worker.start()
    worker.join(max(0.0, limit.end - time.monotonic()))
    if not outcome:
        raise TimeoutError(f"ran longer than {limit.seconds:g} s")
    succeeded, value = outcome[0]
    if succeeded:
        return value  # type: ignore[return-value]
    raise value  # type: ignore[misc]
