"""lcagent as an MCP server: ingest, list_docs, search, grep, read and ask for any MCP client.

Built on the official SDK's ``MCPServer``. Every read goes through ``lcagent.tools.call``
(the CLI tools' sandbox); ingest only accepts files inside the allowed directories.
"""

# No `from __future__ import annotations`: the SDK evaluates tool signatures, and the ask tool's
# annotations use a local value (the default model) that a string annotation could not see.

import inspect
import threading
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Sequence

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from lcagent import __version__
from lcagent.api import ask as ask_question
from lcagent import tools as lcagent_tools
from lcagent.agents.router import STRATEGIES
from lcagent.ingest import ingest_file
from lcagent.integrations.sandbox import AllowedDirs
from lcagent.integrations.structured import (
    AskOutput, IngestFailure, IngestOutput, ToolOutput, as_json, ask_output, ask_text, ingested, tool_output,
)
from lcagent.loaders.base import IngestError
from lcagent.memory.workspace import Workspace, WorkspaceError, workspace_spec
from lcagent.paths import default_workspace
from lcagent.runners.base import Runner, RunnerError
from lcagent.runners.tracing import BudgetExceeded
from lcagent.tools import Limits, ToolContext

READ_TOOLS = ("list_docs", "search", "grep", "read")
Strategy = Literal[STRATEGIES]  # type: ignore[valid-type]  # published as the schema's enum

INSTRUCTIONS = """\
lcagent keeps long documents (hundreds or thousands of pages) in a workspace so you can read them
without holding them in your context. Start with list_docs. To look yourself: search (ranked
passages) or grep (exact text, regex) to find where something is, then read those pages to check.
To have lcagent answer a whole question with checked quotes: ask. Cite pages the way results show
them, e.g. "p. 7 (label 5)". If a document is missing, ingest its file first."""


class LcagentMCP:
    """The server's state and its tool bodies; ``app`` is the SDK server that exposes them."""

    def __init__(self, workspace: Path | str | Workspace | None = None, *, model: str | Runner | None = None,
                 allow_dirs: Sequence[str | Path] | None = None, limits: Limits = Limits(),
                 allow_models: Sequence[str] = ()) -> None:
        if isinstance(workspace, Workspace):
            workspace = workspace.path
        self.workspace_path = workspace_spec(workspace) if workspace else default_workspace()
        Workspace(self.workspace_path).close()  # create it (and run migrations) now, not in the first call
        self.model = model
        self.allowed = AllowedDirs.of(allow_dirs)
        self.allowed_models = tuple(allow_models)
        self.limits = limits
        self._runners: dict[str, Runner] = {}
        # One ask at a time: a local model uses every core, and runners keep per-model state.
        self._ask_lock = threading.Lock()
        self.app = self._build_app()

    # --- tool bodies (plain Python; the SDK runs them on worker threads) ----------------------
    def run_tool(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        with Workspace(self.workspace_path) as ws:
            result = lcagent_tools.call(name, arguments, ToolContext(ws, limits=self.limits))
            structured = tool_output(name, result, ws)
        return _result(result.text, as_json(structured), error=not result.ok)

    def ingest(self, paths: list[str], password: str | None = None) -> CallToolResult:
        output = IngestOutput()
        lines: list[str] = []
        with Workspace(self.workspace_path) as ws:
            ws.sweep(wait=False)  # page folders of an ingest that was killed
            for raw in paths:
                try:
                    files = self.allowed.resolve(raw)
                except IngestError as problem:
                    output.errors.append(IngestFailure(path=raw, error=str(problem)))
                    continue
                for file in files:
                    try:
                        record = ingested(ingest_file(ws, file, password=password))
                    except (IngestError, WorkspaceError) as problem:  # WorkspaceLocked included
                        output.errors.append(IngestFailure(path=str(file), error=str(problem)))
                        continue
                    output.ingested.append(record)
                    lines.append(f"{record.id[:12]}  {record.name}  {record.pages} pages  {record.tokens} tokens  ({record.status})")
        lines.extend(f"error: {failure.error}" for failure in output.errors)
        text = "\n".join(lines) or "nothing to ingest; pass file paths"
        return _result(text, as_json(output), error=not output.ingested)

    def ask(self, question: str, doc: str | None = None, strategy: str = "auto", model: str | None = None, *,
            docs: list[str] | None = None, tag: str | None = None, all_documents: bool = False) -> CallToolResult:
        try:
            with Workspace(self.workspace_path) as ws:
                # Resolved through the tool context, so a path can never make ask ingest or read a file.
                named = [*([doc] if doc else []), *(docs or [])]
                context = ToolContext(ws)
                ids = [context.resolve(name).id for name in named]
                if not ids and not tag and not all_documents:
                    ids = [context.resolve(None).id]  # the one document, or an error saying to name one
                with self._ask_lock:
                    answer = ask_question(ids or None, question, model=self._runner(model), strategy=strategy,
                                          workspace=ws, tag=tag, all_documents=all_documents, ingest=False)
        except (WorkspaceError, RunnerError, BudgetExceeded, lcagent_tools.ToolInputError) as problem:
            return _result(f"error: {problem}", None, error=True)
        return _result(ask_text(answer), as_json(ask_output(answer)))

    def _runner(self, requested: str | None) -> Runner | None:
        if requested is None or requested == self.model:
            chosen = self.model
        else:
            check_model_choice(requested, self.allowed_models)
            chosen = requested
        if isinstance(chosen, Runner):
            return chosen
        key = chosen or ""
        if key not in self._runners:  # keep loaded models (and their KV caches) between calls
            from lcagent.runners.registry import make_runner

            self._runners[key] = make_runner(chosen)
        return self._runners[key]

    # --- the SDK server ---------------------------------------------------------------------
    def _build_app(self) -> MCPServer:
        app = MCPServer("lcagent", instructions=INSTRUCTIONS, version=__version__)
        read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)
        for tool in lcagent_tools.get_tools(READ_TOOLS):
            app.add_tool(_forwarding_function(tool, self.run_tool), name=tool.name, title=tool.name.replace("_", " "),
                         description=tool.description, annotations=read_only)
        app.add_tool(self._ingest_function(), name="ingest", title="ingest files", description=self._ingest_description(),
                     annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                                                 open_world_hint=False))
        app.add_tool(self._ask_function(), name="ask", title="ask a question", description=ASK_DESCRIPTION,
                     annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False))
        return app

    def _ingest_description(self) -> str:
        return (
            "Add files to the workspace so list_docs, search, grep, read and ask can use them: PDF, text, "
            "Markdown, HTML. Each path is a file or a directory (searched for supported files) inside the "
            f"directories the user allowed: {self.allowed.describe()}. Relative paths start at "
            f"{self.allowed.roots[0]}. Returns each document's id and name; pass either as doc to the other "
            "tools. Ingesting an unchanged file again is instant."
        )

    def _ingest_function(self) -> Callable[..., Any]:
        def ingest(
            paths: Annotated[list[str], Field(min_length=1, max_length=50, description="Files or directories to ingest.")],
            password: Annotated[str | None, Field(description="Password, for encrypted PDFs only.")] = None,
        ) -> Annotated[CallToolResult, IngestOutput]:
            return self.ingest(paths, password)

        return ingest

    def _ask_function(self) -> Callable[..., Any]:
        default = self.model.describe() if isinstance(self.model, Runner) else (self.model or "the server's default")

        def ask(
            question: Annotated[str, Field(min_length=1, description="The question, in full, as a person would ask it.")],
            doc: Annotated[str | None, Field(description="Document id or name (see list_docs); omit when there is one document.")] = None,
            strategy: Annotated[Strategy, Field(description=STRATEGY_HELP)] = "auto",
            model: Annotated[str | None, Field(description=f"Model spec, e.g. 'local'; omit for {default}.")] = None,
            docs: Annotated[list[str] | None, Field(max_length=200, description="Several documents (ids or names) to "
                                                    "ask together; the answer cites each claim's document.")] = None,
            tag: Annotated[str | None, Field(description="Ask the documents ingested with this tag.")] = None,
            all_documents: Annotated[bool, Field(description="Ask every document in the workspace.")] = False,
        ) -> Annotated[CallToolResult, AskOutput]:
            return self.ask(question, doc, strategy, model, docs=docs, tag=tag, all_documents=all_documents)

        return ask


ASK_DESCRIPTION = (
    "Have lcagent answer a question about one document and return the answer with page citations whose "
    "quotes were checked word for word against the document. Use it for a whole question; use search, "
    "grep and read to look things up yourself. 'not found in the document' is a real answer. Strategies "
    "that read the whole document (chain, mapreduce) can take minutes on a long document."
)
STRATEGY_HELP = (
    "auto picks by question and document size; tools: retrieval and a tool agent (facts); chain / mapreduce: "
    "read the whole document window by window (summaries, aggregates); memex: a tool agent whose findings "
    "persist for follow-up questions; hypergraph: multi-step retrieval over entity memory (multi-hop, "
    "comparisons); full, rag: baselines."
)


def check_model_choice(spec: str, allowed: Sequence[str] = ()) -> None:
    """Refuse any model the server's user did not allow.

    A client (or a document it reads, by prompt injection) must not send the document to a
    remote API on the user's key, open a model file, or download a model: only the bundled
    local model and the specs given with ``--allow-model`` may be chosen.
    """
    spec = spec.strip()
    if spec in allowed or spec.partition(":")[0].lower() == "local" and "/" not in spec:
        return
    choices = ", ".join(["local", *allowed])
    raise RunnerError(
        f"model {spec!r} cannot be chosen by an MCP client: the server allows {choices}; omit model to use the "
        "server's own, or restart it with `lcagent mcp --allow-model SPEC`"
    )


def _forwarding_function(tool: lcagent_tools.Tool, run: Callable[[str, dict[str, Any]], CallToolResult]) -> Callable[..., Any]:
    """A function whose signature is ``tool.Args``, so the SDK publishes the same JSON schema the CLI tools use."""
    parameters = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[field.annotation, field],
            default=inspect.Parameter.empty if field.is_required() else field.default,
        )
        for name, field in tool.Args.model_fields.items()
    ]

    def forward(**arguments: Any) -> CallToolResult:
        return run(tool.name, arguments)

    forward.__name__ = tool.name
    forward.__signature__ = inspect.Signature(parameters, return_annotation=Annotated[CallToolResult, ToolOutput])  # type: ignore[attr-defined]
    return forward


def _result(text: str, structured: dict[str, Any] | None, *, error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured, is_error=error)


def build_server(workspace: Path | str | Workspace | None = None, *, model: str | Runner | None = None,
                 allow_dirs: Sequence[str | Path] | None = None, allow_models: Sequence[str] = ()) -> MCPServer:
    """The SDK server for a workspace; run it with ``.run()`` (stdio) or connect ``mcp.Client`` to it."""
    return LcagentMCP(workspace, model=model, allow_dirs=allow_dirs, allow_models=allow_models).app
