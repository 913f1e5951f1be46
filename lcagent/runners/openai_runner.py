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
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlparse

from lcagent.runners.base import (
    Capabilities,
    Choice,
    Completion,
    GenerationInterrupted,
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
from lcagent.runners.json_output import check_json, correction_instruction, schema_instruction
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

# Longest matching prefix wins. Only models whose window is published and stable.
KNOWN_CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-3.5-turbo": 16_385,
    "gpt-4": 8_192,
    "gpt-4-turbo": 128_000,
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
}
DEFAULT_CONTEXT_WINDOW = 8192

# How each kind of server can be asked for JSON, best first. The first mode a server
# accepts is remembered per runner, so later calls do not pay for the rejected ones.
#   json_schema         OpenAI's structured outputs (llama.cpp's server answers HTTP 500)
#   json_object_schema  {"type": "json_object", "schema": ...}: llama.cpp turns it into a grammar
#   json_object         JSON mode without a schema; the schema goes in the prompt
#   prompt              no response_format at all; the schema goes in the prompt
JSON_MODES: dict[str, tuple[str, ...]] = {
    "openai": ("json_schema", "json_object"),
    "llama.cpp": ("json_object_schema", "json_object", "prompt"),
    "vllm": ("json_schema", "prompt"),
    "ollama": ("json_schema", "json_object", "prompt"),
    "generic": ("json_schema", "json_object_schema", "json_object", "prompt"),
}
SERVER_KINDS = tuple(JSON_MODES)

# Statuses with which a server says "I do not understand this response_format" (llama.cpp
# answers 500), as opposed to errors every mode would meet.
_MODE_REJECTION_STATUS = frozenset({400, 422, 500, 501})


class StreamTruncated(RunnerError):
    """The connection ended before the server said the answer was complete."""

    def __init__(self, message: str, partial_text: str):
        self.partial_text = partial_text
        super().__init__(message)


class _ModeRejected(Exception):
    def __init__(self, error: Exception):
        self.error = error


def guess_server_kind(base_url: str | None) -> str:
    """The kind of server behind a URL, as far as the URL alone tells."""
    if not base_url or urlparse(base_url).hostname == "api.openai.com":
        return "openai"
    if urlparse(base_url).port == 11434:
        return "ollama"
    return "generic"


def _is_local(base_url: str) -> bool:
    return (urlparse(base_url).hostname or "") in ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def encoding_for(model: str) -> str:
    """tiktoken encoding for a model name; cl100k_base approximates non-OpenAI models."""
    name = model.lower().rsplit("/", 1)[-1]
    if name.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss")):
        return "o200k_base"
    return "cl100k_base"


def known_context_window(model: str) -> int | None:
    name = model.lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in KNOWN_CONTEXT_WINDOWS if name.startswith(prefix)]
    return KNOWN_CONTEXT_WINDOWS[max(matches, key=len)] if matches else None


def gbnf_choice(options: Sequence[str]) -> str:
    """A llama.cpp grammar that matches exactly one of ``options``."""
    literals = " | ".join(json.dumps(option, ensure_ascii=False) for option in options)
    return f"root ::= {literals}"


def choice_schema(options: Sequence[str]) -> dict[str, Any]:
    # An object wrapper, because OpenAI's structured outputs require an object at the root.
    return {
        "type": "object",
        "properties": {"choice": {"type": "string", "enum": list(options)}},
        "required": ["choice"],
        "additionalProperties": False,
    }


def tool_spec(tool: dict[str, Any]) -> dict[str, Any]:
    """Accept both the OpenAI tool form and a bare function description."""
    if tool.get("type") == "function" and "function" in tool:
        return tool
    return {"type": "function", "function": tool}


class OpenAIRunner(Runner):
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
    def _json_params(self, request: Request, messages: Sequence[Message], mode: str, schema: dict, name: str) -> Any:
        response_format: dict[str, Any] | None = None
        if mode == "json_schema":
            response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}
        elif mode == "json_object_schema":
            response_format = {"type": "json_object", "schema": schema}
        elif mode == "json_object":
            response_format = {"type": "json_object"}
        if mode != "json_schema":
            messages = _with_instruction(messages, schema_instruction(schema))
        return self._params(request, messages, response_format=response_format)

    def _complete_json(self, request: Request, schema: dict[str, Any], name: str, deadline: Deadline) -> Completion:
        modes = (self.json_mode,) if self.json_mode else JSON_MODES[self.server_kind]
        rejections: list[str] = []
        response, mode = None, ""
        for index, mode in enumerate(modes):
            params = self._json_params(request, request.messages, mode, schema, name)
            try:
                response = self._create(params, request, deadline, probing=index < len(modes) - 1)
            except _ModeRejected as rejected:
                rejections.append(f"{mode}: HTTP {getattr(rejected.error, 'status_code', '?')}")
                log.info("%s rejected JSON mode %s; trying the next", self.endpoint.base_url, mode)
                continue
            self.json_mode = mode
            break
        assert response is not None  # the last mode is not probing: it returns or raises
        first = self._to_completion(response, request.messages)
        checked = check_json(first.text, schema)
        if checked.ok:
            return replace(first, text=checked.text)
        # One more try with the problems spelled out: small models often fix their own JSON.
        retry_messages = _with_instruction(
            list(request.messages) + [Message("assistant", first.text)],
            correction_instruction(checked.problems, schema),
            as_new_user_message=True,
        )
        second = self._to_completion(
            self._create(self._json_params(request, retry_messages, mode, schema, name), request, deadline), retry_messages
        )
        rechecked = check_json(second.text, schema)
        total = _add_usage(second, first)
        if rechecked.ok:
            return replace(total, text=rechecked.text)
        raise RunnerError(
            f"model {self.model!r} at {self.endpoint.base_url} did not produce JSON matching the schema "
            f"{name!r} in 2 attempts (JSON mode {mode!r}{', after rejecting ' + '; '.join(rejections) if rejections else ''}): "
            f"{'; '.join(rechecked.problems[:3])}; reply began {rechecked.text[:120]!r}. "
            "Use a stronger model or a server that enforces schemas (vLLM, llama.cpp)"
        )

    def _complete_choice(self, request: Request, options: tuple[str, ...], deadline: Deadline) -> Completion:
        completion: Completion | None = None
        if self.server_kind in ("llama.cpp", "vllm"):
            body = (
                {"structured_outputs": {"choice": list(options)}}
                if self.server_kind == "vllm"
                else {"grammar": gbnf_choice(options)}
            )
            completion = self._to_completion(
                self._create(self._params(request, request.messages, extra_body=body), request, deadline), request.messages
            )
            picked = _match_option(completion.text, options)
            if picked is not None:
                return replace(completion, text=picked)
            log.info("%s ignored the choice constraint (%r); asking for JSON instead", self.endpoint.base_url, completion.text[:60])
        schema = choice_schema(options)
        answer = self._complete_json(replace(request, constraint=JsonSchema(schema, "choice")), schema, "choice", deadline)
        answer = replace(answer, text=json.loads(answer.text)["choice"])
        return _add_usage(answer, completion) if completion is not None else answer

    # --- streaming -----------------------------------------------------------------------
    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> Iterator[str]:
        """Yield the answer's text as it is generated; afterwards ``last_stream`` holds the Completion.

        Usage is recorded on ``self.usage`` when the stream ends, breaks or is interrupted.
        Ctrl-C while waiting for the server raises GenerationInterrupted with the partial text.
        """
        request = Request(tuple(messages), max_tokens, temperature, tuple(stop))
        self.check_fits(request.messages, max_tokens)
        params = self._params(request, request.messages)
        params["stream"] = True
        params["stream_options"] = {"include_usage": True}
        started = time.perf_counter()
        self.last_stream = None
        chunks = self._create(params, request, Deadline(self.timeout, self.clock))
        pieces: list[str] = []
        usage: Any = None
        finish_reason: str | None = None
        model = self.model

        def finish(reason: str) -> Completion:
            text = "".join(pieces)
            if usage is not None and usage.prompt_tokens is not None:
                prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens or 0
            else:  # the server ignored include_usage: count ourselves
                prompt_tokens, completion_tokens = self.prompt_tokens(request.messages), self.count_tokens(text)
            completion = Completion(
                text, prompt_tokens, completion_tokens, time.perf_counter() - started, reason, (), model
            )
            self._record(completion)
            self.last_stream = completion
            return completion

        try:
            for chunk in chunks:
                model = getattr(chunk, "model", None) or model
                if getattr(chunk, "usage", None) is not None:
                    usage = chunk.usage
                for choice in chunk.choices or []:
                    delta = getattr(choice, "delta", None)
                    if delta is not None and delta.content:
                        pieces.append(delta.content)
                        yield delta.content
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        except KeyboardInterrupt:
            chunks.close()
            raise GenerationInterrupted(finish("interrupted")) from None
        except GeneratorExit:  # the caller stopped reading: still account for what was spent
            chunks.close()
            finish("stop")
            raise
        except self._openai.APIError as error:
            chunks.close()
            partial = finish("error")
            raise StreamTruncated(
                f"the stream from {self.endpoint.base_url} broke after {len(partial.text)} characters "
                f"of the answer ({type(error).__name__}: {error}); the server may have crashed or "
                "dropped the connection: retry, or check its log",
                partial.text,
            ) from error
        if finish_reason is None:
            partial = finish("error")
            raise StreamTruncated(
                f"the stream from {self.endpoint.base_url} ended after {len(partial.text)} characters "
                "without the server marking the answer complete; the connection was probably cut: retry",
                partial.text,
            )
        finish(finish_reason)


def _with_instruction(
    messages: Sequence[Message], instruction: str, *, as_new_user_message: bool = False
) -> list[Message]:
    """Append an instruction at the end, so a shared document prefix stays cacheable."""
    messages = list(messages)
    if as_new_user_message or not messages or messages[-1].role != "user":
        return messages + [Message("user", instruction)]
    last = messages[-1]
    return messages[:-1] + [replace(last, content=f"{last.content}\n\n{instruction}")]


def _match_option(text: str, options: Sequence[str]) -> str | None:
    candidate = text.strip()
    if candidate in options:
        return candidate
    unquoted = candidate.strip("\"'` ")
    return unquoted if unquoted in options else None


def _add_usage(completion: Completion, earlier: Completion) -> Completion:
    return replace(
        completion,
        prompt_tokens=completion.prompt_tokens + earlier.prompt_tokens,
        completion_tokens=completion.completion_tokens + earlier.completion_tokens,
    )
