"""Grow a haystack until the prompt is as long as the target, counting tokens like RULER.

RULER grows the haystack in fixed steps (500 essay words, 25 noise lines, 10 documents) and
re-tokenises the whole prompt at every step. Token count is close to linear in haystack
size, so a secant search lands within a fraction of a percent in 3-5 full encodes instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Generic, TypeVar

Built = TypeVar("Built")

# Stop searching once the fitted prompt is this close below the target: each further
# step costs a full encode (0.2 s at 1M tokens) for a negligible gain.
CLOSE_ENOUGH = 0.003


@lru_cache(maxsize=1)
def _encoding():
    from lcagent.tokens import get_encoding

    return get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    """cl100k tokens of ``text``, special-token strings counted as plain text."""
    return len(_encoding().encode_ordinary(text))


@dataclass(frozen=True)
class Fitted(Generic[Built]):
    units: int
    built: Built
    tokens: int
    capped: bool  # the haystack ran out before the target was reached


def fit_units(
    build: Callable[[int], Built],
    measure: Callable[[Built], int],
    budget: int,
    *,
    first_guess: int,
    minimum: int = 1,
    maximum: int | None = None,
) -> Fitted[Built]:
    """The largest unit count ``n`` in ``[minimum, maximum]`` with ``measure(build(n)) <= budget``.

    ``build`` must be deterministic in ``n``. When even ``minimum`` is over budget it is
    returned anyway: RULER also keeps its smallest haystack rather than emit nothing.
    """
    cache: dict[int, tuple[Built, int]] = {}

    def evaluate(units: int) -> tuple[Built, int]:
        if units not in cache:
            built = build(units)
            cache[units] = (built, measure(built))
        return cache[units]

    def clamp(units: int) -> int:
        units = max(minimum, units)
        return units if maximum is None else min(maximum, units)

    fits: tuple[int, int] | None = None  # (units, tokens), largest known within budget
    over: tuple[int, int] | None = None  # smallest known over budget
    units = clamp(first_guess)
    previous: tuple[int, int] | None = None
    for _ in range(60):
        _, tokens = evaluate(units)
        if tokens <= budget:
            if fits is None or units > fits[0]:
                fits = (units, tokens)
        elif over is None or units < over[0]:
            over = (units, tokens)

        if fits is not None:
            at_top = maximum is not None and fits[0] >= maximum
            adjacent = over is not None and over[0] - fits[0] <= 1
            if at_top or adjacent or budget - fits[1] <= budget * CLOSE_ENOUGH:
                break
        elif units == minimum:
            break  # even the smallest haystack is too long
        next_units = clamp(_next_guess(fits, over, budget, previous))
        previous = (units, tokens)
        if next_units in cache:  # clamped onto a known point: nothing left to learn
            break
        units = next_units

    if fits is None:
        built, tokens = evaluate(minimum)
        return Fitted(minimum, built, tokens, capped=False)
    capped = maximum is not None and fits[0] >= maximum and fits[1] < budget * (1 - 0.02)
    return Fitted(fits[0], cache[fits[0]][0], fits[1], capped=capped)


def _next_guess(
    fits: tuple[int, int] | None,
    over: tuple[int, int] | None,
    budget: int,
    previous: tuple[int, int] | None,
) -> int:
    if fits is not None and over is not None:
        (low, low_tokens), (high, high_tokens) = fits, over
        per_unit = (high_tokens - low_tokens) / max(high - low, 1)
        guess = low + int((budget - low_tokens) / max(per_unit, 1e-9))
        # Strictly inside the bracket, so every step shrinks it.
        return min(max(guess, low + 1), high - 1)
    units, tokens = fits if fits is not None else over  # type: ignore[misc]
    if previous is not None and previous[0] != units and previous[1] != tokens:
        per_unit = (tokens - previous[1]) / (units - previous[0])
        guess = units + int((budget - tokens) / max(per_unit, 1e-9))
    else:
        # tokens/units overstates the per-unit cost (the template is a fixed overhead),
        # so this undershoots when growing: it approaches the target from below.
        guess = int(units * budget / max(tokens, 1))
    if fits is not None:
        return max(guess, units + 1)
    return min(guess, units - 1)
