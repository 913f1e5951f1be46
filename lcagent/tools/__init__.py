"""Tools an agent can call over an ingested workspace: search, grep, read, list, count. Read-only.

``openai_tools()`` gives their OpenAI function schemas; ``call(name, arguments_json, context)``
runs one call from a model's tool-call message safely (validated, bounded, errors as text).
"""

from __future__ import annotations

from typing import Any, Sequence

from lcagent.tools.base import Limits, Tool, ToolContext, ToolInputError, ToolResult
from lcagent.tools.library import BUILTIN_TOOLS


def get_tools(names: Sequence[str] | None = None) -> list[Tool]:
    tools = list(BUILTIN_TOOLS)
    if names is None:
        return tools
    by_name = {tool.name: tool for tool in tools}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"unknown tools {unknown}; available: {sorted(by_name)}")
    return [by_name[n] for n in names]


def openai_tools(names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """``[{"type": "function", "function": {...}}]`` for the built-in tools."""
    return [tool.openai_schema() for tool in get_tools(names)]


def call(name: str, arguments: str | dict[str, Any], context: ToolContext) -> ToolResult:
    """Execute one tool call; an unknown tool or bad arguments come back as error text."""
    for tool in BUILTIN_TOOLS:
        if tool.name == name:
            return tool.call(arguments, context)
    names = ", ".join(t.name for t in BUILTIN_TOOLS)
    return ToolResult(f"error: there is no tool {name!r}; available tools: {names}", ok=False)


__all__ = ["Limits", "Tool", "ToolContext", "ToolInputError", "ToolResult", "call", "get_tools", "openai_tools"]
