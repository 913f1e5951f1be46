"""lcagent as a native tool of other agent stacks: an MCP server, LangChain/LangGraph tools.

Every entry point here runs the same sandboxed tools as the CLI (``lcagent.tools.call``):
read-only, confined to one workspace, bounded output. Only ingest writes, and only files
inside directories the user allowed (``sandbox.AllowedDirs``).
"""
