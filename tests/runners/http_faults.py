"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for the runner's fault tests.

Each request gets the scripted fault: a 200 whose JSON body is cut short, a connection accepted
and never answered, or a 429 with a long Retry-After. It counts the requests it received.
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from contextlib import contextmanager
from typing import Iterator

COMPLETION = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "test-model",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}  # fmt: skip


def _response(status: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class FaultServer(socketserver.ThreadingTCPServer):
    """``fault``: "truncated_json", "hang" (never answers), "drop" (closes without a reply),
    "retry_after" (429 with ``retry_after``) or "ok"."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fault: str, retry_after: str = "3600"):
        self.fault = fault
        self.retry_after = retry_after
        self.requests: list[float] = []  # when each request arrived (monotonic)
        self.released = threading.Event()  # lets hung handlers go at shutdown
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(socketserver.StreamRequestHandler):
    server: FaultServer

    def handle(self) -> None:
        length = 0
        while True:  # read the request head, then its body
            line = self.rfile.readline()
            if not line or line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        self.rfile.read(length)
        self.server.requests.append(time.monotonic())
        fault = self.server.fault
        if fault == "hang":
            self.server.released.wait()
            return
        if fault == "drop":  # closed without a reply: the client sees the connection cut
            return
        whole = json.dumps(COMPLETION).encode()
        if fault == "truncated_json":
            reply = _response("200 OK", whole[: len(whole) // 2])  # a consistent Content-Length: no protocol error
        elif fault == "retry_after":
            error = json.dumps({"error": {"message": "quota exhausted", "type": "rate_limit"}}).encode()
            reply = _response("429 Too Many Requests", error, {"Retry-After": self.server.retry_after})
        else:
            reply = _response("200 OK", whole)
        self.wfile.write(reply)


@contextmanager
def fault_server(fault: str, **options) -> Iterator[FaultServer]:
    server = FaultServer(fault, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
