"""``lcagent.ask``: the product's main job as one function.

It ingests the document if needed, routes the question to a strategy, runs it with a traced
runner, checks every quote against the stored text, and returns a typed ``Answer``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Sequence

from lcagent.agents.analysis import analyse
from lcagent.agents.base import AgentContext, Budget, Progress, Strategy, resolve_reader
from lcagent.agents.baselines import BM25Rag, FullContext
from lcagent.agents.chain import ChainOfAgents, MapReduce
from lcagent.agents.hypergraph_agent import HypergraphAgent
from lcagent.agents.memex_agent import MemexAgent
from lcagent.agents.citations import QuoteChecker
from lcagent.agents.reader import Reading
from lcagent.agents.router import STRATEGIES, choose
from lcagent.agents.tool_agent import ToolAgent
from lcagent.ingest import check_path_argument, ingest_file
from lcagent.memory.memex import MemexStore
from lcagent.memory.traces import RunTrace, load_run
from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.records import Answer, Document, Usage
from lcagent.runners.base import Completion, Request, Runner, RunnerError
from lcagent.runners.tracing import BudgetExceeded, TracingRunner, describe_completion, describe_request

STRATEGY_CLASSES: dict[str, type] = {
    "tools": ToolAgent,
    "chain": ChainOfAgents,
    "mapreduce": MapReduce,
    "full": FullContext,
    "rag": BM25Rag,
    "memex": MemexAgent,
    "hypergraph": HypergraphAgent,
}


def make_strategy(name: str) -> Strategy:
    try:
        return STRATEGY_CLASSES[name]()
    except KeyError:
        raise WorkspaceError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}") from None


def resolve_documents(workspace: Workspace, documents: str | Path | Sequence[str | Path], *, password: str | None = None,
                      progress: Callable[[Progress], None] | None = None, ingest: bool = True) -> list[Document]:
    """Documents named by id, name or path; with ``ingest``, files not yet in the workspace are
    ingested (callers that take names from a model or another agent pass ``ingest=False``)."""
    items = [documents] if isinstance(documents, (str, Path)) else list(documents)
    found: list[Document] = []
    for item in items:
        path = Path(item).expanduser()
        if ingest and path.is_file():
            check_path_argument(str(item))
            if progress:
                progress(Progress("ingest", path.name))
            found.append(ingest_file(workspace, path, password=password).document)
        else:
            found.append(workspace.resolve(str(item)))
    if not found:
        raise WorkspaceError("no document given; pass a file path or a document id from `lcagent docs`")
    return found


def ask(
    document: str | Path | Sequence[str | Path],
    question: str,
    *,
    model: str | Runner | None = None,
    strategy: str = "auto",
    workspace: Workspace | str | Path | None = None,
    max_steps: int = 6,
    budget_tokens: int | None = None,
    reader: str = "auto",
    password: str | None = None,
    progress: Callable[[Progress], None] | None = None,
    ingest: bool = True,
) -> Answer:
    """Answer ``question`` from ``document`` with checked page citations.

    ``model``: a spec such as ``"local"``, ``"gguf:/path.gguf"``, ``"openai:gpt-4o-mini"``,
    ``"openai:NAME@http://127.0.0.1:8000/v1"``, ``"vllm:Qwen/Qwen3-8B"``, or a Runner.
    ``strategy``: one of auto, tools, chain, mapreduce, full, rag, memex, hypergraph.
    """
    question = question.strip()
    if not question:
        raise WorkspaceError("the question is empty; ask something about the document")
    if strategy not in STRATEGIES:
        raise WorkspaceError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    own_workspace = not isinstance(workspace, Workspace)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    try:
        docs = resolve_documents(ws, document, password=password, progress=progress, ingest=ingest)
        runner = _runner(model)
        return _run(ws, docs, question, runner, strategy, Budget(max_steps, budget_tokens), reader, progress, run_id=None,
                    model_spec=_model_spec(model, runner))
    finally:
        if own_workspace:
            ws.close()


def resume(run_id: str, *, model: str | Runner | None = None, workspace: Workspace | str | Path | None = None,
           progress: Callable[[Progress], None] | None = None) -> Answer:
    """Continue an interrupted run (a chain resumes at the window where it stopped)."""
    own_workspace = not isinstance(workspace, Workspace)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    try:
        record, steps = load_run(ws, run_id)
        if record.status == "done":
            raise WorkspaceError(f"run {record.id} already finished; `lcagent trace {record.id}` shows it")
        docs = [ws.resolve(doc_id) for doc_id in record.doc_ids]
        settings = next((step.output for step in steps if step.kind == "note" and step.name == "settings"), {})
        try:
            runner = _runner(model or record.model)
        except RunnerError as problem:
            raise RunnerError(f"cannot rebuild the run's model {record.model!r} ({problem}); pass --model") from None
        budget = Budget(settings.get("max_steps", Budget().max_steps), settings.get("budget_tokens"))
        return _run(ws, docs, record.question, runner, record.strategy, budget, settings.get("reader", "auto"), progress,
                    run_id=record.id, model_spec=_model_spec(model, runner) if model else record.model)
    finally:
        if own_workspace:
            ws.close()


def _model_spec(model: str | Runner | None, runner: Runner) -> str:
    """What to store so ``resume`` can rebuild the same runner: the spec the user gave (with its
    URL or file path), not the runner's display name."""
    if isinstance(model, str):
        return model
    if model is None:
        return os.environ.get("LCAGENT_MODEL") or "local"
    return runner.describe()


def _runner(model: str | Runner | None) -> Runner:
    if isinstance(model, Runner):
        return model
    from lcagent.runners.registry import make_runner

    return make_runner(model)


def _run(ws: Workspace, docs: list[Document], question: str, runner: Runner, strategy: str, budget: Budget,
         reader: str, progress: Callable[[Progress], None] | None, *, run_id: str | None, model_spec: str) -> Answer:
    started = time.perf_counter()
    say = progress or (lambda event: None)
    doc_ids = [d.id for d in docs]
    reader_mode = resolve_reader(reader, runner.name)
    if strategy == "auto":
        document_tokens = sum(d.tokens for d in docs)
        explored = any(MemexStore(ws.db).count(doc_id) for doc_id in doc_ids)
        route = choose(analyse(question), document_tokens=document_tokens, context_window=runner.context_window,
                       reader=reader_mode, explored=explored)
        chosen, reason = route.strategy, route.reason
    else:
        chosen, reason = strategy, "chosen by the user"
    if run_id is None:
        trace = RunTrace.start(ws, question=question, doc_ids=doc_ids, model=model_spec, strategy=chosen, reason=reason)
        trace.note("settings", {"model": runner.describe(), "max_steps": budget.max_steps,
                                "budget_tokens": budget.budget_tokens, "reader": reader})
    else:
        trace = RunTrace(ws, run_id)
        ws.db["runs"].update(run_id, {"status": "running"})
    say(Progress("strategy", f"{chosen}: {reason}"))

    def record(label: str, request: Request, completion: Completion) -> None:
        trace.step("llm", label, describe_request(request), describe_completion(completion),
                   prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens,
                   seconds=completion.seconds)

    def on_usage(usage: Usage) -> None:
        say(Progress("usage", f"{usage.llm_calls} LLM calls, {usage.total_tokens:,} tokens"))

    traced = TracingRunner(runner, record, budget_tokens=budget.budget_tokens, on_usage=on_usage)
    context = AgentContext(ws, doc_ids, traced, trace, budget, say, reader)
    try:
        reading = make_strategy(chosen).answer(question, context)
    except BudgetExceeded:
        trace.finish("budget exceeded")
        raise
    except KeyboardInterrupt:
        trace.finish("interrupted")
        raise
    except BaseException as error:
        trace.note("error", repr(error))
        trace.finish("failed")
        raise
    answer = _checked_answer(ws, doc_ids, question, reading, traced.usage, chosen, reason, trace.run_id, started)
    trace.finish("done", answer.to_dict())
    return answer


def _checked_answer(ws: Workspace, doc_ids: list[str], question: str, reading: Reading, usage: Usage, strategy: str,
                    reason: str, run_id: str, started: float) -> Answer:
    checker = QuoteChecker(ws, doc_ids)
    citations, dropped = checker.check(reading.citations)
    total = Usage(usage.llm_calls, usage.prompt_tokens, usage.completion_tokens, time.perf_counter() - started)
    return Answer(
        question=question, text=reading.text, citations=citations, usage=total, strategy=strategy,
        strategy_reason=reason, run_id=run_id, found=reading.found, dropped_quotes=dropped, doc_ids=doc_ids,
    )
