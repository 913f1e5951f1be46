"""How a run ends when its process is stopped: SIGTERM records "interrupted"; a process killed
outright leaves a run that `lcagent trace` shows as "abandoned". Real `lcagent ask` processes
talk to a real socket on 127.0.0.1 that accepts connections and never answers."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integrations.conftest import QUESTION


@pytest.fixture
def silent_server():
    """A model server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    listener.close()


@pytest.fixture
def ws_dir(tmp_path, example_pdf) -> Path:
    ws_dir = tmp_path / "ws"
    done = subprocess.run([sys.executable, "-m", "lcagent", "ingest", str(example_pdf), "-w", str(ws_dir)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "LCAGENT_EMBED_LIMIT": "0"})
    assert done.returncode == 0, done.stderr
    return ws_dir


def start_ask(ws_dir: Path, model_url: str) -> subprocess.Popen:
    # `full` sends the whole document in one call, so the run waits on the silent server
    return subprocess.Popen(
        [sys.executable, "-m", "lcagent", "ask", "field_guide.pdf", QUESTION, "--strategy", "full",
         "--model", f"openai:silent@{model_url}", "-w", str(ws_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "OPENAI_API_KEY": "not-used", "LCAGENT_TIMEOUT": "600"},
    )


def wait_until_running(ws_dir: Path, process: subprocess.Popen, seconds: float = 90) -> str:
    """The run id, once the run's first LLM call is under way (its row says running)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with sqlite3.connect(ws_dir / "workspace.db") as connection:
                rows = connection.execute("SELECT id, status FROM runs").fetchall()
        except sqlite3.OperationalError:  # the run table is created by a migration still running
            rows = []
        if rows and rows[0][1] == "running":
            time.sleep(0.5)  # into the HTTP call itself
            return rows[0][0]
        time.sleep(0.1)
    raise AssertionError("the run never started")


def traced(ws_dir: Path) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "lcagent", "trace", "--json", "-w", str(ws_dir)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sigterm_ends_the_run_as_interrupted(ws_dir, silent_server):
    process = start_ask(ws_dir, silent_server)
    run_id = wait_until_running(ws_dir, process)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert "Traceback" not in err
    assert [(r["id"], r["status"]) for r in traced(ws_dir)] == [(run_id, "interrupted")]


def test_a_killed_run_shows_as_abandoned(ws_dir, silent_server):
    process = start_ask(ws_dir, silent_server)
    run_id = wait_until_running(ws_dir, process)
    process.kill()
    process.wait(timeout=30)
    assert [(r["id"], r["status"]) for r in traced(ws_dir)] == [(run_id, "abandoned")]
    with sqlite3.connect(ws_dir / "workspace.db") as connection:  # shown so, never rewritten by a reader
        assert connection.execute("SELECT status FROM runs").fetchone()[0] == "running"


def test_a_live_run_shows_as_running(ws_dir, silent_server):
    process = start_ask(ws_dir, silent_server)
    try:
        run_id = wait_until_running(ws_dir, process)
        assert [(r["id"], r["status"]) for r in traced(ws_dir)] == [(run_id, "running")]
    finally:
        process.kill()
        process.wait(timeout=30)
