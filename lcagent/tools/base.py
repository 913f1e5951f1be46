"""What a tool is: a name, a description for the model, typed arguments, one ``run``.

Tools are read-only views of a workspace. A tool's mistakes-by-the-model (bad arguments,
unknown document, bad regex) come back as ``ToolResult(ok=False)`` text the model can
read; only bugs raise.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Sequence, TypeVar

from pydantic import BaseModel, ValidationError

from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.pagespec import PageSpecError

ArgsT = TypeVar("ArgsT", bound=BaseModel)


@dataclass(frozen=True)
class Limits:
    """Bounds on every tool call, so no call can flood a context or hang."""

    max_chars: int = 4000  # text returned to the model
    max_items: int = 50  # hits, lines or rows
    seconds: float = 5.0  # regex time budget per call


@dataclass
class ToolContext:
    """What a tool may see: one workspace, optionally narrowed to some documents."""

    workspace: Workspace
    doc_ids: Sequence[str] | None = None
    limits: Limits = field(default_factory=Limits)

    def documents(self):
        docs = self.workspace.documents()
        if self.doc_ids:
            wanted = set(self.doc_ids)
            docs = [d for d in self.workspace.documents(all_versions=True) if d.id in wanted]
        return docs

    def resolve(self, name: str | None):
        """A document the caller may read; the only document in scope when ``name`` is empty."""
        if not name:
            docs = self.documents()
            if len(docs) == 1:
                return docs[0]
            raise ToolInputError("several documents are available; name one (see list_docs)")
        document = self.workspace.resolve(name)
        if self.doc_ids and document.id not in self.doc_ids:
            raise ToolInputError(f"document {name!r} is not available to this agent; see list_docs")
        return document


class ToolInputError(Exception):
    """The model called a tool wrongly; the message goes back to the model."""


@dataclass(frozen=True)
class ToolResult:
    text: str
    data: Any = None
    ok: bool = True
    truncated: bool = False
    seconds: float = 0.0


class Tool(Generic[ArgsT]):
    name: ClassVar[str]
    description: ClassVar[str]
    Args: ClassVar[type[BaseModel]]

    def run(self, args: ArgsT, context: ToolContext) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        schema = self.Args.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        return schema

    def openai_schema(self) -> dict[str, Any]:
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": self.schema()}}

    def call(self, arguments: dict[str, Any] | str, context: ToolContext) -> ToolResult:
        """Validate arguments, run, bound the output; model mistakes become error text."""
        started = time.perf_counter()
        try:
            if isinstance(arguments, str):
                arguments = json.loads(arguments or "{}")
            if not isinstance(arguments, dict):
                raise ToolInputError("arguments must be a JSON object")
            args = self.Args.model_validate(arguments)
            result = self.run(args, context)
        except json.JSONDecodeError as error:
            result = ToolResult(f"error: arguments are not valid JSON ({error.msg}); send a JSON object", ok=False)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
            result = ToolResult(f"error: bad arguments for {self.name}: {problems}", ok=False)
        except (ToolInputError, WorkspaceError, PageSpecError) as error:
            result = ToolResult(f"error: {error}", ok=False)
        except TimeoutError:
            result = ToolResult(
                f"error: {self.name} took longer than {context.limits.seconds:.0f} s; use a simpler pattern", ok=False
            )
        return bound(result, context.limits.max_chars, time.perf_counter() - started)


def bound(result: ToolResult, max_chars: int, seconds: float) -> ToolResult:
    text = result.text
    truncated = result.truncated
    if len(text) > max_chars:
        cut = text.rfind("\n", 0, max_chars)
        cut = cut if cut > max_chars // 2 else max_chars
        omitted = len(text) - cut
        text = text[:cut] + f"\n[output truncated: {omitted} more characters; narrow the request or page on]"
        truncated = True
    return ToolResult(text, result.data, result.ok, truncated, seconds)
