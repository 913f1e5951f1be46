"""OpenAIRunner against a real misbehaving HTTP server on 127.0.0.1: malformed bodies, hung servers
and long Retry-After waits end in one-line errors within the deadline the user set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lcagent
from lcagent.runners.base import RunnerError, user
from lcagent.runners.openai_runner import OpenAIRunner
from .http_faults import fault_server

REPO = Path(__file__).resolve().parents[2]


def _runner(url: str, **options) -> OpenAIRunner:
    return OpenAIRunner("test-model", base_url=url, context_window=4096, **options)


# --- the runner --------------------------------------------------------------------------------


def test_truncated_json_body_is_a_one_line_error_after_the_allowed_retries():
    with fault_server("truncated_json") as server:
        runner = _runner(server.base_url, timeout=10, max_retries=1)
        with pytest.raises(RunnerError) as raised:
            runner.complete([user("hi")], max_tokens=4)

    message = str(raised.value)
    assert "\n" not in message
    assert server.base_url in message and "not valid JSON" in message and "2 attempts" in message
    assert len(server.requests) == 2  # one attempt and one retry
    assert runner.usage.llm_calls == 0


def test_hung_server_fails_within_the_deadline_and_names_the_option():
    with fault_server("hang") as server:
        runner = _runner(server.base_url, timeout=1.5, max_retries=4)
        started = time.monotonic()
        with pytest.raises(RunnerError) as raised:
            runner.complete([user("hi")], max_tokens=4)
        elapsed = time.monotonic() - started

    assert elapsed < 1.5 + 0.5  # the deadline covers every attempt, not each one
    assert len(server.requests) == 1  # the first attempt used the whole deadline: no retry after it
    message = str(raised.value)
    assert "1.5 s deadline" in message and "--timeout SECONDS" in message and "LCAGENT_TIMEOUT" in message


def test_repeated_dropped_connections_stop_at_the_deadline_not_after_all_retries():
    with fault_server("drop") as server:
        runner = _runner(server.base_url, timeout=2.0, max_retries=50)
        started = time.monotonic()
        with pytest.raises(RunnerError) as raised:
            runner.complete([user("hi")], max_tokens=4)
        elapsed = time.monotonic() - started

    assert elapsed < 2.0 + 0.3
    assert 2 <= len(server.requests) < 51  # backoff 0.5 s, 1 s, ...: the deadline ends it first
    assert "deadline left no time for another" in str(raised.value) and "--timeout" in str(raised.value)


def test_retry_after_beyond_the_deadline_says_so_without_waiting():
    with fault_server("retry_after", retry_after="3600") as server:
        runner = _runner(server.base_url, timeout=30, max_retries=4)
        started = time.monotonic()
        with pytest.raises(RunnerError) as raised:
            runner.complete([user("hi")], max_tokens=4)

    assert time.monotonic() - started < 5
    assert len(server.requests) == 1
    message = str(raised.value)
    assert "asked to wait 3600 s" in message and "30 s deadline" in message and "--timeout" in message
    assert "quota exhausted" in message


def test_retry_after_within_the_deadline_is_waited_for():
    with fault_server("retry_after", retry_after="0.3") as server:
        runner = _runner(server.base_url, timeout=5, max_retries=1)
        with pytest.raises(RunnerError) as raised:  # it keeps answering 429
            runner.complete([user("hi")], max_tokens=4)

    assert len(server.requests) == 2 and server.requests[1] - server.requests[0] >= 0.3
    assert "all the retries allowed" in str(raised.value) and "--retries" in str(raised.value)


def test_timeout_and_retries_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LCAGENT_TIMEOUT", "7.5")
    monkeypatch.setenv("LCAGENT_RETRIES", "2")
    runner = _runner("http://127.0.0.1:9/v1")
    assert runner.timeout == 7.5 and runner.retry_policy.max_retries == 2
    monkeypatch.setenv("LCAGENT_TIMEOUT", "soon")
    with pytest.raises(RunnerError, match="LCAGENT_TIMEOUT='soon' is not a number"):
        _runner("http://127.0.0.1:9/v1")


# --- the Python API and the CLI ----------------------------------------------------------------


@pytest.fixture
def document(tmp_path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("The keeper logged a storm on 3 March. The lamp was relit at dawn.\n")
    return path


def test_python_api_takes_timeout_and_retries(document, tmp_path):
    with fault_server("hang") as server:
        with pytest.raises(RunnerError, match="--timeout SECONDS") as raised:
            lcagent.ask(document, "When was the storm?", model=f"openai:test-model@{server.base_url}",
                        strategy="full", workspace=tmp_path / "ws", timeout=1.0, retries=3)
        finished = time.monotonic()
    assert len(server.requests) == 1 and finished - server.requests[0] < 1.0 + 0.5
    assert "timeout= in lcagent.ask" in str(raised.value)


def _lcagent(*arguments: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lcagent", *arguments], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "LCAGENT_HOME": str(home), **(env or {})}, timeout=120)


def _lcagent_timed(*arguments: str, home: Path, env: dict[str, str] | None = None) -> tuple[int, list[tuple[float, str]]]:
    """Run lcagent; its exit status and each stderr line with the moment (monotonic) it arrived.
    (Interpreter teardown after the error can take seconds on a busy machine: time the error.)"""
    process = subprocess.Popen([sys.executable, "-m", "lcagent", *arguments], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, cwd=REPO,
                               env={**os.environ, "LCAGENT_HOME": str(home), **(env or {})})
    lines = [(time.monotonic(), line.rstrip("\n")) for line in process.stderr]
    return process.wait(timeout=120), lines


def _only_run(home: Path) -> dict:
    listed = _lcagent("trace", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    [run] = json.loads(listed.stdout)
    shown = json.loads(_lcagent("trace", run["id"], "--json", home=home).stdout)
    return shown


def _one_error_line(stderr: str) -> str:
    """The CLI's stderr holds its status lines and exactly one error line, and no traceback."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert all(line.startswith(("error:", "strategy ")) for line in stderr.strip().splitlines()), stderr
    return errors[0]


def test_cli_malformed_body_gives_one_line_and_records_the_run_as_failed(document, tmp_path):
    home = tmp_path / "home"
    with fault_server("truncated_json") as server:
        done = _lcagent("ask", str(document), "When was the storm?", "--model", f"openai:test-model@{server.base_url}",
                        "--strategy", "full", "--retries", "0", home=home)

    assert done.returncode == 1
    assert "not valid JSON" in _one_error_line(done.stderr)
    shown = _only_run(home)
    assert shown["run"]["status"] == "failed"
    errors = [step["output"] for step in shown["steps"] if step["name"] == "error"]
    assert errors and "not valid JSON" in errors[0]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_cli_hung_server_ends_within_the_timeout(document, tmp_path, how):
    home = tmp_path / "home"
    options, env = (["--timeout", "1.5", "--retries", "3"], None) if how == "option" else ([], {"LCAGENT_TIMEOUT": "1.5"})
    with fault_server("hang") as server:
        status, lines = _lcagent_timed("ask", str(document), "When was the storm?", "--model",
                                       f"openai:test-model@{server.base_url}", "--strategy", "full", *options,
                                       home=home, env=env)

    assert status == 1
    error_at, error = next((at, line) for at, line in lines if line.startswith("error:"))
    assert _one_error_line("\n".join(line for _, line in lines)) == error
    assert len(server.requests) == 1 and error_at - server.requests[0] < 1.5 + 0.5
    assert "1.5 s deadline" in error and "--timeout SECONDS" in error
    assert _only_run(home)["run"]["status"] == "failed"


def test_cli_help_names_the_options_and_their_environment_variables(tmp_path):
    done = _lcagent("ask", "--help", home=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for name in ("--timeout", "LCAGENT_TIMEOUT", "--retries", "LCAGENT_RETRIES", "--budget-calls", "--budget-seconds"):
        assert name in text
