"""A runner wrapper that records every call into a run's trace and keeps the run within its budget.

A budget (tokens, calls, seconds) is checked before each call with an estimate of what the call
may cost, so a run never spends more than it was given: a call that might overshoot is not made.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from lcagent.records import Usage
from lcagent.runners.base import Choice, Completion, JsonSchema, Grammar, Request, Runner, RunnerError, Verbatim

# How a user raises each limit, for the messages.
_LIMIT_OPTIONS = {"tokens": "--budget-tokens", "calls": "--budget-calls", "seconds": "--budget-seconds"}


class BudgetExceeded(RunnerError):
    """The run's budget cannot pay for the next call, which was therefore not made.

    The tool agent answers from the evidence it has; chain and map-reduce answer from the notes
    they have; strategies that need the model to finish (full, rag) stop with this.
    ``limit`` is "tokens", "calls" or "seconds"; ``used``, ``needed`` and ``budget`` are in its unit.
    """

    def __init__(self, limit: str, used: float, needed: float, budget: float):
        self.limit, self.used, self.needed, self.budget = limit, used, needed, budget
        option = _LIMIT_OPTIONS[limit]
        if limit == "calls":
            detail = f"budget of {budget:g} LLM calls would be exceeded ({used:g} made, {needed:g} more needed)"
        elif limit == "tokens":
            detail = (f"token budget of {budget:g} would be exceeded ({used:g} used, the next call may need up to "
                      f"{needed:g}: prompt plus max_tokens)")
        else:
            detail = (f"time budget of {budget:g} s would be exceeded ({used:.1f} s used, the next call is "
                      f"estimated at {needed:.1f} s)")
        super().__init__(f"{detail}; the call was not made: raise {option} or narrow the question")


@dataclass(frozen=True)
class CallEstimate:
    """The most a call may cost before it is made: prompt tokens counted plus max_tokens, and
    seconds at the rate this run's earlier calls were measured at (0 before the first)."""

    tokens: int
    seconds: float


class TracingRunner(Runner):
    """Delegates to ``inner``; records each call via ``record``, keeps this run's usage, and
    refuses a call its budget (``budget_tokens``, ``budget_calls``, ``budget_seconds``) might not
    cover. Seconds count from this runner's creation (the run's start) on ``clock``.

    ``budget_stop`` holds the first refusal (or the first batch cut short), so the caller can mark
    an answer given after it as partial.
    """

    def __init__(
        self,
        inner: Runner,
        record: Callable[[str, Request, Completion], None],
        *,
        budget_tokens: int | None = None,
        budget_calls: int | None = None,
        budget_seconds: float | None = None,
        on_usage: Callable[[Usage], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.record = record
        self.budget_tokens = budget_tokens
        self.budget_calls = budget_calls
        self.budget_seconds = budget_seconds
        self.on_usage = on_usage
        self.clock = clock
        self.started = clock()
        self.budget_stop: BudgetExceeded | None = None
        self.name = inner.name
        self.model = inner.model
        self.context_window = inner.context_window
        self.capabilities = inner.capabilities
        self.max_parallel = inner.max_parallel
        self._label = threading.local()

    def labelled(self, label: str) -> "_Label":
        """``with runner.labelled("worker 3/9"): ...`` names the calls made inside in the trace."""
        return _Label(self._label, label)

    def _current_label(self) -> str:
        """This thread's label, "llm" outside any labelled block."""
        return getattr(self._label, "value", None) or "llm"

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def prompt_tokens(self, messages) -> int:
        return self.inner.prompt_tokens(messages)

    # budget -------------------------------------------------------------------------
    def estimate(self, request: Request, *, extra_prompt_tokens: int = 0) -> CallEstimate:
        """What ``request`` may cost at most; ``extra_prompt_tokens`` for text not yet known
        (a note a worker has still to write)."""
        most_generated = request.max_tokens
        if isinstance(request.constraint, Choice) and request.constraint.options:
            # runners stretch max_tokens so that the longest option fits (see LocalRunner)
            longest = max(len(option.encode("utf-8")) for option in request.constraint.options)
            most_generated = max(most_generated, longest + 1)
        tokens = self.inner.prompt_tokens(request.messages) + extra_prompt_tokens + most_generated
        return CallEstimate(tokens, tokens * self._seconds_per_token())

    def _seconds_per_token(self) -> float:
        with self._usage_lock:
            spent, tokens = self.usage.seconds, self.usage.total_tokens
        return spent / tokens if tokens else 0.0

    def refusal(self, requests: Sequence[Request], *, reserve: Sequence[CallEstimate] = ()) -> BudgetExceeded | None:
        """Why the budget would not pay for ``requests`` plus the calls in ``reserve``; None if it would."""
        if self.budget_tokens is None and self.budget_calls is None and self.budget_seconds is None:
            return None
        estimates = [self.estimate(request) for request in requests] + list(reserve)
        with self._usage_lock:
            calls, tokens = self.usage.llm_calls, self.usage.total_tokens
        if self.budget_calls is not None and calls + len(estimates) > self.budget_calls:
            return BudgetExceeded("calls", calls, len(estimates), self.budget_calls)
        needed_tokens = sum(estimate.tokens for estimate in estimates)
        if self.budget_tokens is not None and tokens + needed_tokens > self.budget_tokens:
            return BudgetExceeded("tokens", tokens, needed_tokens, self.budget_tokens)
        if self.budget_seconds is not None:
            elapsed = self.clock() - self.started
            # a batch runs max_parallel calls at once; a reserved call comes after it
            batch = [estimate.seconds for estimate in estimates[: len(requests)]]
            needed = sum(batch) / max(1, min(self.max_parallel, len(batch) or 1))
            needed += sum(estimate.seconds for estimate in reserve)
            if elapsed >= self.budget_seconds or elapsed + needed > self.budget_seconds:
                return BudgetExceeded("seconds", elapsed, needed, self.budget_seconds)
        return None

    def check(self, requests: Sequence[Request], *, reserve: Sequence[CallEstimate] = ()) -> None:
        """Raise BudgetExceeded (and remember it) unless the budget pays for all of ``requests``."""
        refused = self.refusal(requests, reserve=reserve)
        if refused is not None:
            self._stopped(refused)
            raise refused

    def affordable(self, requests: Sequence[Request], *, reserve: Sequence[CallEstimate] = ()) -> int:
        """How many of ``requests``, in order, the budget pays for while still paying for ``reserve``.
        When not all, the refusal is remembered in ``budget_stop``."""
        count = len(requests)
        while count > 0 and self.refusal(requests[:count], reserve=reserve) is not None:
            count -= 1
        if count < len(requests):
            self._stopped(self.refusal(requests[: count + 1], reserve=reserve))
        return count

    def _stopped(self, refused: BudgetExceeded | None) -> None:
        if refused is not None and self.budget_stop is None:
            self.budget_stop = refused

    # calls --------------------------------------------------------------------------
    def _complete(self, request: Request) -> Completion:
        self.check([request])
        completion = self.inner.run(request)
        self.record(self._current_label(), request, completion)
        return completion

    def complete_many(self, requests: Sequence[Request]) -> list[Completion]:
        """Delegate the whole batch (vLLM batches it; HTTP runners run it concurrently)."""
        self.check(requests)
        label = self._current_label()  # read here: worker threads do not see this thread's label
        completions = self.inner.complete_many(requests)
        for request, completion in zip(requests, completions):
            self._record(completion)
            self.record(label, request, completion)
        return completions

    def _record(self, completion: Completion) -> None:
        super()._record(completion)
        if self.on_usage:
            self.on_usage(self.usage)


class _Label:
    def __init__(self, local: threading.local, label: str) -> None:
        self.local, self.label, self.previous = local, label, None

    def __enter__(self) -> None:
        self.previous = getattr(self.local, "value", None)
        self.local.value = self.label

    def __exit__(self, *exc) -> None:
        self.local.value = self.previous


def describe_request(request: Request) -> dict:
    """A JSON-able view of a request for the trace."""
    constraint = request.constraint
    if isinstance(constraint, JsonSchema):
        described = {"json_schema": constraint.schema}
    elif isinstance(constraint, Choice):
        described = {"choice": list(constraint.options)}
    elif isinstance(constraint, Grammar):
        described = {"grammar": constraint.gbnf[:500]}
    elif isinstance(constraint, Verbatim):
        described = {"verbatim_sources": len(constraint.sources)}
    else:
        described = None
    return {
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "max_tokens": request.max_tokens,
        "constraint": described,
        "tools": [t.get("function", {}).get("name") for t in request.tools],
    }


def describe_completion(completion: Completion) -> dict:
    return {
        "text": completion.text,
        "finish_reason": completion.finish_reason,
        "tool_calls": [{"name": c.name, "arguments": c.arguments} for c in completion.tool_calls],
    }


__all__ = ["BudgetExceeded", "CallEstimate", "TracingRunner", "describe_completion", "describe_request"]
