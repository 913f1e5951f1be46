"""How lcagent talks the OpenAI chat API: known context windows, how each kind of server is asked
for JSON, choice and grammar constraints as request bodies, tool specs, and the small helpers that
turn replies back into completions. ``openai_runner`` does the calling."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Sequence
from urllib.parse import urlparse

from lcagent.runners.base import Completion, Message

# Longest matching prefix wins. Only models whose window is published and stable.
KNOWN_CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-3.5-turbo": 16_385,
    "gpt-4": 8_192,
    "gpt-4-turbo": 128_000,
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
}
DEFAULT_CONTEXT_WINDOW = 8192

# How each kind of server can be asked for JSON, best first. The first mode a server
# accepts is remembered per runner, so later calls do not pay for the rejected ones.
#   json_schema         OpenAI's structured outputs (llama.cpp's server answers HTTP 500)
#   json_object_schema  {"type": "json_object", "schema": ...}: llama.cpp turns it into a grammar
#   json_object         JSON mode without a schema; the schema goes in the prompt
#   prompt              no response_format at all; the schema goes in the prompt
JSON_MODES: dict[str, tuple[str, ...]] = {
    "openai": ("json_schema", "json_object"),
    "llama.cpp": ("json_object_schema", "json_object", "prompt"),
    "vllm": ("json_schema", "prompt"),
    "ollama": ("json_schema", "json_object", "prompt"),
    "generic": ("json_schema", "json_object_schema", "json_object", "prompt"),
}
SERVER_KINDS = tuple(JSON_MODES)

def guess_server_kind(base_url: str | None) -> str:
    """The kind of server behind a URL, as far as the URL alone tells."""
    if not base_url or urlparse(base_url).hostname == "api.openai.com":
        return "openai"
    if urlparse(base_url).port == 11434:
        return "ollama"
    return "generic"


def _is_local(base_url: str) -> bool:
    return (urlparse(base_url).hostname or "") in ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def encoding_for(model: str) -> str:
    """tiktoken encoding for a model name; cl100k_base approximates non-OpenAI models."""
    name = model.lower().rsplit("/", 1)[-1]
    if name.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss")):
        return "o200k_base"
    return "cl100k_base"


def known_context_window(model: str) -> int | None:
    name = model.lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in KNOWN_CONTEXT_WINDOWS if name.startswith(prefix)]
    return KNOWN_CONTEXT_WINDOWS[max(matches, key=len)] if matches else None


def gbnf_choice(options: Sequence[str]) -> str:
    """A llama.cpp grammar that matches exactly one of ``options``."""
    literals = " | ".join(json.dumps(option, ensure_ascii=False) for option in options)
    return f"root ::= {literals}"


def choice_schema(options: Sequence[str]) -> dict[str, Any]:
    # An object wrapper, because OpenAI's structured outputs require an object at the root.
    return {
        "type": "object",
        "properties": {"choice": {"type": "string", "enum": list(options)}},
        "required": ["choice"],
        "additionalProperties": False,
    }


def tool_spec(tool: dict[str, Any]) -> dict[str, Any]:
    """Accept both the OpenAI tool form and a bare function description."""
    if tool.get("type") == "function" and "function" in tool:
        return tool
    return {"type": "function", "function": tool}


def _with_instruction(
    messages: Sequence[Message], instruction: str, *, as_new_user_message: bool = False
) -> list[Message]:
    """Append an instruction at the end, so a shared document prefix stays cacheable."""
    messages = list(messages)
    if as_new_user_message or not messages or messages[-1].role != "user":
        return messages + [Message("user", instruction)]
    last = messages[-1]
    return messages[:-1] + [replace(last, content=f"{last.content}\n\n{instruction}")]


def _match_option(text: str, options: Sequence[str]) -> str | None:
    candidate = text.strip()
    if candidate in options:
        return candidate
    unquoted = candidate.strip("\"'` ")
    return unquoted if unquoted in options else None


def _add_usage(completion: Completion, earlier: Completion) -> Completion:
    return replace(
        completion,
        prompt_tokens=completion.prompt_tokens + earlier.prompt_tokens,
        completion_tokens=completion.completion_tokens + earlier.completion_tokens,
    )
