"""A workspace write-locked by another process: writers wait with a message, then give one line;
readers never wait. The lock is held by a real second process with ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from lcagent.memory.workspace import Workspace, WorkspaceLocked
from tests.integrations.conftest import QUESTION

LOCK_WAIT = 3.0
HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # hold the write lock until the test closes our stdin
connection.execute("ROLLBACK")
"""


@pytest.fixture
def ingested(tmp_path, example_pdf):
    ws_dir = tmp_path / "ws"
    done = lcagent("ingest", str(example_pdf), "-w", str(ws_dir))
    assert done.returncode == 0, done.stderr
    return ws_dir


@pytest.fixture
def lock_holder(ingested):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(ingested / "workspace.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    yield holder
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0


def lcagent(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "LCAGENT_LOCK_WAIT": str(LOCK_WAIT), "LCAGENT_EMBED_LIMIT": "0", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "lcagent", *argv], capture_output=True, text=True, env=env,
                          timeout=timeout)


def timed(*argv: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = lcagent(*argv)
    return result, time.monotonic() - started


def assert_waited_then_one_line(result: subprocess.CompletedProcess, seconds: float) -> None:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and "database is locked" not in result.stderr
    assert len(lines) == 2, result.stderr
    assert "is locked by another process; waiting up to 3 s" in lines[0]
    assert lines[1].startswith("error:") and "LCAGENT_LOCK_WAIT" in lines[1] and "retry" in lines[1]
    assert LOCK_WAIT <= seconds < LOCK_WAIT + 20  # the wait, plus starting Python


def test_read_only_commands_never_wait_for_the_write_lock(ingested, lock_holder):
    for argv in (["docs", "--json"], ["search", "field_guide.pdf", "Harrow Point"], ["show", "field_guide.pdf", "-p", "2"],
                 ["search", "field_guide.pdf", "--grep", "automated"], ["trace"]):
        result, seconds = timed(*argv, "-w", str(ingested))
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr, argv
    docs = json.loads(lcagent("docs", "--json", "-w", str(ingested)).stdout)
    assert [d["name"] for d in docs] == ["field_guide.pdf"]


def test_ingest_waits_with_a_message_then_fails_in_one_line(ingested, lock_holder, tmp_path):
    new_file = tmp_path / "notes.txt"
    new_file.write_text("The fog bell at Harrow Point was rung by hand until 1921.\n")
    result, seconds = timed("ingest", str(new_file), "-w", str(ingested))
    assert_waited_then_one_line(result, seconds)
    lock_holder.stdin.close()
    lock_holder.wait(timeout=30)
    after = lcagent("ingest", str(new_file), "-w", str(ingested), "--json")
    assert after.returncode == 0 and json.loads(after.stdout)["ingested"][0]["status"] == "new"


def test_ask_waits_with_a_message_then_fails_in_one_line(ingested, lock_holder):
    # The question needs no model call; the run's trace row is the first write (RunTrace.start).
    result, seconds = timed("ask", "field_guide.pdf", QUESTION, "--strategy", "tools", "-w", str(ingested))
    assert_waited_then_one_line(result, seconds)
    with Workspace(ingested) as ws:
        assert ws.db["runs"].count == 0


def test_a_lock_released_within_the_wait_is_waited_for(ingested):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(ingested / "workspace.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    messages: list[str] = []
    release = threading.Timer(2.0, holder.stdin.close)  # the other process finishes 2 s into a 30 s wait
    with Workspace(ingested, lock_wait=30, on_lock_wait=messages.append) as ws:
        started = time.monotonic()
        release.start()
        ws.remove("0" * 64)  # a write: waits for the lock, then runs
        waited = time.monotonic() - started
    assert holder.wait(timeout=30) == 0
    assert 1.5 < waited < 15
    assert len(messages) == 1 and "waiting up to 30 s" in messages[0]


def test_lock_wait_zero_fails_at_once(ingested, lock_holder):
    with Workspace(ingested, lock_wait=0) as ws:
        started = time.monotonic()
        with pytest.raises(WorkspaceLocked, match="LCAGENT_LOCK_WAIT"):
            ws.remove("0" * 64)
        assert time.monotonic() - started < 2
        assert [d.name for d in ws.documents()] == ["field_guide.pdf"]  # reading still works
