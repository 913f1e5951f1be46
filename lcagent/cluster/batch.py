"""``lcagent batch``: many questions answered in parallel, one runner per worker, rows as they finish.

The driver reads the questions, resolves (and if need be ingests) the documents each names,
skips ids the answers file already holds, and hands the rest to a worker pool. Each worker
opens the workspace and builds its runner once (a shared OpenAI-compatible or vLLM endpoint,
or a local model per worker), then runs ``lcagent.ask`` per question. The driver writes each
answer as it arrives, fsynced, so a rerun continues where a stop left off.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from lcagent.cluster.answers import AnswerRow, AnswersFile
from lcagent.cluster.pools import WorkerLost, WorkerPool
from lcagent.cluster.questions import AskOptions, BatchQuestion, read_questions
from lcagent.loaders.base import IngestError
from lcagent.memory.errors import WorkspaceError
from lcagent.memory.workspace import DB_NAME, Workspace, is_database_url
from lcagent.runners.base import RunnerError
from lcagent.tokens import TokenizerUnavailable

# A question that fails for one of these gets an error row; the batch goes on.
QUESTION_ERRORS = (WorkspaceError, RunnerError, IngestError, TokenizerUnavailable)


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker builds once: the workspace it opens and the runner it asks."""

    workspace: str  # a folder (SQLite) or a postgresql:// URL
    model: str | None  # a model spec; None: $LCAGENT_MODEL, else the bundled local model
    timeout: float | None = None
    retries: int | None = None


@dataclass(frozen=True)
class QuestionJob:
    """One question for a worker, with its documents resolved to ids by the driver."""

    setup: WorkerSetup
    question: BatchQuestion
    doc_ids: tuple[str, ...]
    options: AskOptions  # the question's own over the batch's defaults


@dataclass
class BatchReport:
    """What a batch run did."""

    out: Path
    questions: int
    already: int = 0  # answered by an earlier run and skipped
    answered: int = 0
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    retried: int = 0  # error rows of an earlier run that this run tried again
    pool: str = ""
    errors: list[str] = field(default_factory=list)  # the first few, for the summary

    def questions_per_second(self) -> float:
        done = self.answered + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0


def run_batch(questions_path: Path, out_path: Path, pool: WorkerPool, workspace: Workspace, setup: WorkerSetup, *,
              defaults: AskOptions = AskOptions(), embed: bool = True,
              on_row: Callable[[AnswerRow], None] | None = None,
              on_start: Callable[[BatchReport], None] | None = None) -> BatchReport:
    """Answer every question of ``questions_path`` not yet answered in ``out_path``.

    ``on_start`` is told the plan (how many questions, how many already done) before work
    starts, ``on_row`` every row written. Ctrl-C propagates after the rows so far are safe.
    """
    questions = read_questions(questions_path)
    started = time.perf_counter()
    with AnswersFile(out_path) as answers:
        report = BatchReport(out_path, len(questions), retried=answers.retried, pool=pool.description)
        todo = [question for question in questions if question.id not in answers.finished]
        report.already = len(questions) - len(todo)
        if on_start:
            on_start(report)

        def write(row: AnswerRow) -> None:
            answers.write(row)
            if row.error:
                report.failed += 1
                if len(report.errors) < 5:
                    report.errors.append(f"{row.id} (line {row.line}): {row.error}")
            else:
                report.answered += 1
            report.seconds = time.perf_counter() - started
            if on_row:
                on_row(row)

        try:
            for job, outcome in pool.run(answer_on_worker, _jobs(todo, workspace, setup, defaults, embed, write)):
                write(outcome if isinstance(outcome, AnswerRow) else _failure(job, outcome))
        except KeyboardInterrupt:
            report.interrupted = True
            raise
        finally:
            report.seconds = time.perf_counter() - started
    return report


def _jobs(todo: list[BatchQuestion], workspace: Workspace, setup: WorkerSetup, defaults: AskOptions, embed: bool,
          write: Callable[[AnswerRow], None]) -> Iterator[QuestionJob]:
    """Jobs drawn as workers free up; documents resolved once per set named (files ingested here)."""
    from lcagent.targets import resolve_targets

    resolved: dict[tuple, tuple[str, ...] | str] = {}
    for question in todo:
        key = question.targets_key
        if key not in resolved:
            try:
                documents = resolve_targets(workspace, list(question.documents) or None, tag=question.tag,
                                            all_documents=question.all_documents, ingest=True, embed=embed)
                resolved[key] = tuple(document.id for document in documents)
            except QUESTION_ERRORS as problem:
                resolved[key] = str(problem)
        found = resolved[key]
        if isinstance(found, str):
            write(AnswerRow.failed(question.id, question.question, question.line, found))
            continue
        yield QuestionJob(setup, question, found, question.options.over(defaults))


def _failure(job: QuestionJob, outcome: Any) -> AnswerRow:
    question = job.question
    if isinstance(outcome, WorkerLost):
        error = f"the worker answering it died ({outcome}); run the batch again to retry it"
    else:  # a bug in lcagent: keep the batch going, and say so in the row
        error = f"lcagent failed ({type(outcome).__name__}: {outcome}); please report it"
    return AnswerRow.failed(question.id, question.question, question.line, error)


# --- on the worker -------------------------------------------------------------------------
_STATE: dict[WorkerSetup, tuple[Workspace, Any]] = {}


def answer_on_worker(job: QuestionJob) -> AnswerRow:
    """Runs on a worker: ``lcagent.ask`` for one question, with this worker's runner and workspace."""
    from lcagent import api

    question, options = job.question, job.options
    worker = f"{socket.gethostname()}:{os.getpid()}"
    started = time.perf_counter()
    try:
        workspace, runner = _worker_state(job.setup)
        answer = api.ask(
            list(job.doc_ids), question.question, workspace=workspace, model=runner, ingest=False, embed=False,
            strategy=options.strategy or "auto", reader=options.reader or "auto", max_steps=options.max_steps or 6,
            budget_tokens=options.budget_tokens, budget_calls=options.budget_calls,
            budget_seconds=options.budget_seconds, min_confidence=options.min_confidence,
        )
    except QUESTION_ERRORS as problem:
        return AnswerRow.failed(question.id, question.question, question.line, str(problem),
                                time.perf_counter() - started, worker)
    return AnswerRow.answered(question.id, question.question, question.line, answer, time.perf_counter() - started,
                              worker)


def _worker_state(setup: WorkerSetup) -> tuple[Workspace, Any]:
    state = _STATE.get(setup)
    if state is None:
        from lcagent.runners.registry import make_runner

        if not is_database_url(setup.workspace) and not (Path(setup.workspace) / DB_NAME).exists():
            # a worker on another machine would otherwise make itself an empty workspace
            raise WorkspaceError(f"no workspace at {setup.workspace} on {socket.gethostname()}; workers on other "
                                 "machines need a shared one: --workspace postgresql://...")
        workspace = Workspace(setup.workspace)
        state = _STATE[setup] = (workspace, make_runner(setup.model, timeout=setup.timeout, retries=setup.retries))
    return state
