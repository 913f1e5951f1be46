"""What a tool is: a name, a description for the model, typed arguments, one ``run``.

Tools are read-only views of a workspace. A tool's mistakes-by-the-model (bad arguments,
unknown document, bad regex) come back as ``ToolResult(ok=False)`` text the model can
read; only bugs raise.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, Sequence, TypeVar

from pydantic import BaseModel, ValidationError

from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.pagespec import PageSpecError
from lcagent.time_limits import TimeLimit

ArgsT = TypeVar("ArgsT", bound=BaseModel)


@dataclass(frozen=True)
class Limits:
    """Bounds on every tool call, so no call can flood a context or hang."""

    max_chars: int = 4000  # text returned to the model
    max_items: int = 50  # hits, lines or rows
    seconds: float = 5.0  # wall-clock limit per call: SQL, regex and counting loops alike


@dataclass
class ToolContext:
    """What a tool may see: one workspace, optionally narrowed to some documents."""

    workspace: Workspace
    doc_ids: Sequence[str] | None = None
    limits: Limits = field(default_factory=Limits)
    time_limit: TimeLimit | None = None  # the current call's wall-clock deadline; set by Tool.call

    def remaining(self) -> float | None:
        """Seconds left for the current call (None: unbounded); raises TimeoutError once none are left."""
        return self.time_limit.remaining() if self.time_limit else None

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
    # What to try instead when a call runs out of time (told to the model with the error).
    timeout_hint: ClassVar[str] = "ask for less: name one document, or fewer pages"

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
            bounded = replace(context, time_limit=TimeLimit(context.limits.seconds))
            with context.workspace.time_limit(context.limits.seconds):  # SQL stops at the limit too
                result = self.run(args, bounded)
        except json.JSONDecodeError as error:
            result = ToolResult(f"error: arguments are not valid JSON ({error.msg}); send a JSON object", ok=False)
        except ValidationError as error:
            result = ToolResult(describe_validation_error(self.name, error), ok=False)
        except (ToolInputError, WorkspaceError, PageSpecError) as error:
            result = ToolResult(f"error: {error}", ok=False)
        except TimeoutError:
            result = ToolResult(
                f"error: {self.name} took longer than {context.limits.seconds:g} s and was stopped; {self.timeout_hint}",
                ok=False,
            )
        return bound(result, context.limits.max_chars, time.perf_counter() - started)


def describe_validation_error(tool_name: str, error: ValidationError) -> str:
    """The one-line text a model gets for arguments that do not fit a tool's ``Args``."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
    return f"error: bad arguments for {tool_name}: {problems}"


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
