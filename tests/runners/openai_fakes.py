"""A scripted HTTP server for OpenAIRunner tests, plugged in through the SDK's own transport.

The ``openai`` SDK (3.x) talks through ``httpx2``, which respx does not intercept, so faults are
injected with ``httpx2.MockTransport``: each request takes the next scripted reply.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

import httpx2

from lcagent.runners.http_retry import RetryPolicy
from lcagent.runners.openai_runner import OpenAIRunner

BASE_URL = "http://fake-llm.test/v1"

Reply = "httpx2.Response | BaseException | Callable[[httpx2.Request], httpx2.Response]"


class ScriptedServer:
    """Answers requests with scripted replies in order; the last reply repeats forever."""

    def __init__(self, *replies: Any):
        if not replies:
            raise ValueError("script at least one reply")
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests if request.content]


def chat_reply(
    text: str | None = "ok",
    prompt_tokens: int = 11,
    completion_tokens: int = 3,
    finish_reason: str = "stop",
    tool_calls: list[dict[str, Any]] | None = None,
    usage: bool = True,
) -> httpx2.Response:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
    return httpx2.Response(200, json=body)


def error_reply(status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
    body = {"error": {"message": message, "type": "error", "code": code}}
    return httpx2.Response(status, json=body, headers=headers or {})


def _chunk(delta: dict[str, Any], finish_reason: str | None = None, usage: dict | None = None) -> bytes:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}] if delta is not None else [],
    }
    if usage is not None:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


class _Events(httpx2.SyncByteStream):
    def __init__(self, events: list[bytes], then: BaseException | None):
        self.events = events
        self.then = then

    def __iter__(self) -> Iterator[bytes]:
        yield from self.events
        if self.then is not None:
            raise self.then


def stream_reply(
    pieces: list[str],
    *,
    finish: bool = True,
    usage: dict[str, int] | None = None,
    then: BaseException | None = None,
) -> httpx2.Response:
    """An SSE stream of text deltas; ``finish=False`` leaves out the finishing chunk and [DONE]."""
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": piece}) for piece in pieces]
    if finish:
        events.append(_chunk({}, finish_reason="stop"))
        if usage is not None:
            events.append(_chunk(None, usage=usage))  # type: ignore[arg-type]
        events.append(b"data: [DONE]\n\n")
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=_Events(events, then))


def make_runner(server: ScriptedServer, **options: Any) -> tuple[OpenAIRunner, list[float]]:
    """A runner wired to ``server`` whose backoff sleeps are recorded instead of slept."""
    sleeps: list[float] = []
    options.setdefault("api_key", "sk-test")
    options.setdefault("context_window", 4096)
    options.setdefault("retry_policy", RetryPolicy(max_retries=4, random_source=lambda: 0.5))
    runner = OpenAIRunner(
        options.pop("model", "test-model"),
        base_url=options.pop("base_url", BASE_URL),
        http_client=httpx2.Client(transport=httpx2.MockTransport(server)),
        sleep=sleeps.append,
        **options,
    )
    return runner, sleeps
