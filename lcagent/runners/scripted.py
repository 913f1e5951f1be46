"""A fake runner for tests: replays a script (or calls a function) and records every request.

It checks scripted outputs against the request's constraint, so a test cannot pass by
scripting an answer the real constrained model could never produce.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Callable, Sequence, Union

from lcagent.runners.base import (
    Capabilities,
    Choice,
    Completion,
    JsonSchema,
    Request,
    Runner,
    RunnerError,
    ScriptExhausted,
    Verbatim,
)
from lcagent.runners.schema_check import json_errors

ScriptItem = Union[str, Completion, BaseException]
ScriptFunction = Callable[[Request], Union[str, Completion]]

# What the default local model offers, so agents take their usual code paths in tests.
LOCAL_LIKE = Capabilities(constraints=frozenset({"json_schema", "grammar", "choice"}), verbatim=True)
# A remote chat model with native tool calling and JSON output but no verbatim decoding.
API_LIKE = Capabilities(constraints=frozenset({"json_schema"}), native_tools=True, streaming=True)

_TOKEN = re.compile(r"\w+|[^\w\s]")


class ScriptedScriptError(RunnerError):
    """The script itself is wrong for the request it answered (a test bug, not a model one)."""


class ScriptedRunner(Runner):
    """Answers from ``responses`` in order, or from ``fn(request)``; ``calls`` lists every request.

    A script item may be a string (the completion text), a :class:`Completion` (for tool calls,
    finish reasons or usage numbers) or an exception instance, which is raised at that call.
    """

    name = "scripted"

    def __init__(
        self,
        responses: Sequence[ScriptItem] | None = None,
        fn: ScriptFunction | None = None,
        context_window: int = 8192,
        capabilities: Capabilities = LOCAL_LIKE,
        *,
        model: str = "scripted",
        max_parallel: int = 1,
    ):
        super().__init__()
        if (responses is None) == (fn is None):
            raise ValueError("ScriptedRunner needs exactly one of responses=[...] or fn=callable")
        self._responses = list(responses) if responses is not None else None
        self._fn = fn
        self.context_window = context_window
        self.capabilities = capabilities
        self.model = model
        self.max_parallel = max_parallel
        self.calls: list[Request] = []
        self._used = 0
        self._lock = threading.Lock()

    @property
    def remaining(self) -> int:
        """Scripted responses not yet used (0 for a function-driven runner)."""
        return 0 if self._responses is None else len(self._responses) - self._used

    def count_tokens(self, text: str) -> int:
        """An approximation, not any real tokenizer: one token per word and per punctuation mark.

        Deterministic, so tests can assert exact budgets.
        """
        return len(_TOKEN.findall(text))

    def _complete(self, request: Request) -> Completion:
        with self._lock:
            self.calls.append(request)
            call_number = len(self.calls)
            item = self._next_item(request, call_number)
        if isinstance(item, BaseException):
            raise item
        prompt_tokens = self.check_fits(request.messages, request.max_tokens)
        if isinstance(item, str):
            completion = Completion(
                text=item,
                prompt_tokens=prompt_tokens,
                completion_tokens=self.count_tokens(item),
                seconds=0.0,
                model=self.model,
            )
        elif isinstance(item, Completion):
            completion = item if item.model else replace(item, model=self.model)
        else:
            raise ScriptedScriptError(
                f"scripted response for call {call_number} is a {type(item).__name__}; "
                "script strings, Completion objects or exceptions"
            )
        self._check_against_request(completion, request, call_number)
        return completion

    def _next_item(self, request: Request, call_number: int) -> ScriptItem:
        if self._fn is not None:
            return self._fn(request)
        assert self._responses is not None
        if self._used >= len(self._responses):
            raise ScriptExhausted(
                f"ScriptedRunner was scripted with {len(self._responses)} response(s) but got call "
                f"number {call_number}, whose last user message starts with "
                f"{_last_user_text(request)[:120]!r}; add a response to the script or find out "
                "why the code under test made an extra call"
            )
        item = self._responses[self._used]
        self._used += 1
        return item

    def _check_against_request(self, completion: Completion, request: Request, call_number: int) -> None:
        where = f"scripted response for call {call_number}"
        constraint = request.constraint
        if completion.tool_calls:
            if not self.capabilities.native_tools:
                raise ScriptedScriptError(
                    f"{where} has native tool calls, but this runner's capabilities say "
                    "native_tools=False; pass capabilities=API_LIKE (or your own) to script them"
                )
            offered = {_tool_name(tool) for tool in request.tools}
            unknown = [call.name for call in completion.tool_calls if call.name not in offered]
            if unknown:
                raise ScriptedScriptError(
                    f"{where} calls tool(s) {unknown} that the request did not offer "
                    f"(offered: {sorted(offered) or 'none'})"
                )
            return
        if request.tools and not self.capabilities.native_tools:
            raise RunnerError(
                "the request offers native tools but this runner's capabilities say "
                "native_tools=False; describe the tools in the prompt instead"
            )
        if isinstance(constraint, Choice) and completion.text not in constraint.options:
            raise ScriptedScriptError(
                f"{where} is {completion.text!r}, which is not one of the Choice options "
                f"{list(constraint.options)}; a constrained model could not have produced it"
            )
        if isinstance(constraint, JsonSchema) and completion.finish_reason != "length":
            # (a constrained model stopped by max_tokens leaves its object unfinished: script that
            # as a Completion with finish_reason="length")
            errors = json_errors(completion.text, constraint.schema)
            if errors:
                raise ScriptedScriptError(
                    f"{where} does not fit the request's JSON schema {constraint.name!r}: "
                    + "; ".join(errors[:5])
                )
        if isinstance(constraint, Verbatim) and not any(completion.text in s for s in constraint.sources):
            raise ScriptedScriptError(
                f"{where} ({completion.text[:80]!r}) is not a verbatim span of any Verbatim source"
            )
        # Grammar constraints are not checked: that would need a GBNF parser.


def _last_user_text(request: Request) -> str:
    for message in reversed(request.messages):
        if message.role == "user":
            return message.content
    return "(no user message)"


def _tool_name(tool: dict) -> str:
    # Accept both the OpenAI shape {"type": "function", "function": {"name": ...}} and {"name": ...}.
    function = tool.get("function")
    if isinstance(function, dict) and "name" in function:
        return str(function["name"])
    return str(tool.get("name", ""))
