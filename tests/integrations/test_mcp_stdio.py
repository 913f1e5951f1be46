"""One real round trip: `lcagent mcp` as a subprocess, driven over stdio by the SDK's client."""

from __future__ import annotations

import asyncio
import os
import sys

import mcp
from mcp.client.stdio import StdioServerParameters

from tests.integrations.conftest import SECRET, assert_nothing_secret_stored


def test_stdio_round_trip(sandbox, tmp_path):
    # No --allow-dir: the server's current directory (the allowed folder) is the default.
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "lcagent", "mcp", "--workspace", str(sandbox.workspace)],
        env={**os.environ, "LCAGENT_HOME": str(tmp_path / "home")}, cwd=str(sandbox.allowed),
    )

    async def main():
        async with mcp.Client(server, read_timeout_seconds=120) as client:
            listed = sorted(tool.name for tool in (await client.list_tools()).tools)
            ingest = await client.call_tool("ingest", {"paths": ["field_guide.pdf", "../outside/secret.txt"]})
            search = await client.call_tool("search", {"query": "Cape Vell steps gallery", "k": 2})
            read = await client.call_tool("read", {"doc": "field_guide.pdf", "pages": "7"})
            return listed, ingest, search, read

    listed, ingest, search, read = asyncio.run(main())
    assert listed == ["ask", "grep", "ingest", "list_docs", "read", "search"]
    assert [d["name"] for d in ingest.structured_content["ingested"]] == ["field_guide.pdf"]
    assert "outside the allowed directories" in ingest.structured_content["errors"][0]["error"]
    assert SECRET not in ingest.content[0].text
    assert not search.is_error and "219" in search.content[0].text
    assert [(c["page_index"], c["page_label"]) for c in search.structured_content["citations"]][0] == (7, "5")
    assert read.content[0].text.startswith("--- field_guide.pdf p. 7 (label 5) ---")
    assert_nothing_secret_stored(sandbox.workspace)
