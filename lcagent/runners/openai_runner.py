"""A runner for any OpenAI-compatible chat endpoint: OpenAI itself, llama.cpp's server, vLLM, Ollama.

It adds what the SDK leaves to the caller: bounded retries with backoff, errors that name the
endpoint and the fix, JSON output on servers that cannot enforce a schema, and streaming
with usage.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from typing import Any, Callable, Sequence

from lcagent.runners.base import (
    Capabilities,
    Choice,
    Completion,
    Grammar,
    JsonSchema,
    Message,
    Request,
    Runner,
    RunnerError,
    ToolCall,
)
from lcagent.runners.http_retry import (
    Deadline,
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
    resolve_retries,
    resolve_timeout,
)
from lcagent.runners.openai_shapes import (  # noqa: F401  (re-exported: callers import them from here)
    KNOWN_CONTEXT_WINDOWS,
    DEFAULT_CONTEXT_WINDOW,
    JSON_MODES,
    SERVER_KINDS,
    guess_server_kind,
    _is_local,
    encoding_for,
    known_context_window,
    gbnf_choice,
    choice_schema,
    tool_spec,
    _with_instruction,
    _match_option,
    _add_usage,
)
from lcagent.runners.openai_outputs import StreamTruncated, StructuredOutputs, _ModeRejected  # noqa: F401 (re-exported)
from lcagent.runners.openai_errors import (
    Endpoint,
    connection_error,
    is_context_error,
    malformed_body_error,
    retry_after_error,
    status_error,
)

log = logging.getLogger(__name__)

# Local servers ignore the key but the SDK refuses to start without one.
PLACEHOLDER_KEY = "sk-no-key-required"

# Statuses with which a server says "I do not understand this response_format" (llama.cpp
# answers 500), as opposed to errors every mode would meet.
_MODE_REJECTION_STATUS = frozenset({400, 422, 500, 501})


class OpenAIRunner(StructuredOutputs, Runner):
    """Chat completions over HTTP through the official ``openai`` SDK.

    ``server_kind`` (``openai``, ``llama.cpp``, ``vllm``, ``ollama`` or ``generic``) decides
    which constraints the server can enforce; it is guessed from the URL when not given.
    ``timeout``: the most seconds one call may take, every attempt and wait between them
    included (default ``$LCAGENT_TIMEOUT``, else 120); ``max_retries``: how many times a failed
    attempt is repeated within that deadline (default ``$LCAGENT_RETRIES``, else 4).
    ``retry_policy``, ``sleep`` and ``clock`` exist so tests can run the schedule without waiting.
    """

    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        http_client: Any = None,
        context_window: int | None = None,
        *,
        server_kind: str | None = None,
        max_parallel: int = 8,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        try:
            import openai
        except ImportError as missing:
            raise RunnerError("the openai package is not installed: pip install openai") from missing
        self._openai = openai
        self.model = model
        self.timeout = timeout = resolve_timeout(timeout)
        self.max_parallel = max_parallel
        self.retry_policy = retry_policy or RetryPolicy(max_retries=resolve_retries(max_retries))
        self.sleep = sleep
        self.clock = clock

        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.server_kind = server_kind or guess_server_kind(base_url)
        if self.server_kind not in SERVER_KINDS:
            raise RunnerError(f"unknown server_kind {self.server_kind!r}; use one of {', '.join(SERVER_KINDS)}")
        key, key_source = self._resolve_key(api_key, base_url)
        self.client = openai.OpenAI(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=0, http_client=http_client
        )
        self.endpoint = Endpoint(str(self.client.base_url), model, key_source)

        constraints = {"json_schema", "choice"}
        if self.server_kind in ("llama.cpp", "vllm"):
            constraints.add("grammar")
        self.capabilities = Capabilities(
            constraints=frozenset(constraints), verbatim=False, native_tools=True, streaming=True
        )
        self.context_window, self.context_window_note = self._resolve_window(context_window)
        self.json_mode: str | None = None  # the JSON mode this server accepted, once known
        self.last_stream: Completion | None = None

    def detect_server_kind(self) -> str:
        """Ask ``GET /models`` who serves them and adapt the constraints offered; returns the kind.

        llama_cpp.server reports ``owned_by: "me"``, vLLM ``"vllm"`` and Ollama ``"library"``.
        Costs one request, so it is never done implicitly.
        """
        try:
            owners = {getattr(model, "owned_by", "") for model in self.client.models.list().data}
        except self._openai.APIError as error:
            log.info("could not list models at %s (%s); keeping server kind %s", self.endpoint.base_url, error, self.server_kind)
            return self.server_kind
        for owner, kind in (("vllm", "vllm"), ("me", "llama.cpp"), ("library", "ollama")):
            if owner in owners:
                self.server_kind = kind
                break
        if self.server_kind in ("llama.cpp", "vllm"):
            self.capabilities = replace(
                self.capabilities, constraints=self.capabilities.constraints | {"grammar"}
            )
        self.json_mode = None
        return self.server_kind

    # --- setup -------------------------------------------------------------------------
    @staticmethod
    def _resolve_key(api_key: str | None, base_url: str | None) -> tuple[str, str]:
        if api_key:
            return api_key, "argument"
        from_env = os.environ.get("OPENAI_API_KEY")
        if from_env:
            return from_env, "OPENAI_API_KEY"
        if base_url is None:
            raise RunnerError(
                "no API key for api.openai.com: set the OPENAI_API_KEY environment variable, "
                "or pass a base_url for a local OpenAI-compatible server"
            )
        if not _is_local(base_url):
            log.info("no API key set for %s; sending a placeholder (set OPENAI_API_KEY if it needs one)", base_url)
        return PLACEHOLDER_KEY, "placeholder"

    def _resolve_window(self, context_window: int | None) -> tuple[int, str]:
        if context_window:
            return context_window, "given"
        known = known_context_window(self.model)
        if known:
            return known, f"known window of {self.model}"
        note = (
            f"context window of {self.model!r} unknown; assuming {DEFAULT_CONTEXT_WINDOW} tokens "
            "(pass context_window= to use the server's real size)"
        )
        log.info(note)
        return DEFAULT_CONTEXT_WINDOW, note

    # --- Runner contract ---------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        from lcagent.tokens import get_encoding

        return len(get_encoding(encoding_for(self.model)).encode_ordinary(text))

    def _check_supported(self, request: Request) -> None:
        try:
            super()._check_supported(request)
        except RunnerError as unsupported:
            if isinstance(request.constraint, Grammar):
                raise RunnerError(
                    f"{unsupported} at {self.endpoint.base_url} (server kind {self.server_kind!r}); "
                    "only llama.cpp and vLLM servers accept grammars: pass server_kind='llama.cpp' "
                    "or 'vllm' if that is what runs there"
                ) from None
            raise

    def _complete(self, request: Request) -> Completion:
        self.check_fits(request.messages, request.max_tokens)
        # One deadline for the whole call: JSON-mode probes, corrections and retries all share it.
        deadline = Deadline(self.timeout, self.clock)
        constraint = request.constraint
        if isinstance(constraint, JsonSchema):
            return self._complete_json(request, constraint.schema, constraint.name, deadline)
        if isinstance(constraint, Choice):
            return self._complete_choice(request, constraint.options, deadline)
        extra: dict[str, Any] = {}
        if isinstance(constraint, Grammar):
            extra = self._grammar_body(constraint.gbnf)
        response = self._create(self._params(request, request.messages, extra_body=extra), request, deadline)
        return self._to_completion(response, request.messages)

    # --- requests ------------------------------------------------------------------------
    def _params(
        self,
        request: Request,
        messages: Sequence[Message],
        *,
        response_format: dict[str, Any] | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [message.to_openai() for message in messages],
            "temperature": request.temperature,
        }
        # OpenAI's reasoning models refuse max_tokens; other servers may not know its successor.
        params["max_completion_tokens" if self.server_kind == "openai" else "max_tokens"] = request.max_tokens
        if request.stop:
            params["stop"] = list(request.stop)
        if request.tools:
            params["tools"] = [tool_spec(tool) for tool in request.tools]
        if response_format:
            params["response_format"] = response_format
        body = dict(extra_body or {})
        if self.server_kind == "llama.cpp":
            # llama_cpp.server defaults to repeat_penalty 1.1, which can break grammar-constrained output.
            body.setdefault("repeat_penalty", 1.0)
        if body:
            params["extra_body"] = body
        return params

    def _grammar_body(self, gbnf: str) -> dict[str, Any]:
        if self.server_kind == "vllm":
            return {"structured_outputs": {"grammar": gbnf}}
        return {"grammar": gbnf}

    def _create(self, params: dict[str, Any], request: Request, deadline: Deadline, *, probing: bool = False) -> Any:
        """One chat.completions.create call with bounded retries; SDK errors become RunnerErrors.

        Every attempt gets only what is left of ``deadline``, and no wait starts that would end
        after it. ``probing``: the call tries a response_format the server may not know; a
        rejection raises _ModeRejected at once instead of being retried.
        """
        openai = self._openai
        attempts = 0
        while True:
            attempts += 1
            try:
                return self.client.chat.completions.create(**params, timeout=max(deadline.remaining(), 0.001))
            except openai.APIStatusError as error:
                status = error.status_code
                if probing and status in _MODE_REJECTION_STATUS and not is_context_error(error):
                    raise _ModeRejected(error) from error
                if not is_retryable_status(status):
                    raise status_error(error, self.endpoint, request.max_tokens, attempts) from error
                retry_after = parse_retry_after(error.response.headers)
                if retry_after is not None and retry_after >= deadline.remaining():
                    raise retry_after_error(error, self.endpoint, retry_after, deadline.remaining(), deadline.seconds) from error
                wait = self.retry_policy.delay(attempts, retry_after)
                if wait is None:
                    raise status_error(error, self.endpoint, request.max_tokens, attempts, "retries") from error
                if wait >= deadline.remaining():
                    raise status_error(error, self.endpoint, request.max_tokens, attempts, "deadline") from error
                problem = f"answered {status}"
            except openai.APIConnectionError as error:
                wait = self.retry_policy.delay(attempts)
                if wait is None:
                    raise connection_error(error, self.endpoint, attempts, deadline.seconds, "retries") from error
                if wait >= deadline.remaining():
                    raise connection_error(error, self.endpoint, attempts, deadline.seconds, "deadline") from error
                problem = f"unreachable ({error})"
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                # The SDK parses a 2xx body itself and lets the decoder's error through. A body cut
                # short is usually a dropped connection, so it is retried like one.
                wait = self.retry_policy.delay(attempts)
                if wait is None or wait >= deadline.remaining():
                    raise malformed_body_error(error, self.endpoint, attempts) from error
                problem = "sent a body that is not valid JSON"
            log.info("%s %s; retry %d in %.2f s", self.endpoint.base_url, problem, attempts, wait)
            self.sleep(wait)

    def _to_completion(self, response: Any, messages: Sequence[Message] = ()) -> Completion:
        if not getattr(response, "choices", None):
            raise RunnerError(f"{self.endpoint.base_url} returned no choices for model {self.model!r}")
        choice = response.choices[0]
        message = choice.message
        text = message.content or ""
        tool_calls = tuple(
            ToolCall(call.id, call.function.name, call.function.arguments or "{}")
            for call in (message.tool_calls or [])
            if getattr(call, "function", None) is not None
        )
        usage = response.usage
        if usage is not None and usage.prompt_tokens is not None:
            prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens or 0
        else:
            prompt_tokens = self.prompt_tokens(messages) if messages else 0
            completion_tokens = self.count_tokens(text)
        return Completion(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            seconds=0.0,
            finish_reason=choice.finish_reason or "stop",
            tool_calls=tool_calls,
            model=getattr(response, "model", "") or self.model,
        )

    # --- structured output -------------------------------------------------------------
