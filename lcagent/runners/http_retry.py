"""When and how long to wait before repeating an HTTP call to a model server.

Kept apart from the runner so the schedule can be tested (and replaced in tests) without a server.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Callable, Mapping

# 408 and 409 are what OpenAI itself answers for transient overload and lock contention.
RETRYABLE_STATUS = frozenset({408, 409, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by ``max_retries`` and ``max_delay``.

    ``max_retries`` counts repeats, so a call is attempted at most ``max_retries + 1`` times.
    A server's ``Retry-After`` wins over the schedule when it is no longer than
    ``max_retry_after``; a longer one means "not any time soon" and ends the retries.
    """

    max_retries: int = 4
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25  # fraction of the delay added or removed at random
    random_source: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def delay(self, retry_number: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before repeat number ``retry_number`` (1-based); None: give up."""
        if retry_number > self.max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return max(retry_after, 0.0)
        base = min(self.initial_delay * 2 ** (retry_number - 1), self.max_delay)
        spread = base * self.jitter
        return max(base - spread + 2 * spread * self.random_source(), 0.0)


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
