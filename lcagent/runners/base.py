"""The runner contract: messages in, one completion (text plus usage) out.

Every backend (local llama.cpp, OpenAI-compatible HTTP, vLLM, scripted) implements
``_complete``; the base class adds validation, accounting and concurrency.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Sequence, Union

from lcagent.records import Usage

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str
    tool_call_id: str | None = None
    tool_calls: tuple["ToolCall", ...] = ()
    name: str | None = None

    def to_openai(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_call_id:
            data["tool_call_id"] = self.tool_call_id
        if self.tool_calls:
            data["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        if self.name:
            data["name"] = self.name
        return data


def system(content: str) -> Message:
    return Message("system", content)


def user(content: str) -> Message:
    return Message("user", content)


def assistant(content: str) -> Message:
    return Message("assistant", content)


@dataclass(frozen=True)
class ToolCall:
    """A native tool call a model asked for; ``arguments`` is the raw JSON text."""

    id: str
    name: str
    arguments: str


# --- output constraints -------------------------------------------------------------


@dataclass(frozen=True)
class JsonSchema:
    """The completion must be JSON that validates against ``schema``."""

    schema: dict[str, Any]
    name: str = "output"


@dataclass(frozen=True)
class Grammar:
    """The completion must match a GBNF grammar (llama.cpp syntax)."""

    gbnf: str


@dataclass(frozen=True)
class Choice:
    """The completion must be exactly one of ``options``."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Verbatim:
    """The completion may only copy a contiguous span of one of ``sources`` (RecaLLM-style)."""

    sources: tuple[str, ...]


Constraint = Union[JsonSchema, Grammar, Choice, Verbatim]


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish_reason: str = "stop"  # "stop", "length", "tool_calls", "interrupted"
    tool_calls: tuple[ToolCall, ...] = ()
    model: str = ""

    def usage(self) -> Usage:
        return Usage(1, self.prompt_tokens, self.completion_tokens, self.seconds)


@dataclass(frozen=True)
class Request:
    """One call's worth of arguments, for :meth:`Runner.complete_many`."""

    messages: tuple[Message, ...]
    max_tokens: int = 256
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    constraint: Constraint | None = None
    tools: tuple[dict[str, Any], ...] = ()


# --- errors ---------------------------------------------------------------------------


class RunnerError(Exception):
    """A backend failed in a way the user must fix (bad key, server down, missing model)."""


class RunnerUnavailable(RunnerError):
    """The model server could not be reached, did not answer in time, or answered garbage: nothing
    the model said, so retrying with other input does not help; the run stops."""


class ContextWindowExceeded(RunnerError):
    def __init__(self, prompt_tokens: int, max_tokens: int, context_window: int, model: str = ""):
        self.prompt_tokens = prompt_tokens
        self.max_tokens = max_tokens
        self.context_window = context_window
        super().__init__(
            f"prompt of {prompt_tokens} tokens plus {max_tokens} to generate exceeds the "
            f"{context_window}-token context window of {model or 'the model'}; "
            "shorten the input or use a strategy that reads in chunks (--strategy chain/tools)"
        )


class ScriptExhausted(AssertionError):
    """The scripted runner was called more times than it had responses for.

    An AssertionError, not a RunnerError: it is a bug in a test or in the code under test,
    and no agent's handling of model errors may swallow it.
    """


class GenerationInterrupted(KeyboardInterrupt):
    """Ctrl-C during generation; ``partial`` holds what was produced and its usage.

    A KeyboardInterrupt, so every layer treats it as the user stopping the run (exit 130,
    run marked interrupted, a chain resumable), never as a model error to work around.
    """

    def __init__(self, partial: Completion):
        self.partial = partial
        super().__init__("generation interrupted by the user")


# --- the runner -------------------------------------------------------------------------


@dataclass
class Capabilities:
    constraints: frozenset[str] = frozenset()  # subset of {"json_schema", "grammar", "choice"}
    verbatim: bool = False
    native_tools: bool = False
    streaming: bool = False


class Runner(ABC):
    """Turns messages into completions. Subclasses implement ``_complete`` only.

    ``usage`` accumulates across every call this runner has made (thread-safe).
    """

    name: str = "runner"
    model: str = ""
    context_window: int = 8192
    capabilities: Capabilities = Capabilities()
    max_parallel: int = 1  # how many calls complete_many may run at once

    def __init__(self) -> None:
        self.usage = Usage()
        self._usage_lock = threading.Lock()

    # subclasses ---------------------------------------------------------------------
    @abstractmethod
    def _complete(self, request: Request) -> Completion: ...

    @abstractmethod
    def count_tokens(self, text: str) -> int: ...

    # public API ---------------------------------------------------------------------
    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        constraint: Constraint | None = None,
        tools: Sequence[dict[str, Any]] = (),
    ) -> Completion:
        request = Request(tuple(messages), max_tokens, temperature, tuple(stop), constraint, tuple(tools))
        return self.run(request)

    def run(self, request: Request) -> Completion:
        self._check_supported(request)
        started = time.perf_counter()
        try:
            completion = self._complete(request)
        except GenerationInterrupted as interrupted:
            self._record(interrupted.partial)
            raise
        if completion.seconds <= 0:
            completion = _with_seconds(completion, time.perf_counter() - started)
        self._record(completion)
        return completion

    def complete_many(self, requests: Sequence[Request]) -> list[Completion]:
        """Run independent requests; backends with batching override this."""
        if self.max_parallel <= 1 or len(requests) <= 1:
            return [self.run(r) for r in requests]
        with ThreadPoolExecutor(max_workers=min(self.max_parallel, len(requests))) as pool:
            return list(pool.map(self.run, requests))

    def prompt_tokens(self, messages: Sequence[Message]) -> int:
        """Token count of a chat prompt, including a small per-message overhead."""
        return sum(self.count_tokens(m.content) + 4 for m in messages) + 2

    def check_fits(self, messages: Sequence[Message], max_tokens: int) -> int:
        tokens = self.prompt_tokens(messages)
        if tokens + max_tokens > self.context_window:
            raise ContextWindowExceeded(tokens, max_tokens, self.context_window, self.model)
        return tokens

    def _check_supported(self, request: Request) -> None:
        constraint = request.constraint
        if constraint is None:
            return
        if isinstance(constraint, Verbatim):
            if not self.capabilities.verbatim:
                raise RunnerError(f"{self.name} runner cannot decode under a verbatim-copy constraint")
            return
        kind = {JsonSchema: "json_schema", Grammar: "grammar", Choice: "choice"}[type(constraint)]
        if kind not in self.capabilities.constraints:
            raise RunnerError(f"{self.name} runner does not support {kind} constraints")

    def _record(self, completion: Completion) -> None:
        with self._usage_lock:
            self.usage.add(completion.usage())

    def describe(self) -> str:
        return f"{self.name}:{self.model}" if self.model else self.name


def _with_seconds(completion: Completion, seconds: float) -> Completion:
    from dataclasses import replace

    return replace(completion, seconds=seconds)
