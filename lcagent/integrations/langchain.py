"""lcagent for LangChain and LangGraph: the workspace tools as ``BaseTool``s, ``ask`` as a graph.

``tools()`` wraps the same sandboxed tools the CLI agent uses (``lcagent.tools.call``), so a
LangChain agent reads documents page by page with bounded output. ``ask_graph()`` is
``lcagent.ask`` as a compiled LangGraph graph, usable as a node or subgraph of your own graph.
Needs ``pip install "lcagent[langchain]"``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Sequence, TypedDict

from langchain_core.tools import BaseTool, StructuredTool

from lcagent import tools as lcagent_tools
from lcagent.api import ask
from lcagent.integrations.structured import as_json, tool_output
from lcagent.memory.workspace import Workspace, workspace_spec
from lcagent.runners.base import Runner
from lcagent.tools import Limits, ToolContext
from lcagent.tools.base import describe_validation_error

DEFAULT_TOOLS = ("list_docs", "search", "grep", "read", "count", "word_frequencies")


def tools(workspace: Workspace | str | Path | None = None, doc_ids: Sequence[str] | None = None, *,
          names: Sequence[str] | None = None, limits: Limits = Limits()) -> list[BaseTool]:
    """lcagent's read-only tools as LangChain tools over one workspace, optionally narrowed to ``doc_ids``.

    Each tool returns the readable text as content and the page citations (see
    ``lcagent.integrations.structured.ToolOutput``) as the tool message's artifact.
    """
    opener = _WorkspaceOpener(workspace)
    return [_wrap(tool, opener, doc_ids, limits) for tool in lcagent_tools.get_tools(names or DEFAULT_TOOLS)]


def _wrap(tool: lcagent_tools.Tool, opener: "_WorkspaceOpener", doc_ids: Sequence[str] | None,
          limits: Limits) -> BaseTool:
    def run(**arguments: Any) -> tuple[str, dict[str, Any]]:
        with opener() as ws:
            result = lcagent_tools.call(tool.name, arguments, ToolContext(ws, doc_ids=doc_ids, limits=limits))
            return result.text, as_json(tool_output(tool.name, result, ws))

    # LangChain validates against args_schema before calling run: a model's bad arguments must
    # come back as the same error text the other entry points return, not raise.
    return StructuredTool.from_function(
        func=run, name=tool.name, description=tool.description, args_schema=tool.Args,
        response_format="content_and_artifact",
        handle_validation_error=lambda error: describe_validation_error(tool.name, error),
    )


class _WorkspaceOpener:
    """A workspace per call when given a path (LangGraph runs tools on threads); the caller's own object otherwise."""

    def __init__(self, workspace: Workspace | str | Path | None) -> None:
        self.shared = workspace if isinstance(workspace, Workspace) else None
        self.path = None if self.shared else (workspace_spec(workspace) if workspace else None)

    def __call__(self) -> Any:
        if self.shared is not None:
            return _Borrowed(self.shared)
        return Workspace(self.path)


class _Borrowed:
    """The caller's workspace, not closed when a tool call ends."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def __enter__(self) -> Workspace:
        return self.workspace

    def __exit__(self, *exc: Any) -> None:
        return None


class AskState(TypedDict, total=False):
    """State of ``ask_graph``: set question and document; it fills answer (``Answer.to_dict()``)."""

    question: str
    document: str | list[str]  # workspace document ids or names (one, or several asked together)
    tag: str  # or the documents ingested with this tag
    answer: dict[str, Any]


def ask_graph(model: str | Runner | None = None, workspace: Workspace | str | Path | None = None, *,
              strategy: str = "auto"):
    """``lcagent.ask`` as a one-node compiled LangGraph graph over ``AskState``.

    Add it to your graph as a node (``builder.add_node("lcagent", ask_graph(...))``) when your
    state has ``question``, ``document`` and ``answer`` keys, or invoke it directly.
    """
    from langgraph.graph import END, START, StateGraph

    runner = _LazyRunner(model)

    def answer_question(state: AskState) -> AskState:
        if not state.get("question") or not (state.get("document") or state.get("tag")):
            raise ValueError("ask_graph needs 'question' and 'document' (or 'tag') in its state")
        # the document comes from graph state (maybe from a model): only workspace documents, never a file path
        answer = ask(state.get("document") or None, state["question"], model=runner.get(), strategy=strategy,
                     workspace=workspace, tag=state.get("tag"), ingest=False)
        return {"answer": answer.to_dict()}

    builder = StateGraph(AskState)
    builder.add_node("ask", answer_question)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    return builder.compile()


class _LazyRunner:
    """Builds the runner on first use (loading a model is slow) and keeps it for later questions."""

    def __init__(self, model: str | Runner | None) -> None:
        self.model = model
        self.runner = model if isinstance(model, Runner) else None
        self.lock = threading.Lock()

    def get(self) -> Runner:
        with self.lock:
            if self.runner is None:
                from lcagent.runners.registry import make_runner

                self.runner = make_runner(self.model)  # type: ignore[arg-type]
            return self.runner


__all__ = ["AskState", "ask_graph", "tools"]
