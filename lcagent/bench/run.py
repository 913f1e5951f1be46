"""The harness: every sample through every strategy, one scored JSONL row per pair.

Rows are flushed and fsynced one at a time, and a rerun skips the (task, length, index,
strategy, model) rows already on disk, so a crash or Ctrl-C loses at most the row in
progress. A strategy that raises gets an error row (score 0) and the run goes on.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from lcagent.bench.sample import Sample
from lcagent.bench.scoring import evidence_recall, page_accuracy, score
from lcagent.records import Answer, Citation

StrategyFn = Callable[[Sample, Path], Answer]
"""Answer ``sample.question`` about the document at the given path (a .txt or a PDF)."""

Scorer = Callable[[Sample, str, str, Answer, float], "Row"]
"""(sample, strategy, model, answer, seconds) -> the scored row; suites with their own gold override it."""

RowKey = tuple[str, int, int, str, str]


@dataclass
class Row:
    """One sample answered by one strategy, as stored in the results JSONL."""

    task: str
    length: int
    index: int
    strategy: str
    model: str
    prediction: str = ""
    score: float = 0.0
    citations: list[Citation] = field(default_factory=list)
    page_correct: bool | None = None  # PDF sets: did a citation name the needle's page?
    evidence_recall: float | None = None  # real-document sets with gold evidence
    evidence_recall_at_5: float | None = None  # realdocs: a gold page among the reader's first 5 pages?
    not_found: bool | None = None  # realdocs: did the answer say "not found" (answer.found false)?
    documents_cited: float | None = None  # collection suite: share of the question's documents cited
    seconds: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sample_tokens: int = 0
    error: str | None = None
    # Wording-suite rows (ruler/wording.py): the sample's wording, needle template and haystack.
    wording: str = ""
    needle_template: str = ""
    haystack: str = ""

    @property
    def key(self) -> RowKey:
        return (self.task, self.length, self.index, self.strategy, self.model)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Row":
        fields = dict(data)
        fields["citations"] = [Citation(**citation) for citation in fields.get("citations", [])]
        return cls(**fields)


def read_rows(path: str | Path) -> list[Row]:
    """Rows of a results file; a missing file has none. A torn last line is ignored."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(Row.from_dict(json.loads(line)))
        except (json.JSONDecodeError, TypeError) as error:
            if number == len(lines):  # written half-way when the process died
                break
            raise ValueError(
                f"{path}:{number} is not a result row ({error}); fix or delete that line "
                "and rerun: finished rows are kept") from error
    return rows


def _repair_torn_tail(path: Path) -> None:
    """Cut a last line that a crash left without its newline, so appends stay valid JSONL."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        data = path.read_bytes()
        handle.truncate(data.rfind(b"\n") + 1)


def document_path(sample: Sample, docs_dir: Path) -> Path:
    """The file a strategy reads: the sample's own PDF, or its context written as .txt."""
    if sample.document_path:
        return Path(sample.document_path)
    path = docs_dir / f"{sample.key}-s{sample.seed}.txt"
    data = sample.context.encode("utf-8")
    if not (path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data):
        docs_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    return path


def score_answer(sample: Sample, strategy: str, model: str, answer: Answer, seconds: float) -> Row:
    needle_pages = [needle.page_index for needle in sample.needles if needle.page_index is not None]
    return Row(
        task=sample.task, length=sample.length, index=sample.index, strategy=strategy, model=model,
        prediction=answer.text,
        score=score(sample.metric, answer.text, sample.answers),
        citations=list(answer.citations),
        page_correct=page_accuracy(answer.citations, needle_pages) if needle_pages else None,
        evidence_recall=(evidence_recall(sample.evidence, [c.quote for c in answer.citations])
                         if sample.evidence else None),
        seconds=round(seconds, 3),
        llm_calls=answer.usage.llm_calls,
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        sample_tokens=sample.tokens,
    )


def error_row(sample: Sample, strategy: str, model: str, error: Exception, seconds: float) -> Row:
    return Row(
        task=sample.task, length=sample.length, index=sample.index, strategy=strategy, model=model,
        seconds=round(seconds, 3), sample_tokens=sample.tokens,
        error=f"{type(error).__name__}: {error}",
    )


def run_bench(
    samples: Iterable[Sample],
    strategies: dict[str, StrategyFn],
    out_path: str | Path,
    *,
    model: str = "",
    progress: bool = True,
    docs_dir: str | Path | None = None,
    scorer: Scorer | None = None,
) -> list[Row]:
    """Run each strategy on each sample, appending rows to ``out_path``; return the rows
    for these samples and strategies (those already on disk included), in run order.

    Context documents are written once to ``docs_dir`` (default: ``<out>-docs/`` beside
    the results) and shared by all strategies. ``scorer`` (default ``score_answer``) turns an
    answer into its row.
    """
    if not strategies:
        raise ValueError("run_bench needs at least one strategy")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    docs = Path(docs_dir) if docs_dir is not None else out.with_name(out.stem + "-docs")
    _repair_torn_tail(out)
    # rows that ended in an error (a server down, a bug since fixed) are tried again
    done = {row.key: row for row in read_rows(out) if not row.error}

    samples = list(samples)
    planned = [(sample, name) for sample in samples for name in strategies]
    todo = [(sample, name) for sample, name in planned
            if (sample.task, sample.length, sample.index, name, model) not in done]

    with out.open("a", encoding="utf-8") as results, _Bar(progress, len(todo)) as bar:
        for sample, name in todo:
            bar.describe(f"{sample.key} · {name}")
            path = document_path(sample, docs)
            started = time.perf_counter()
            try:
                answer = strategies[name](sample, path)
                row = (scorer or score_answer)(sample, name, model, answer, time.perf_counter() - started)
            except Exception as error:  # a strategy's failure is a result, not a crash
                row = error_row(sample, name, model, error, time.perf_counter() - started)
            row.wording, row.needle_template, row.haystack = sample.wording, sample.needle_template, sample.haystack
            results.write(row.to_json() + "\n")
            results.flush()
            os.fsync(results.fileno())
            done[row.key] = row
            bar.advance()
    return [done[(sample.task, sample.length, sample.index, name, model)] for sample, name in planned]


class _Bar:
    """A rich progress bar with ETA, or nothing when ``progress=False``."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.progress = None
        self.task_id = None
        if enabled and total:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            )
            self.task_id = self.progress.add_task("bench", total=total)

    def __enter__(self) -> "_Bar":
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def describe(self, text: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task_id, description=text)

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task_id)
