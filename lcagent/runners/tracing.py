"""A runner wrapper that records every call into a run's trace and enforces a token budget."""

from __future__ import annotations

import threading
from typing import Callable, Sequence

from lcagent.records import Usage
from lcagent.runners.base import Choice, Completion, JsonSchema, Grammar, Request, Runner, RunnerError, Verbatim


class BudgetExceeded(RunnerError):
    """The run's token budget is spent. The tool agent answers from the evidence it has;
    strategies that need the model to finish (chain, map-reduce, full, rag) stop with this."""

    def __init__(self, used: int, budget: int):
        self.used, self.budget = used, budget
        super().__init__(f"token budget of {budget} spent ({used} used); raise --budget-tokens or narrow the question")


class TracingRunner(Runner):
    """Delegates to ``inner``; records each call via ``record`` and keeps this run's usage."""

    def __init__(
        self,
        inner: Runner,
        record: Callable[[str, Request, Completion], None],
        *,
        budget_tokens: int | None = None,
        on_usage: Callable[[Usage], None] | None = None,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.record = record
        self.budget_tokens = budget_tokens
        self.on_usage = on_usage
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

    def _complete(self, request: Request) -> Completion:
        if self.budget_tokens is not None and self.usage.total_tokens >= self.budget_tokens:
            raise BudgetExceeded(self.usage.total_tokens, self.budget_tokens)
        completion = self.inner.run(request)
        self.record(self._current_label(), request, completion)
        return completion

    def complete_many(self, requests: Sequence[Request]) -> list[Completion]:
        """Delegate the whole batch (vLLM batches it; HTTP runners run it concurrently)."""
        if self.budget_tokens is not None and self.usage.total_tokens >= self.budget_tokens:
            raise BudgetExceeded(self.usage.total_tokens, self.budget_tokens)
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


__all__ = ["BudgetExceeded", "TracingRunner", "describe_completion", "describe_request"]
