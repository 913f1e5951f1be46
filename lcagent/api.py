"""``lcagent.ask``: the product's main job as one function.

It ingests the document if needed, routes the question to a strategy, runs it with a traced
runner, checks every quote against the stored text, and returns a typed ``Answer``.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from lcagent.query import Analyser, RuleAnalyser
from lcagent.query.model_analyser import ModelAnalyser, expand
from lcagent.agents.base import AgentContext, Budget, Progress, resolve_reader
from lcagent.agents.citations import QuoteChecker
from lcagent.agents.reader import NOT_FOUND, Reading
from lcagent.agents.weights import MIN_CONFIDENCE
from lcagent.query.plan import QuestionPlan
from lcagent.agents.collection import select_documents
from lcagent.agents.registry import make_strategy
from lcagent.agents.router import STRATEGIES, choose
from lcagent.targets import resolve_targets
from lcagent.memory.traces import RunTrace, load_run
from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.records import Answer, Citation, Document, Usage
from lcagent.runners.base import Completion, Request, Runner, RunnerError
from lcagent.runners.tracing import BudgetExceeded, TracingRunner, describe_completion, describe_request

def resolve_documents(workspace: Workspace, documents, *, password: str | None = None,
                      progress: Callable[[Progress], None] | None = None, ingest: bool = True) -> list[Document]:
    """Documents named by id, name, path, folder or glob (see ``lcagent.targets``)."""
    return resolve_targets(workspace, documents, password=password, progress=progress, ingest=ingest)


def ask(
    document: str | Path | Sequence[str | Path] | None = None,
    question: str = "",
    *,
    tag: str | None = None,
    all_documents: bool = False,
    embed: bool = True,
    model: str | Runner | None = None,
    strategy: str = "auto",
    workspace: Workspace | str | Path | None = None,
    max_steps: int = 6,
    budget_tokens: int | None = None,
    budget_calls: int | None = None,
    budget_seconds: float | None = None,
    reader: str = "auto",
    password: str | None = None,
    progress: Callable[[Progress], None] | None = None,
    ingest: bool = True,
    timeout: float | None = None,
    retries: int | None = None,
    min_confidence: float | None = None,
) -> Answer:
    """Answer ``question`` from ``document`` with checked page citations.

    ``document``: a file, a folder, a glob, a stored document's id or name, or a list of these;
    ``tag`` adds the documents tagged so, ``all_documents`` every stored one. Over several
    documents the question first picks those it is about, then reads pages within them.

    ``model``: a spec such as ``"local"``, ``"gguf:/path.gguf"``, ``"openai:gpt-4o-mini"``,
    ``"openai:NAME@http://127.0.0.1:8000/v1"``, ``"vllm:Qwen/Qwen3-8B"``, or a Runner.
    ``strategy``: one of auto, tools, chain, mapreduce, full, rag, memex, hypergraph.
    ``min_confidence``: below it (0-1, default 0.35) the answer is "not found in the document"
    with the closest pages in ``see_also``; ``answer.confidence`` says how well the evidence
    supports the answer. ``budget_tokens`` / ``budget_calls`` / ``budget_seconds``: limits no run overshoots (a call
    that might is not made); a run they stop answers from what it has, with ``answer.partial``
    saying why, and can be continued with :func:`resume`. ``timeout`` (seconds one model call may
    take, retries included) and ``retries``: for HTTP model servers; default ``$LCAGENT_TIMEOUT``
    and ``$LCAGENT_RETRIES``.
    """
    question = question.strip()
    if not question:
        raise WorkspaceError("the question is empty; ask something about the document")
    if strategy not in STRATEGIES:
        raise WorkspaceError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    own_workspace = not isinstance(workspace, Workspace)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    try:
        budget = Budget(max_steps, budget_tokens, budget_calls, budget_seconds)
        _check_budget(budget)
        docs = resolve_targets(ws, document, tag=tag, all_documents=all_documents, password=password,
                               progress=progress, ingest=ingest, embed=embed)
        runner = _runner(model, timeout, retries)
        connection = {"timeout": timeout, "retries": retries}
        return _run(ws, docs, question, runner, strategy, budget, reader, progress, run_id=None,
                    model_spec=_model_spec(model, runner), connection=connection,
                    min_confidence=MIN_CONFIDENCE if min_confidence is None else min_confidence)
    finally:
        if own_workspace:
            ws.close()


def resume(run_id: str, *, model: str | Runner | None = None, workspace: Workspace | str | Path | None = None,
           progress: Callable[[Progress], None] | None = None, budget_tokens: int | None = None,
           budget_calls: int | None = None, budget_seconds: float | None = None, timeout: float | None = None,
           retries: int | None = None) -> Answer:
    """Continue an interrupted run, or one its budget stopped (chain and map-reduce resume at the
    window where they stopped). Budgets, timeout and retries not given are the run's own; the
    resumed part gets its budget afresh."""
    own_workspace = not isinstance(workspace, Workspace)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    try:
        record, steps = load_run(ws, run_id)
        if record.status == "done":
            raise WorkspaceError(f"run {record.id} already finished; `lcagent trace {record.id}` shows it")
        docs = [ws.resolve(doc_id) for doc_id in record.doc_ids]
        settings = next((step.output for step in steps if step.kind == "note" and step.name == "settings"), {})
        connection = {"timeout": _given(timeout, settings.get("timeout")), "retries": _given(retries, settings.get("retries"))}
        try:
            runner = _runner(model or record.model, connection["timeout"], connection["retries"])
        except RunnerError as problem:
            raise RunnerError(f"cannot rebuild the run's model {record.model!r} ({problem}); pass --model") from None
        budget = Budget(settings.get("max_steps", Budget().max_steps), _given(budget_tokens, settings.get("budget_tokens")),
                        _given(budget_calls, settings.get("budget_calls")),
                        _given(budget_seconds, settings.get("budget_seconds")))
        _check_budget(budget)
        return _run(ws, docs, record.question, runner, record.strategy, budget, settings.get("reader", "auto"), progress,
                    run_id=record.id, model_spec=_model_spec(model, runner) if model else record.model,
                    connection=connection)
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


def _given(value, stored):
    return value if value is not None else stored


def _check_budget(budget: Budget) -> None:
    for name, value in (("budget_tokens", budget.budget_tokens), ("budget_calls", budget.budget_calls),
                        ("budget_seconds", budget.budget_seconds)):
        if value is not None and not value > 0:
            option = "--" + name.replace("_", "-")
            raise WorkspaceError(f"{name} must be a positive number, not {value!r}; e.g. {option} 10")


def _runner(model: str | Runner | None, timeout: float | None = None, retries: int | None = None) -> Runner:
    if isinstance(model, Runner):
        if timeout is not None or retries is not None:
            raise RunnerError(
                "timeout= and retries= configure the runner lcagent builds from a model spec; set them on the Runner "
                "you pass instead (e.g. OpenAIRunner(..., timeout=60, max_retries=2))"
            )
        return model
    from lcagent.runners.registry import make_runner

    return make_runner(model, timeout=timeout, retries=retries)


@lru_cache(maxsize=1)
def question_analyser() -> Analyser:
    """The English rules, backed by the labelled example questions where the sentence embedder can
    run (an intent no rule recognises is then the one the nearest examples share)."""
    from lcagent.query.examples import ExampleAnalyser
    from lcagent.retrieval.embeddings import default_embedder, unavailable_reason

    return ExampleAnalyser(default_embedder()) if unavailable_reason() is None else RuleAnalyser()


def _run(ws: Workspace, docs: list[Document], question: str, runner: Runner, strategy: str, budget: Budget,
         reader: str, progress: Callable[[Progress], None] | None, *, run_id: str | None, model_spec: str,
         connection: dict, min_confidence: float = MIN_CONFIDENCE) -> Answer:
    started = time.perf_counter()
    say = progress or (lambda event: None)
    reader_mode = resolve_reader(reader, runner.name)
    plan = question_analyser().analyse(question)  # once per run: the router and the strategy share it
    selection = select_documents(plan, ws, docs)  # a collection: the documents the question is about
    searched = selection.searched
    docs = [d for d in docs if d.id in set(selection.chosen)]
    doc_ids = [d.id for d in docs]
    reason_prefix = f"{selection.reason}; " if len(searched) > len(doc_ids) else ""
    if reason_prefix:
        say(Progress("documents", selection.reason))
    if strategy == "auto":
        document_tokens = sum(d.tokens for d in docs)
        explored = any(ws.memex.count(doc_id) for doc_id in doc_ids)
        route = choose(plan, document_tokens=document_tokens, context_window=runner.context_window,
                       reader=reader_mode, explored=explored)
        chosen, reason = route.strategy, route.reason
    else:
        chosen, reason = strategy, "chosen by the user"
    reason = reason_prefix + reason
    if run_id is None:
        trace = RunTrace.start(ws, question=question, doc_ids=doc_ids, model=model_spec, strategy=chosen, reason=reason)
        trace.note("settings", {"model": runner.describe(), "max_steps": budget.max_steps,
                                "budget_tokens": budget.budget_tokens, "budget_calls": budget.budget_calls,
                                "budget_seconds": budget.budget_seconds, "reader": reader, **connection})
    else:
        trace = RunTrace(ws, run_id)
        ws.runs.update(run_id, status="running")
    say(Progress("strategy", f"{chosen}: {reason}"))

    def record(label: str, request: Request, completion: Completion) -> None:
        trace.step("llm", label, describe_request(request), describe_completion(completion),
                   prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens,
                   seconds=completion.seconds)

    def on_usage(usage: Usage) -> None:
        say(Progress("usage", f"{usage.llm_calls} LLM calls, {usage.total_tokens:,} tokens"))

    traced = TracingRunner(runner, record, budget_tokens=budget.budget_tokens, budget_calls=budget.budget_calls,
                           budget_seconds=budget.budget_seconds, on_usage=on_usage)
    context = AgentContext(ws, doc_ids, traced, trace, budget, say, reader, plan=plan)
    try:
        if reader_mode == "generative" and "json_schema" in runner.capabilities.constraints:
            # a capable model sharpens the rules' plan; what it says is checked against the question
            context.plan = expand(ModelAnalyser(traced, question_analyser()).analyse(question), traced)
        reading = make_strategy(chosen).answer(question, context)
    except BudgetExceeded as spent:
        trace.note("error", str(spent))
        trace.finish("budget exceeded")
        raise
    except KeyboardInterrupt:
        trace.finish("interrupted")
        raise
    except BaseException as error:
        trace.note("error", repr(error))
        trace.finish("failed")
        raise
    answer = _checked_answer(ws, doc_ids, question, reading, traced.usage, chosen, reason, trace.run_id, started,
                             plan=plan, searched=searched, min_confidence=min_confidence)
    if traced.budget_stop is not None:
        # answered from what the run had when its budget stopped it; `resume` can continue it
        answer.partial = str(traced.budget_stop)
        trace.finish("partial", answer.to_dict())
    else:
        trace.finish("done", answer.to_dict())
    return answer


def _checked_answer(ws: Workspace, doc_ids: list[str], question: str, reading: Reading, usage: Usage, strategy: str,
                    reason: str, run_id: str, started: float, *, min_confidence: float = MIN_CONFIDENCE,
                    plan: QuestionPlan | None = None, searched: list[str] | None = None) -> Answer:
    """Quotes checked against the stored pages; an answer the evidence supports too weakly becomes
    "not found in the document", its citations kept as the closest pages to look at."""
    checker = QuoteChecker(ws, doc_ids)
    citations, dropped = checker.check(reading.citations)
    total = Usage(usage.llm_calls, usage.prompt_tokens, usage.completion_tokens, time.perf_counter() - started)
    confidence = 1.0 if reading.confidence is None else round(reading.confidence, 3)
    text, found, see_also = reading.text, reading.found, []
    if found and confidence < min_confidence:
        text, found = NOT_FOUND, False
        reason += f"; the evidence supports the answer {reading.text!r} too weakly (confidence {confidence:.2f})"
    if not found:
        see_also, citations = citations or _closest_pages(ws, doc_ids, reading, plan), []
    names = {doc_id: (ws.get(doc_id).name if ws.get(doc_id) else "") for doc_id in {c.doc_id for c in citations + see_also}}
    citations = [replace(c, doc_name=names.get(c.doc_id, "")) for c in citations]
    see_also = [replace(c, doc_name=names.get(c.doc_id, "")) for c in see_also]
    return Answer(
        question=question, text=text, citations=citations, usage=total, strategy=strategy,
        strategy_reason=reason, run_id=run_id, found=found, dropped_quotes=dropped, doc_ids=doc_ids,
        confidence=confidence,
        evidence_pages=list(reading.evidence_pages), see_also=see_also[:3],
        searched=list(searched or doc_ids),
    )


def _closest_pages(ws: Workspace, doc_ids: list[str], reading: Reading, plan: QuestionPlan | None) -> list[Citation]:
    """Pages to look at when nothing answered: those the reader saw, else bm25's best for the question."""
    pages = list(reading.evidence_pages[:3])
    if not pages and plan is not None and plan.terms:
        pages = list(dict.fromkeys((hit.chunk.doc_id, hit.chunk.page_start)
                                   for hit in ws.search(" ".join(plan.terms), doc_ids=doc_ids, k=5)))[:3]
    closest = []
    for doc_id, index in pages:
        page = ws.page(doc_id, index)
        first = next((line.strip() for line in page.text.split("\n") if len(line.strip()) > 20), page.text.strip()[:120])
        closest.append(Citation(doc_id, index, page.label, first[:160]))
    return closest
