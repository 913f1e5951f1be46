"""examples/openai_tool_loop.py against a real llama.cpp server on 127.0.0.1.

SmolLM2-135M may or may not call tools well, so this asserts what is real: every request
carried lcagent's tool schemas, every tool call the model made was executed through
``lcagent.tools.call`` without reading outside the workspace, and the loop terminated.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import httpx2
import pytest
from openai import OpenAI

from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace
from lcagent.tools import Limits, ToolContext, openai_tools
from tests.conftest import REPO
from tests.integrations.conftest import QUESTION, SECRET
from tests.runners.llama_server import llama_server  # noqa: F401  (the fixture)

EXAMPLE = REPO / "examples" / "openai_tool_loop.py"


def load_example():
    spec = importlib.util.spec_from_file_location("openai_tool_loop", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_tool_loop_against_local_llama_server(llama_server, sandbox):  # noqa: F811
    example = load_example()
    sent: list[dict] = []

    def record(request: httpx2.Request) -> None:
        sent.append(json.loads(request.content))

    client = OpenAI(base_url=llama_server.base_url, api_key="not-needed", max_retries=0,
                    http_client=httpx2.Client(event_hooks={"request": [record]}, timeout=300))
    with Workspace(sandbox.workspace) as ws:
        document = ingest_file(ws, sandbox.pdf).document
        context = ToolContext(ws, doc_ids=[document.id], limits=Limits(max_chars=1500, max_items=20))
        result = example.tool_loop(client, "smollm2", QUESTION, context, max_turns=3, max_tokens=128)

    assert 1 <= result.turns <= 3
    assert len(sent) == result.turns  # one request per turn, then it stopped
    for body in sent:
        assert body["tools"] == openai_tools()
        assert body["messages"][1] == {"role": "user", "content": QUESTION}
    if result.answer is None:
        assert result.turns == 3 and result.calls  # only running out of turns on tool calls ends it unanswered
    for executed in result.calls:
        assert executed.result and SECRET not in executed.result
        if not executed.ok:
            assert executed.result.startswith("error: ")
    if result.answer is not None:
        # The answering request carried every tool result back to the model.
        tool_messages = [m for m in sent[-1]["messages"] if m["role"] == "tool"]
        assert [m["content"] for m in tool_messages] == [c.result for c in result.calls]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_example_command_runs(llama_server, sandbox, tmp_path):  # noqa: F811
    command = [sys.executable, str(EXAMPLE), str(sandbox.pdf), QUESTION, "--base-url", llama_server.base_url,
               "--model", "smollm2", "--max-turns", "2", "--workspace", str(tmp_path / "example-ws")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=540,
                          env={**os.environ, "LCAGENT_HOME": str(tmp_path / "home")}, cwd=REPO)
    assert done.returncode in (0, 1), done.stderr  # 1: the turns ran out before an answer
    report = json.loads(done.stdout)
    assert 1 <= report["turns"] <= 2
    assert (report["answer"] is not None) == (done.returncode == 0)
