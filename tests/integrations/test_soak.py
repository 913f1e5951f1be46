"""Soak: 200 questions through a real `lcagent mcp --http` process from 4 concurrent clients.

The server's model is scripted with an empty script (tests/integrations/scripted_mcp.py), so
the questions are answered by the tools strategy alone and any model call would fail loudly.
Asserts: no error and the right answer every time, no growth in the server's open files or
threads between the first round and the last, every run recorded as done, and SQLite's
integrity check passes at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import mcp
import pytest

from tests.integrations.test_mcp_http import free_port, wait_for_port

pytestmark = pytest.mark.timeout(600)  # under a minute on 2 cores; never hang CI
LAUNCHER = Path(__file__).with_name("scripted_mcp.py")
CLIENTS = 4
ROUNDS = 5
QUESTIONS_PER_CLIENT_AND_ROUND = 10  # 4 x 5 x 10 = 200 questions
# From examples/QUESTIONS.md: needle questions the tools strategy answers without a model.
QUESTIONS = [
    ("In which year was the Harrow Point light automated?", "1987"),
    ("How many storms did keeper Ada Lindqvist record in her logbooks?", "312"),
    ("How many steps does the climb to the gallery of Cape Vell Light take?", "219"),
    ("For how many days were the Isle of Tarn keepers stranded in the winter of 1947?", "41"),
    ("Who compiled this edition of the guide, and in which year?", "2024"),
]


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


async def client_round(url: str, client: int, round_number: int) -> list[str]:
    """One client session: its questions, plus a grep and a read; returns what went wrong."""
    problems = []
    async with mcp.Client(url, read_timeout_seconds=120) as session:
        for n in range(QUESTIONS_PER_CLIENT_AND_ROUND):
            question, expected = QUESTIONS[(client + round_number + n) % len(QUESTIONS)]
            result = await session.call_tool("ask", {"question": question, "doc": "field_guide.pdf",
                                                     "strategy": "tools"})
            answer = result.structured_content or {}
            if result.is_error or expected not in answer.get("answer", "") or answer.get("llm_calls") != 0:
                problems.append(f"{question!r}: {result.content[0].text[:200]}")
        grep = await session.call_tool("grep", {"pattern": "automated in"})
        read = await session.call_tool("read", {"pages": "4"})
        problems += [f"{name}: {r.content[0].text[:200]}" for name, r in (("grep", grep), ("read", read)) if r.is_error]
    return problems


def test_200_questions_from_4_clients_leak_nothing(sandbox, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "mcp", "--model", "scripted", "--workspace", str(sandbox.workspace),
         "--allow-dir", str(sandbox.allowed), "--http", f"127.0.0.1:{port}"],
        env={**os.environ, "LCAGENT_HOME": str(tmp_path / "home")},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_for_port(port, server)

        async def ingest():
            async with mcp.Client(url, read_timeout_seconds=120) as session:
                return await session.call_tool("ingest", {"paths": ["field_guide.pdf"]})

        assert not asyncio.run(ingest()).is_error
        counts = []
        started = time.monotonic()
        for round_number in range(ROUNDS):
            async def one_round():
                return await asyncio.gather(*(client_round(url, c, round_number) for c in range(CLIENTS)))

            problems = [p for per_client in asyncio.run(one_round()) for p in per_client]
            assert problems == [], problems[:5]
            counts.append((open_files(server.pid), threads(server.pid)))
        seconds = time.monotonic() - started
        (first_files, first_threads), (last_files, last_threads) = counts[0], counts[-1]
        # sessions closed, sockets closed, worker threads reused: nothing grows round after round
        assert last_files <= first_files + 2, counts
        assert last_threads <= first_threads + 2, counts
        print(f"soak: {ROUNDS * CLIENTS * QUESTIONS_PER_CLIENT_AND_ROUND} questions in {seconds:.1f} s; "
              f"(open files, threads) after each round: {counts}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)

    connection = sqlite3.connect(sandbox.workspace / "workspace.db")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        statuses = connection.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
        assert statuses == [("done", ROUNDS * CLIENTS * QUESTIONS_PER_CLIENT_AND_ROUND)]
    finally:
        connection.close()
