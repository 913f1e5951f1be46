"""`lcagent mcp --http`: a real server process on 127.0.0.1, driven over streamable HTTP by the SDK's client."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import mcp
import pytest

from tests.integrations.conftest import QUESTION, SECRET, assert_nothing_secret_stored


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start listening")


@pytest.fixture
def http_server(sandbox, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "lcagent", "mcp", "--workspace", str(sandbox.workspace), "--http", f"127.0.0.1:{port}"],
        cwd=sandbox.allowed, env={**os.environ, "LCAGENT_HOME": str(tmp_path / "home")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp", process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_http_round_trip(http_server, sandbox):
    url, process = http_server

    async def main():
        async with mcp.Client(url, read_timeout_seconds=120) as client:
            listed = sorted(tool.name for tool in (await client.list_tools()).tools)
            ingest = await client.call_tool("ingest", {"paths": ["field_guide.pdf", str(sandbox.secret)]})
            grep = await client.call_tool("grep", {"pattern": "automated in"})
            answer = await client.call_tool("ask", {"question": QUESTION, "doc": "field_guide.pdf", "strategy": "tools"})
            return listed, ingest, grep, answer

    listed, ingest, grep, answer = asyncio.run(main())
    assert listed == ["ask", "grep", "ingest", "list_docs", "read", "search"]
    assert [d["name"] for d in ingest.structured_content["ingested"]] == ["field_guide.pdf"]
    assert "outside the allowed directories" in ingest.structured_content["errors"][0]["error"]
    assert not grep.is_error and "1987" in grep.content[0].text
    assert (answer.structured_content["answer"], answer.structured_content["llm_calls"]) == ("1987", 0)
    assert answer.structured_content["citations"][0]["page_label"] == "2"
    assert SECRET not in str(ingest.content)
    assert_nothing_secret_stored(sandbox.workspace)


def test_http_refuses_a_non_loopback_address_without_allow_remote(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lcagent", "mcp", "--workspace", str(tmp_path / "ws"), "--http", "0.0.0.0:8765"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "--allow-remote" in result.stderr
