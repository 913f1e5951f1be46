"""Aggregate result rows: accuracy per task x length x strategy, and what each strategy cost.

``summarise(rows)`` gives typed numbers; ``summary_tables(summary)`` renders them with rich.
Accuracy is the mean per-sample score in percent (RULER's own convention); error rows
count as 0, as RULER counts an empty prediction.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable

from lcagent.bench.run import Row
from lcagent.bench.sample import format_length


@dataclass(frozen=True)
class Cell:
    task: str
    length: int
    strategy: str  # "name" or "name@model" when the rows come from several models
    samples: int
    accuracy: float  # percent
    errors: int


@dataclass(frozen=True)
class StrategyStats:
    strategy: str
    samples: int
    errors: int
    accuracy: float  # percent, over all its rows
    median_seconds: float
    median_tokens: float  # prompt + completion, per sample
    median_llm_calls: float
    page_accuracy: float | None  # percent of PDF rows whose citations hit the needle's page
    evidence_recall: float | None  # percent, mean over rows with gold evidence


@dataclass(frozen=True)
class Summary:
    cells: list[Cell]
    strategies: list[StrategyStats]

    def accuracy(self, task: str, length: int, strategy: str) -> float | None:
        for cell in self.cells:
            if (cell.task, cell.length, cell.strategy) == (task, length, strategy):
                return cell.accuracy
        return None


def _label(row: Row, several_models: bool) -> str:
    return f"{row.strategy}@{row.model}" if several_models and row.model else row.strategy


def _percent(values: list[float]) -> float:
    return 100 * sum(values) / len(values) if values else 0.0


def summarise(rows: Iterable[Row]) -> Summary:
    rows = list(rows)
    several_models = len({row.model for row in rows}) > 1
    groups: dict[tuple[str, int, str], list[Row]] = {}
    by_strategy: dict[str, list[Row]] = {}
    for row in rows:
        label = _label(row, several_models)
        groups.setdefault((row.task, row.length, label), []).append(row)
        by_strategy.setdefault(label, []).append(row)

    cells = [
        Cell(task, length, label, len(group), _percent([row.score for row in group]),
             sum(1 for row in group if row.error))
        for (task, length, label), group in sorted(groups.items())
    ]
    strategies = []
    for label, group in sorted(by_strategy.items()):
        answered = [row for row in group if not row.error] or group
        pages = [float(row.page_correct) for row in group if row.page_correct is not None]
        recalls = [row.evidence_recall for row in group if row.evidence_recall is not None]
        strategies.append(StrategyStats(
            strategy=label,
            samples=len(group),
            errors=sum(1 for row in group if row.error),
            accuracy=_percent([row.score for row in group]),
            median_seconds=statistics.median(row.seconds for row in answered),
            median_tokens=statistics.median(row.total_tokens for row in answered),
            median_llm_calls=statistics.median(row.llm_calls for row in answered),
            page_accuracy=_percent(pages) if pages else None,
            evidence_recall=_percent(recalls) if recalls else None,
        ))
    return Summary(cells, strategies)


def summary_tables(summary: Summary):
    """Two rich Tables: accuracy (task x length rows, strategy columns) and cost per strategy."""
    from rich.table import Table

    labels = [stats.strategy for stats in summary.strategies]
    accuracy = Table(title="Accuracy (%)")
    accuracy.add_column("task")
    accuracy.add_column("length", justify="right")
    for label in labels:
        accuracy.add_column(label, justify="right")
    keys = sorted({(cell.task, cell.length) for cell in summary.cells})
    for task, length in keys:
        values = []
        for label in labels:
            value = summary.accuracy(task, length, label)
            values.append("-" if value is None else f"{value:.1f}")
        accuracy.add_row(task, format_length(length), *values)
    for length in sorted({length for _, length in keys}):
        values = []
        for label in labels:
            scores = [cell.accuracy for cell in summary.cells
                      if cell.length == length and cell.strategy == label]
            values.append(f"{sum(scores) / len(scores):.1f}" if scores else "-")
        accuracy.add_row("[b]mean of tasks[/b]", format_length(length), *values)

    cost = Table(title="Cost per strategy (medians per sample)")
    for column in ("strategy", "rows", "errors", "acc %", "seconds", "tokens", "calls",
                   "page %", "evidence %"):
        cost.add_column(column, justify="left" if column == "strategy" else "right")
    for stats in summary.strategies:
        cost.add_row(
            stats.strategy, str(stats.samples), str(stats.errors), f"{stats.accuracy:.1f}",
            f"{stats.median_seconds:.2f}", f"{stats.median_tokens:.0f}", f"{stats.median_llm_calls:.0f}",
            "-" if stats.page_accuracy is None else f"{stats.page_accuracy:.1f}",
            "-" if stats.evidence_recall is None else f"{stats.evidence_recall:.1f}",
        )
    return accuracy, cost


def print_summary(rows: Iterable[Row], console=None) -> Summary:
    from rich.console import Console

    summary = summarise(rows)
    console = console or Console()
    for table in summary_tables(summary):
        console.print(table)
    return summary


# The wording suite: the same tasks asked as people ask them (ruler/wording.py).
BREAKDOWN_FIELDS = ("wording", "needle_template", "haystack")


@dataclass(frozen=True)
class SuiteCell:
    task: str
    length: int
    strategy: str
    suite: str  # "standard" (RULER's own question) or "wording"
    samples: int
    accuracy: float  # percent


@dataclass(frozen=True)
class BreakdownCell:
    task: str  # "" when pooled over every task (templates and haystacks)
    field: str  # one of BREAKDOWN_FIELDS
    value: str
    strategy: str
    samples: int
    accuracy: float  # percent


@dataclass(frozen=True)
class WordingSummary:
    suites: list[SuiteCell]
    breakdown: list[BreakdownCell]


def summarise_wording(rows: Iterable[Row]) -> WordingSummary:
    """Standard against wording accuracy per task x length x strategy, then wording rows by
    wording id (per task) and by needle template and haystack (pooled over tasks)."""
    rows = list(rows)
    several_models = len({row.model for row in rows}) > 1
    suites: dict[tuple[str, int, str, str], list[float]] = {}
    breakdown: dict[tuple[str, str, str, str], list[float]] = {}
    for row in rows:
        label = _label(row, several_models)
        suite = "wording" if row.wording else "standard"
        suites.setdefault((row.task, row.length, label, suite), []).append(row.score)
        if row.wording:
            breakdown.setdefault((row.task, "wording", row.wording, label), []).append(row.score)
            for field in BREAKDOWN_FIELDS[1:]:
                if getattr(row, field):
                    breakdown.setdefault(("", field, getattr(row, field), label), []).append(row.score)
    return WordingSummary(
        [SuiteCell(*key, len(scores), _percent(scores)) for key, scores in sorted(suites.items())],
        [BreakdownCell(*key, len(scores), _percent(scores)) for key, scores in sorted(breakdown.items())],
    )


def wording_tables(summary: WordingSummary):
    """Rich Tables: standard vs wording per task and length, then the wording breakdown."""
    from rich.table import Table

    labels = sorted({cell.strategy for cell in summary.suites})
    found = {(c.task, c.length, c.strategy, c.suite): c for c in summary.suites}
    versus = Table(title="Standard vs wording accuracy (%; n: wording samples)")
    versus.add_column("task", no_wrap=True)
    versus.add_column("length", justify="right")
    versus.add_column("n", justify="right")
    for label in labels:
        versus.add_column(f"{label} std", justify="right")
        versus.add_column(f"{label} words", justify="right")
    for task, length in sorted({(cell.task, cell.length) for cell in summary.suites}):
        values, samples = [], 0
        for label in labels:
            for suite in ("standard", "wording"):
                cell = found.get((task, length, label, suite))
                values.append("-" if cell is None else f"{cell.accuracy:.1f}")
                samples = max(samples, cell.samples if cell and suite == "wording" else 0)
        versus.add_row(task, format_length(length), str(samples), *values)
    for length in sorted({cell.length for cell in summary.suites}):
        values = []
        for label in labels:
            for suite in ("standard", "wording"):
                scores = [c.accuracy for c in summary.suites if (c.length, c.strategy, c.suite) == (length, label, suite)]
                values.append(f"{sum(scores) / len(scores):.1f}" if scores else "-")
        versus.add_row("[b]mean of tasks[/b]", format_length(length), "", *values)

    by_variant = Table(title="Wording rows by wording, needle template and haystack (accuracy %, samples)")
    for column in ("task", "field", "value"):
        by_variant.add_column(column)
    for label in labels:
        by_variant.add_column(label, justify="right")
    cells = {(c.task, c.field, c.value, c.strategy): c for c in summary.breakdown}
    for task, field, value in sorted({(c.task, c.field, c.value) for c in summary.breakdown},
                                     key=lambda key: (BREAKDOWN_FIELDS.index(key[1]), key)):
        values = []
        for label in labels:
            cell = cells.get((task, field, value, label))
            values.append("-" if cell is None else f"{cell.accuracy:.0f} ({cell.samples})")
        by_variant.add_row(task or "all", field, value, *values)
    return versus, by_variant
