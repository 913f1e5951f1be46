"""Checking JSON a model produced against the schema it was asked for.

Servers that cannot constrain decoding (or ignore the schema) still return text; this module
turns that text into a value and a list of human-readable problems to feed back to the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?```$", re.DOTALL)


@dataclass(frozen=True)
class JsonCheck:
    """What came of parsing and validating one reply."""

    text: str  # the reply with code fences and surrounding blanks removed
    value: Any = None
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def strip_fences(text: str) -> str:
    """Small models like to wrap JSON in a markdown fence even when asked not to."""
    stripped = text.strip()
    match = _FENCE.match(stripped)
    return match.group(1).strip() if match else stripped


def check_json(text: str, schema: dict[str, Any]) -> JsonCheck:
    cleaned = strip_fences(text)
    try:
        value = json.loads(cleaned)
    except json.JSONDecodeError as error:
        return JsonCheck(cleaned, None, (f"not valid JSON ({error.msg} at character {error.pos})",))
    return JsonCheck(cleaned, value, tuple(validate(value, schema)))


def validate(value: Any, schema: dict[str, Any]) -> list[str]:
    """Problems with ``value`` under ``schema``; empty when it validates.

    Uses ``jsonschema`` when it is installed; otherwise lcagent's own small checker
    (``schema_check``), which covers the keywords lcagent's schemas use.
    """
    try:
        import jsonschema
    except ImportError:
        from lcagent.runners.schema_check import schema_errors

        return schema_errors(value, schema)
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    return [
        f"{_json_path(error.absolute_path)}: {error.message}"
        for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def schema_instruction(schema: dict[str, Any]) -> str:
    """The prompt text that asks for JSON when the server cannot enforce the schema."""
    return (
        "Reply with a single JSON value and nothing else (no prose, no code fence). "
        f"It must validate against this JSON Schema:\n{json.dumps(schema, separators=(',', ':'))}"
    )


def correction_instruction(problems: tuple[str, ...], schema: dict[str, Any]) -> str:
    listed = "\n".join(f"- {problem}" for problem in problems[:5])
    return f"Your reply was not valid:\n{listed}\n{schema_instruction(schema)}"
