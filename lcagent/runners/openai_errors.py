"""Turn the ``openai`` SDK's exceptions into RunnerErrors that say what went wrong and how to fix it.

Each message names the endpoint and model, because a user with three servers running
needs to know which one refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lcagent.runners.base import RunnerUnavailable, ContextWindowExceeded, RunnerError
from lcagent.runners.http_retry import RETRIES_FIX, TIMEOUT_FIX


@dataclass(frozen=True)
class Endpoint:
    """Where a runner sends its requests, for error messages."""

    base_url: str
    model: str
    key_source: str  # "argument", "OPENAI_API_KEY" or "placeholder"

    def start_hint(self) -> str:
        return (
            "start it (for example `lcagent serve --port 8000`, `lcagent serve --model gguf:MODEL.gguf`, "
            "`vllm serve MODEL --port 8000` or `ollama serve`) or fix the URL"
        )


def server_message(error: Any) -> str:
    """The human part of an error body, whatever shape the server gave it."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(inner, str):
            return inner
        if isinstance(body.get("detail"), str):
            return body["detail"]
        if isinstance(body.get("message"), str):
            return body["message"]
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return str(getattr(error, "message", "") or error)


def error_code(error: Any) -> str:
    code = getattr(error, "code", None)
    if code:
        return str(code)
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code") or "")
    return ""


_CONTEXT_WORDS = re.compile(
    r"context length|context window|context_length|maximum context|too many tokens|exceeds? the context",
    re.IGNORECASE,
)
_WINDOW = [
    re.compile(r"maximum context length is (\d+)", re.IGNORECASE),
    re.compile(r"context window of (\d+)", re.IGNORECASE),
    re.compile(r"n_ctx[^0-9]{0,10}(\d+)", re.IGNORECASE),
]
_PROMPT = [
    re.compile(r"\((\d+) in the messages", re.IGNORECASE),
    re.compile(r"messages resulted in (\d+) tokens", re.IGNORECASE),
    re.compile(r"requested tokens \((\d+)\)", re.IGNORECASE),
    re.compile(r"requested (\d+) tokens", re.IGNORECASE),
]


def is_context_error(error: Any) -> bool:
    return error_code(error) == "context_length_exceeded" or bool(_CONTEXT_WORDS.search(server_message(error)))


def _first_number(patterns: list[re.Pattern[str]], text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def context_error(error: Any, endpoint: Endpoint, max_tokens: int) -> RunnerError:
    """ContextWindowExceeded with the server's numbers when it gave them, else a plain RunnerError."""
    message = server_message(error)
    window = _first_number(_WINDOW, message)
    prompt = _first_number(_PROMPT, message)
    if window is not None and prompt is not None:
        return ContextWindowExceeded(prompt, max_tokens, window, f"{endpoint.model} at {endpoint.base_url}")
    return RunnerError(
        f"{endpoint.base_url} says the prompt does not fit the context window of {endpoint.model}: "
        f"{message}; shorten the input or use a strategy that reads in chunks (--strategy chain/tools)"
    )


def status_error(
    error: Any, endpoint: Endpoint, max_tokens: int, attempts: int = 1, stopped_by: str = "retries"
) -> RunnerError:
    """A RunnerError for an HTTP error status the caller will not retry (any more).

    ``stopped_by`` says why the retries ended: "retries" (all used) or "deadline" (no time left).
    """
    status = getattr(error, "status_code", 0)
    message = server_message(error)
    where = endpoint.base_url
    if status in (401, 403):
        if endpoint.key_source == "OPENAI_API_KEY":
            fix = "the key in the OPENAI_API_KEY environment variable was refused; set it to a valid key"
        elif endpoint.key_source == "argument":
            fix = "the api_key passed to the runner was refused; pass a valid key"
        else:
            fix = "this server needs an API key; set the OPENAI_API_KEY environment variable"
        return RunnerError(f"{where} answered {status} ({message}): {fix}")
    if is_context_error(error):
        return context_error(error, endpoint, max_tokens)
    if status == 404 or error_code(error) == "model_not_found":
        if "model" in message.lower() or error_code(error) == "model_not_found":
            return RunnerError(
                f"model {endpoint.model!r} is not served at {where} ({message}); "
                f"list the served models with GET {where.rstrip('/')}/models and pass one of them"
            )
        return RunnerError(
            f"{where.rstrip('/')}/chat/completions was not found (404: {message}); "
            "check the base URL (OpenAI-compatible servers usually serve under /v1)"
        )
    if stopped_by == "deadline":
        gave_up = f"{_attempts(attempts)}, when the call's deadline left no time for another (raise it with {TIMEOUT_FIX})"
    else:
        gave_up = f"{_attempts(attempts)}, all the retries allowed (raise them with {RETRIES_FIX})"
    if status == 429:
        return RunnerError(
            f"{where} kept answering 429 (rate limited: {message}); lcagent gave up after {gave_up}; "
            "wait and retry, lower max_parallel, or check your quota"
        )
    if status >= 500:
        return RunnerError(
            f"{where} failed with HTTP {status} for model {endpoint.model!r} ({message}); lcagent gave up "
            f"after {gave_up}; check the server's log"
        )
    return RunnerError(f"{where} rejected the request for model {endpoint.model!r} (HTTP {status}): {message}")


def _attempts(count: int) -> str:
    return f"{count} attempt" if count == 1 else f"{count} attempts"


def is_timeout(error: Any) -> bool:
    return "timed out" in str(error).lower() or "timeout" in type(error).__name__.lower()


def connection_error(error: Any, endpoint: Endpoint, attempts: int, timeout: float, stopped_by: str = "retries") -> RunnerError:
    """``stopped_by``: "retries" (all used) or "deadline" (no time left for another attempt)."""
    if is_timeout(error):
        return RunnerUnavailable(
            f"{endpoint.base_url} did not answer model {endpoint.model!r} within the call's {timeout:g} s deadline "
            f"({_attempts(attempts)}); raise it with {TIMEOUT_FIX}, lower max_tokens, or check the server's load"
        )
    cause = error.__cause__ or error
    if stopped_by == "deadline":
        gave_up = f"the call's {timeout:g} s deadline left no time for another (raise it with {TIMEOUT_FIX})"
    else:
        gave_up = f"all the retries allowed ({RETRIES_FIX} allows more)"
    return RunnerUnavailable(
        f"cannot reach the model server at {endpoint.base_url} after {_attempts(attempts)}, {gave_up} "
        f"({type(cause).__name__}: {cause}); is it running? {endpoint.start_hint()}"
    )


def retry_after_error(error: Any, endpoint: Endpoint, retry_after: float, remaining: float, timeout: float) -> RunnerError:
    """The server asked for a wait that does not fit in what is left of the call's deadline."""
    status = getattr(error, "status_code", 0)
    return RunnerUnavailable(
        f"{endpoint.base_url} answered {status} ({server_message(error)}) and asked to wait {retry_after:g} s "
        f"before retrying, beyond the call's {timeout:g} s deadline ({remaining:.0f} s left), so lcagent did not "
        f"wait; retry later, or raise the deadline with {TIMEOUT_FIX}"
    )


def malformed_body_error(error: Exception, endpoint: Endpoint, attempts: int) -> RunnerError:
    """A 2xx response whose body is not the JSON the API promises (cut short, or not an API at all)."""
    detail = f"{type(error).__name__}: {error}".replace("\n", " ")[:200]
    return RunnerUnavailable(
        f"{endpoint.base_url} answered model {endpoint.model!r} with a body that is not valid JSON ({detail}) "
        f"in {_attempts(attempts)}; the server or a proxy cut the response short or is not an OpenAI-compatible "
        "API: check the URL (it usually ends in /v1) and the server's log"
    )
