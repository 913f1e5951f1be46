"""When and how long to wait before repeating an HTTP call to a model server, within its deadline.

Kept apart from the runner so the schedule can be tested (and replaced in tests) without a server.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Callable, Mapping

from lcagent.runners.base import RunnerError

# 408 and 409 are what OpenAI itself answers for transient overload and lock contention.
RETRYABLE_STATUS = frozenset({408, 409, 429})

# One model call (every attempt and every wait between them) ends within this many seconds unless
# the user says otherwise; a hung server must not hold a run for minutes.
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_RETRIES = 4
TIMEOUT_VARIABLE = "LCAGENT_TIMEOUT"
RETRIES_VARIABLE = "LCAGENT_RETRIES"
# How a user changes the deadline, named in every message about it (CLI, environment, Python).
TIMEOUT_FIX = f"--timeout SECONDS ({TIMEOUT_VARIABLE}, or timeout= in lcagent.ask)"
RETRIES_FIX = f"--retries N ({RETRIES_VARIABLE}, or retries= in lcagent.ask)"


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by ``max_retries`` and ``max_delay``.

    ``max_retries`` counts repeats, so a call is attempted at most ``max_retries + 1`` times.
    A server's ``Retry-After`` wins over the schedule; whether it fits the call's deadline is the
    caller's decision (see :class:`Deadline`).
    """

    max_retries: int = DEFAULT_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25  # fraction of the delay added or removed at random
    random_source: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def delay(self, retry_number: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before repeat number ``retry_number`` (1-based); None: no repeats left."""
        if retry_number > self.max_retries:
            return None
        if retry_after is not None:
            return max(retry_after, 0.0)
        base = min(self.initial_delay * 2 ** (retry_number - 1), self.max_delay)
        spread = base * self.jitter
        return max(base - spread + 2 * spread * self.random_source(), 0.0)


class Deadline:
    """The time one model call may take, every attempt and every wait included."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.started = clock()

    def elapsed(self) -> float:
        return self.clock() - self.started

    def remaining(self) -> float:
        return max(0.0, self.seconds - self.elapsed())


def parse_retry_after(headers: Mapping[str, str] | None, now: datetime | None = None) -> float | None:
    """Seconds a server asked us to wait: ``retry-after-ms``, ``retry-after`` seconds or HTTP date."""
    if not headers:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - (now or datetime.now(timezone.utc))).total_seconds()


def resolve_timeout(timeout: float | None) -> float:
    """The deadline in seconds: the argument, else $LCAGENT_TIMEOUT, else DEFAULT_TIMEOUT_S."""
    if timeout is None:
        raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
        if not raw:
            return DEFAULT_TIMEOUT_S
        try:
            timeout = float(raw)
        except ValueError:
            raise RunnerError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number of seconds; set it to e.g. 60") from None
    if not timeout > 0:
        raise RunnerError(f"the timeout must be a positive number of seconds, not {timeout!r}; e.g. --timeout 60")
    return float(timeout)


def resolve_retries(retries: int | None) -> int:
    """How many times a failed call is repeated: the argument, else $LCAGENT_RETRIES, else DEFAULT_RETRIES."""
    if retries is None:
        raw = os.environ.get(RETRIES_VARIABLE, "").strip()
        if not raw:
            return DEFAULT_RETRIES
        try:
            retries = int(raw)
        except ValueError:
            raise RunnerError(f"{RETRIES_VARIABLE}={raw!r} is not a whole number; set it to e.g. 2") from None
    if retries < 0:
        raise RunnerError(f"retries must be 0 or more, not {retries}; e.g. --retries 2")
    return int(retries)
