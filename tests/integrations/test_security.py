"""Every entry point refuses to read or ingest outside its sandbox: '..', absolute paths, symlinks.

Entry points: the MCP server (ingest, read, search, ask), the LangChain tools, and
``lcagent.tools.call``. Each attempt must fail as a readable error, leave the secret file's
text out of every result, and store nothing from outside the allowed directory.
"""

from __future__ import annotations

import asyncio

import mcp
import pytest

from lcagent.ingest import ingest_file
from lcagent.integrations.langchain import tools as langchain_tools
from lcagent.integrations.mcp_server import build_server
from lcagent.memory.workspace import Workspace
from lcagent.runners.scripted import ScriptedRunner
from lcagent.tools import ToolContext, call
from tests.integrations.conftest import SECRET, assert_nothing_secret_stored


def escaping_paths(sandbox) -> dict[str, str]:
    """Names for the secret that an attacker might try, by technique."""
    return {
        "traversal": "../outside/secret.txt",
        "deep traversal": "../../../../../../../../etc/passwd",
        "absolute outside": str(sandbox.secret),
        "absolute system": "/etc/passwd",
        "symlinked file": "notes.txt",
        "absolute symlinked file": str(sandbox.file_link),
        "through symlinked dir": "elsewhere/secret.txt",
        "symlinked dir": "elsewhere",
        "traversal back in": "field_guide.pdf/../../outside/secret.txt",
    }


def mcp_session(app, steps):
    async def main():
        async with mcp.Client(app) as client:
            return await steps(client)

    return asyncio.run(main())


def test_mcp_ingest_refuses_every_path_outside_the_allowed_dirs(sandbox):
    app = build_server(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed])
    attempts = escaping_paths(sandbox)

    async def steps(client):
        return {how: await client.call_tool("ingest", {"paths": [path]}) for how, path in attempts.items()}

    results = mcp_session(app, steps)
    for how, result in results.items():
        assert result.is_error, how
        assert result.structured_content["ingested"] == [], how
        assert SECRET not in result.content[0].text, how
    assert "outside the allowed directories" in results["symlinked file"].content[0].text
    assert "outside the allowed directories" in results["traversal"].content[0].text
    assert_nothing_secret_stored(sandbox.workspace)
    with Workspace(sandbox.workspace) as ws:
        assert ws.documents(all_versions=True) == []


def test_mcp_ingest_of_the_allowed_dir_skips_links_that_leave_it(sandbox):
    app = build_server(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed])

    async def steps(client):
        return await client.call_tool("ingest", {"paths": ["."]})

    result = mcp_session(app, steps)
    assert [d["name"] for d in result.structured_content["ingested"]] == ["field_guide.pdf"]
    assert_nothing_secret_stored(sandbox.workspace)


def test_mcp_read_search_and_ask_only_see_the_workspace(sandbox):
    app = build_server(sandbox.workspace, model=ScriptedRunner(responses=[]), allow_dirs=[sandbox.allowed])
    attempts = escaping_paths(sandbox)

    async def steps(client):
        await client.call_tool("ingest", {"paths": ["field_guide.pdf"]})
        results = {}
        for how, path in attempts.items():
            results[f"read {how}"] = await client.call_tool("read", {"doc": path, "pages": "1"})
            results[f"grep {how}"] = await client.call_tool("grep", {"pattern": "vault", "doc": path})
            results[f"ask {how}"] = await client.call_tool("ask", {"question": "What is the vault code?", "doc": path, "strategy": "tools"})
        results["search all"] = await client.call_tool("search", {"query": "vault code secret"})
        return results

    results = mcp_session(app, steps)
    for what, result in results.items():
        assert SECRET not in result.content[0].text and "7319" not in result.content[0].text, what
        if what != "search all":
            assert result.is_error, what
    assert_nothing_secret_stored(sandbox.workspace)


def test_langchain_tools_refuse_paths(sandbox):
    with Workspace(sandbox.workspace) as ws:
        ingest_file(ws, sandbox.pdf)
    by_name = {tool.name: tool for tool in langchain_tools(sandbox.workspace)}
    for how, path in escaping_paths(sandbox).items():
        for name, arguments in (("read", {"doc": path, "pages": "1"}), ("grep", {"pattern": "vault", "doc": path}),
                                ("count", {"pattern": "vault", "doc": path})):
            text = by_name[name].invoke(arguments)
            assert text.startswith("error: "), (how, name, text)
            assert SECRET not in text and "7319" not in text
    assert_nothing_secret_stored(sandbox.workspace)


@pytest.mark.parametrize("name", ["read", "grep", "search", "count", "word_frequencies"])
def test_tools_call_refuses_paths(sandbox, name):
    with Workspace(sandbox.workspace) as ws:
        ingest_file(ws, sandbox.pdf)
        context = ToolContext(ws)
        for how, path in escaping_paths(sandbox).items():
            arguments = {"doc": path}
            if name in {"grep", "count"}:
                arguments["pattern"] = "vault"
            if name == "search":
                arguments["query"] = "vault"
            if name == "read":
                arguments["pages"] = "1"
            result = call(name, arguments, context)
            assert not result.ok, (how, name, result.text)
            assert SECRET not in result.text
    assert_nothing_secret_stored(sandbox.workspace)
