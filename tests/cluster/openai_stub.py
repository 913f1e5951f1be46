"""A real OpenAI-compatible HTTP server on 127.0.0.1 that stands in for a shared model server
(vLLM, ``lcagent serve``): it answers every chat completion after ``delay`` seconds, as many
at once as are asked, and records the requests and the most it ever served at once.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class StubState:
    reply: Callable[[dict], str]
    delay: float
    model: str
    requests: list[dict] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class OpenAIStub:
    """``reply(body)`` gives the text of each completion; by default a JSON request gets the least
    instance of its schema (empty strings, first enum values) and any other request ``text``."""

    def __init__(self, reply: Callable[[dict], str] | None = None, *, text: str = "not found", delay: float = 0.0,
                 model: str = "stub-model") -> None:
        self.state = StubState(reply or (lambda body: schema_or_text(body, text)), delay, model)
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # /v1/models, as vLLM answers it
                self._send({"object": "list", "data": [{"id": state.model, "object": "model", "owned_by": "vllm",
                                                        "max_model_len": 8192}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with state.lock:
                    state.requests.append(body)
                    state.in_flight += 1
                    state.most_in_flight = max(state.most_in_flight, state.in_flight)
                try:
                    time.sleep(state.delay)
                    text = state.reply(body)
                finally:
                    with state.lock:
                        state.in_flight -= 1
                self._send({"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": state.model,
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                         "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105}})

            def _send(self, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "OpenAIStub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def schema_or_text(body: dict, text: str) -> str:
    response_format = body.get("response_format") or {}
    schema = (response_format.get("json_schema") or {}).get("schema") or response_format.get("schema")
    if schema is not None:
        return json.dumps(least_instance(schema))
    if response_format.get("type") == "json_object":
        return "{}"
    return text


def least_instance(schema: dict):
    """The least value a JSON schema accepts: required properties only, first enum values."""
    if "enum" in schema:
        return schema["enum"][0]
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            return least_instance(schema[combined][0])
    kind = schema.get("type", "object")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: least_instance(properties.get(name, {})) for name in schema.get("required", [])}
    return {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False, "null": None}[kind]
