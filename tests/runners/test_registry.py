"""--model strings become runners; unknown ones fail with the list of valid forms."""

from __future__ import annotations

import sys
import types

import pytest

from lcagent.runners.base import RunnerError
from lcagent.runners.registry import RunnerStatus, available_runners, make_runner


class _RecordingRunner:
    def __init__(self, model, **kwargs):
        self.model = model
        self.kwargs = kwargs


@pytest.fixture
def fake_openai_runner(monkeypatch):
    """Stands in for lcagent.runners.openai_runner so parsing is tested without HTTP or keys."""
    module = types.ModuleType("lcagent.runners.openai_runner")
    module.OpenAIRunner = _RecordingRunner
    monkeypatch.setitem(sys.modules, "lcagent.runners.openai_runner", module)


def test_unknown_scheme_lists_the_valid_ones():
    with pytest.raises(RunnerError) as raised:
        make_runner("ollama:llama3")
    message = str(raised.value)
    assert "ollama:llama3" in message
    for example in ("local", "gguf:", "openai:", "vllm:"):
        assert example in message


def test_scripted_is_not_a_user_scheme():
    with pytest.raises(RunnerError, match="unknown model spec"):
        make_runner("scripted")


def test_environment_variable_is_used_when_no_spec_is_given(monkeypatch):
    monkeypatch.setenv("LCAGENT_MODEL", "nonsense:thing")
    with pytest.raises(RunnerError, match="nonsense:thing"):
        make_runner(None)


def test_explicit_spec_beats_the_environment(monkeypatch, fake_openai_runner):
    monkeypatch.setenv("LCAGENT_MODEL", "nonsense:thing")
    assert make_runner("openai:gpt-4o-mini").model == "gpt-4o-mini"


def test_openai_with_and_without_a_base_url(fake_openai_runner):
    plain = make_runner("openai:gpt-4o-mini")
    assert (plain.model, plain.kwargs) == ("gpt-4o-mini", {"timeout": None, "max_retries": None})
    served = make_runner("openai:Qwen/Qwen3-8B@http://127.0.0.1:8000/v1", timeout=30, retries=1)
    assert served.model == "Qwen/Qwen3-8B"
    assert served.kwargs == {"base_url": "http://127.0.0.1:8000/v1", "timeout": 30, "max_retries": 1}


@pytest.mark.parametrize("spec", ["openai:", "gguf:", "vllm:"])
def test_schemes_that_need_a_name_say_so(spec):
    with pytest.raises(RunnerError, match="e.g. --model"):
        make_runner(spec)


def test_gguf_with_a_missing_file_names_it(tmp_path):
    missing = tmp_path / "absent.gguf"
    with pytest.raises(RunnerError, match="does not exist"):
        make_runner(f"gguf:{missing}")


def test_vllm_without_vllm_installed_says_how_to_get_it():
    if "vllm" in sys.modules or _has_vllm():
        pytest.skip("vLLM is installed here")
    with pytest.raises(RunnerError, match=r"lcagent\[vllm\]"):
        make_runner("vllm:Qwen/Qwen3-8B")


def _has_vllm() -> bool:
    import importlib.util

    return importlib.util.find_spec("vllm") is not None


def test_available_runners_reports_every_scheme_with_a_reason(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    statuses = available_runners()
    assert [s.name for s in statuses] == ["local", "gguf", "openai", "vllm"]
    assert all(isinstance(s, RunnerStatus) and s.reason and s.example for s in statuses)
    openai = next(s for s in statuses if s.name == "openai")
    assert not openai.usable and "OPENAI_API_KEY" in openai.reason


def test_available_runners_does_not_import_heavy_backends():
    available_runners()
    assert "vllm" not in sys.modules
    assert "torch" not in sys.modules


@pytest.mark.slow
def test_local_is_the_bundled_default(monkeypatch):
    monkeypatch.delenv("LCAGENT_MODEL", raising=False)
    runner = make_runner(None)
    try:
        assert runner.name == "local"
        assert runner.model == "SmolLM2-135M-Instruct.Q4_1"
        assert runner.capabilities.verbatim
    finally:
        runner.close()
    local = next(s for s in available_runners() if s.name == "local")
    assert local.usable
