"""The MCP server in-process, through the SDK's own client: tools, schemas, a full round trip."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import mcp
import pytest

from lcagent.agents.router import STRATEGIES
from cpu_load import busy_machine
from lcagent.integrations.mcp_server import LcagentMCP, build_server
from lcagent.runners.scripted import ScriptedRunner
from lcagent.tools import Limits, get_tools
from tests.integrations.conftest import QUESTION

READ_TOOLS = ["list_docs", "search", "grep", "read"]


def session(app, steps) -> Any:
    """Run ``steps(client)`` against ``app`` over an in-process MCP connection."""

    async def main():
        async with mcp.Client(app) as client:
            return await steps(client)

    return asyncio.run(main())


def test_tool_list_schemas_and_descriptions(sandbox):
    app = build_server(sandbox.workspace, allow_dirs=[sandbox.allowed])

    async def steps(client):
        return (await client.list_tools()).tools

    listed = {tool.name: tool for tool in session(app, steps)}
    assert sorted(listed) == sorted(READ_TOOLS + ["ingest", "ask"])
    for tool in get_tools(READ_TOOLS):
        published = listed[tool.name]
        # The same words and the same argument schema the CLI agent's tools have.
        assert published.description == tool.description
        schema = tool.schema()
        assert published.input_schema["properties"].keys() == schema["properties"].keys()
        assert published.input_schema.get("required", []) == schema.get("required", [])
        for name, prop in schema["properties"].items():
            assert published.input_schema["properties"][name]["description"] == prop["description"]
        assert published.annotations.read_only_hint is True
        assert set(published.output_schema["properties"]) >= {"ok", "truncated", "citations", "documents"}
    search = listed["search"].input_schema["properties"]
    assert (search["k"]["minimum"], search["k"]["maximum"], search["k"]["default"]) == (1, 20, 5)

    ingest = listed["ingest"]
    assert str(sandbox.allowed.resolve()) in ingest.description
    assert ingest.input_schema["required"] == ["paths"]
    assert ingest.input_schema["properties"]["paths"]["type"] == "array"
    assert ingest.annotations.read_only_hint is False and ingest.annotations.destructive_hint is False

    ask = listed["ask"]
    assert ask.input_schema["required"] == ["question"]
    assert ask.input_schema["properties"]["strategy"]["enum"] == list(STRATEGIES)
    assert {"answer", "citations", "llm_calls"} <= set(ask.output_schema["properties"])
    assert "checked" in ask.description


def test_ingest_search_read_ask_round_trip(sandbox):
    # An empty script: any LLM call would raise ScriptExhausted, so the answer below used none.
    runner = ScriptedRunner(responses=[])
    app = build_server(sandbox.workspace, model=runner, allow_dirs=[sandbox.allowed])

    async def steps(client):
        results = {}
        results["ingest"] = await client.call_tool("ingest", {"paths": ["field_guide.pdf"]})
        results["list_docs"] = await client.call_tool("list_docs", {})
        results["search"] = await client.call_tool("search", {"query": "Harrow Point light automated", "k": 3})
        doc_id = results["ingest"].structured_content["ingested"][0]["id"]
        results["grep"] = await client.call_tool("grep", {"pattern": "automated in", "literal": True, "doc": doc_id})
        results["read"] = await client.call_tool("read", {"doc": doc_id[:12], "pages": "4"})
        results["ask"] = await client.call_tool("ask", {"question": QUESTION, "strategy": "tools"})
        return results

    results = session(app, steps)
    assert not any(result.is_error for result in results.values()), {k: r.content for k, r in results.items()}

    ingested = results["ingest"].structured_content["ingested"]
    assert [(d["name"], d["pages"], d["status"]) for d in ingested] == [("field_guide.pdf", 11, "new")]
    doc_id = ingested[0]["id"]
    assert results["list_docs"].structured_content["documents"] == [
        {"id": doc_id, "name": "field_guide.pdf", "pages": 11, "tokens": ingested[0]["tokens"]}
    ]

    search = results["search"]
    assert "p. 4 (label 2): The Harrow Point light was automated in 1987" in search.content[0].text
    first = search.structured_content["citations"][0]
    assert (first["doc_id"], first["page_index"], first["page_label"]) == (doc_id, 4, "2")
    assert "automated in 1987" in first["text"]

    grep = results["grep"].structured_content["citations"]
    assert [(c["page_index"], c["page_label"]) for c in grep] == [(4, "2")]
    assert grep[0]["text"].startswith("The Harrow Point light was automated in 1987")

    read = results["read"]
    assert read.content[0].text.startswith("--- field_guide.pdf p. 4 (label 2) ---")
    assert "automated in 1987" in read.content[0].text
    assert [(c["page_index"], c["page_label"]) for c in read.structured_content["citations"]] == [(4, "2")]

    ask = results["ask"]
    answer = ask.structured_content
    assert answer["answer"] == "1987" and answer["found"] is True
    assert (answer["strategy"], answer["llm_calls"]) == ("tools", 0)
    citation = answer["citations"][0]
    assert (citation["page_index"], citation["page_label"]) == (4, "2")
    assert citation["quote"].startswith("The Harrow Point light was automated in 1987")
    assert citation["rendered"].startswith('p. 4 (label 2): "The Harrow Point light')
    assert ask.content[0].text.splitlines()[0] == "1987"
    assert runner.calls == []


def test_model_mistakes_come_back_as_error_results(sandbox):
    app = build_server(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed])

    async def steps(client):
        await client.call_tool("ingest", {"paths": [str(sandbox.pdf)]})
        return [
            await client.call_tool("search", {"query": "light", "k": 500}),
            await client.call_tool("read", {"doc": "no-such-document", "pages": "1"}),
            await client.call_tool("read", {"pages": "1", "lines": "1-3"}),
            await client.call_tool("grep", {"pattern": "(unclosed"}),
            await client.call_tool("ask", {"question": QUESTION, "strategy": "nonsense"}),
        ]

    too_many, unknown_doc, both, bad_regex, bad_strategy = session(app, steps)
    assert all(result.is_error for result in (too_many, unknown_doc, both, bad_regex, bad_strategy))
    assert "k" in too_many.content[0].text and "20" in too_many.content[0].text
    assert "no document 'no-such-document'" in unknown_doc.content[0].text
    assert unknown_doc.structured_content["ok"] is False
    assert "exactly one of pages or lines" in both.content[0].text
    assert "strategy" in bad_strategy.content[0].text


def test_grep_reports_its_limit_when_the_limit_is_reached_on_a_busy_machine(sandbox):
    long_file = sandbox.allowed / "aaa.txt"
    long_file.write_text(("a" * 50 + "!\n") * 100)
    server = LcagentMCP(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed],
                        limits=Limits(seconds=1.0))
    assert not server.ingest([str(long_file)]).is_error
    with busy_machine():
        started = time.monotonic()
        result = server.run_tool("grep", {"pattern": "(a|aa)+$"})  # exponential backtracking on every line
        seconds = time.monotonic() - started
    assert result.is_error and "took longer than 1 s" in result.content[0].text
    assert seconds < 1.5, seconds  # the limit, plus opening the workspace and building the result


@pytest.mark.parametrize(
    "spec", ["gguf:/etc/passwd", "openai:gpt-4o@http://attacker.example/v1", "openai:gpt-4o", "vllm:some/model", "local:/etc/x"]
)
def test_clients_cannot_choose_model_files_or_urls(sandbox, spec):
    app = build_server(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed])

    async def steps(client):
        await client.call_tool("ingest", {"paths": ["field_guide.pdf"]})
        return await client.call_tool("ask", {"question": QUESTION, "model": spec})

    refused = session(app, steps)
    assert refused.is_error
    assert "cannot be chosen by an MCP client" in refused.content[0].text


def test_operator_can_allow_more_models(sandbox):
    from lcagent.integrations.mcp_server import check_model_choice
    from lcagent.runners.base import RunnerError

    check_model_choice("openai:gpt-4o-mini", allowed=("openai:gpt-4o-mini",))
    check_model_choice("local:gemma3-270m")
    with pytest.raises(RunnerError, match="--allow-model"):
        check_model_choice("openai:gpt-4o", allowed=("openai:gpt-4o-mini",))


def test_ask_takes_several_documents_or_a_tag(sandbox):
    """MCP ask over a collection: named documents, or a tag given at ingest; each citation names
    its document, and the tool never reads a file a client names as a document."""
    from lcagent.ingest import ingest_file
    from lcagent.memory.workspace import Workspace

    memo = sandbox.allowed / "memo.txt"
    memo.write_text("Staff memo. The door code of the harbour canteen is 4417.\n")
    with Workspace(sandbox.workspace) as ws:
        ids = [ingest_file(ws, path).document.id for path in (sandbox.pdf, memo)]
        ws.tags.add(ids, "harbour")
    app = build_server(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed])

    async def steps(client):
        return [await client.call_tool("ask", {"question": QUESTION, "strategy": "tools", "docs": ["field_guide.pdf", "memo.txt"]}),
                await client.call_tool("ask", {"question": "What is the door code of the harbour canteen?", "strategy": "tools", "tag": "harbour"}),
                await client.call_tool("ask", {"question": QUESTION, "strategy": "tools"}),
                await client.call_tool("ask", {"question": QUESTION, "docs": [str(sandbox.secret)]})]

    named, tagged, unnamed, outside = session(app, steps)
    assert named.structured_content["answer"] == "1987"
    assert named.structured_content["citations"][0]["doc_name"] == "field_guide.pdf"
    assert not tagged.is_error, tagged.content[0].text
    assert tagged.structured_content["answer"] == "4417"
    assert tagged.structured_content["citations"][0]["doc_name"] == "memo.txt"
    assert unnamed.is_error  # two documents and none named: the client is told to name one
    assert outside.is_error and "secret" not in outside.content[0].text.lower().replace(str(sandbox.secret).lower(), "")
