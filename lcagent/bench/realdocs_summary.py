"""The realdocs scores per strategy, on dev and test apart and on answerable and unanswerable
questions apart: what the team tunes on is never mixed with what it is measured on."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable

from lcagent.bench.run import Row

_PREFIX = "realdocs_"


@dataclass(frozen=True)
class RealDocsStats:
    strategy: str  # "name", or "name@model" when model strategies ran with several models
    split: str
    answerable: bool
    questions: int
    errors: int
    accuracy: float  # percent: answer right (answerable) or "not found" said (unanswerable)
    page_correct: float | None  # percent of answers citing a gold page (answerable only)
    evidence_recall_at_5: float | None  # percent with a gold page in the reader's first 5 pages
    not_found: float  # percent of answers that said "not found"
    median_seconds: float
    median_tokens: float
    median_llm_calls: float


def _group(task: str) -> tuple[str, bool] | None:
    """``realdocs_dev_answerable`` -> ("dev", True); None for rows of other suites."""
    if not task.startswith(_PREFIX):
        return None
    split, _, answerability = task[len(_PREFIX):].partition("_")
    return split, answerability == "answerable"


def _percent(values: list[float]) -> float:
    return 100 * sum(values) / len(values) if values else 0.0


def summarise_realdocs(rows: Iterable[Row]) -> list[RealDocsStats]:
    """Error rows count as wrong everywhere (no page, no recall, no "not found")."""
    rows = [row for row in rows if _group(row.task)]
    several_models = len({row.model for row in rows if row.model}) > 1
    groups: dict[tuple[str, str, bool], list[Row]] = {}
    for row in rows:
        split, answerable = _group(row.task)
        label = f"{row.strategy}@{row.model}" if several_models and row.model else row.strategy
        groups.setdefault((label, split, answerable), []).append(row)
    stats = []
    for (label, split, answerable), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], not item[0][2])):
        timed = [row for row in group if not row.error] or group
        stats.append(RealDocsStats(
            strategy=label, split=split, answerable=answerable, questions=len(group),
            errors=sum(1 for row in group if row.error),
            accuracy=_percent([row.score for row in group]),
            page_correct=_percent([float(bool(row.page_correct)) for row in group]) if answerable else None,
            evidence_recall_at_5=(_percent([row.evidence_recall_at_5 or 0.0 for row in group])
                                  if answerable else None),
            not_found=_percent([float(bool(row.not_found)) for row in group]),
            median_seconds=statistics.median(row.seconds for row in timed),
            median_tokens=statistics.median(row.total_tokens for row in timed),
            median_llm_calls=statistics.median(row.llm_calls for row in timed),
        ))
    return stats


def realdocs_tables(stats: list[RealDocsStats]):
    """Two rich Tables: answerable questions (answer, page, recall@5) and unanswerable ones ("not found")."""
    from rich.table import Table

    answerable = Table(title="realdocs, answerable: page % = gold page cited, R@5 % = gold page in the reader's "
                             "first 5 (seconds, tokens, calls: medians)")
    for column in ("strategy", "split", "n", "err", "answer %", "page %", "R@5 %", "not found %",
                   "seconds", "tokens", "calls"):
        answerable.add_column(column, justify="left" if column in ("strategy", "split") else "right")
    unanswerable = Table(title='realdocs, unanswerable: "not found" is right')
    for column in ("strategy", "split", "n", "err", "not found %", "seconds", "tokens", "calls"):
        unanswerable.add_column(column, justify="left" if column in ("strategy", "split") else "right")
    for item in stats:
        cost = (f"{item.median_seconds:.2f}", f"{item.median_tokens:.0f}", f"{item.median_llm_calls:.0f}")
        if item.answerable:
            answerable.add_row(item.strategy, item.split, str(item.questions), str(item.errors), f"{item.accuracy:.1f}",
                               f"{item.page_correct:.1f}", f"{item.evidence_recall_at_5:.1f}", f"{item.not_found:.1f}",
                               *cost)
        else:
            unanswerable.add_row(item.strategy, item.split, str(item.questions), str(item.errors),
                                 f"{item.not_found:.1f}", *cost)
    return answerable, unanswerable


def print_realdocs_summary(rows: Iterable[Row], console=None) -> list[RealDocsStats]:
    from rich.console import Console

    stats = summarise_realdocs(rows)
    if console is None:
        console = Console()
        if not console.is_terminal:  # a log file or a pipe: Rich's 80 columns would fold the headers
            console = Console(width=120)
    for table in realdocs_tables(stats):
        console.print(table)
    return stats
