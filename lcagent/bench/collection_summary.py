"""The collection suite's scores per question kind and scope, and the collection set beside the
right document: right document cited, answer accuracy both ways, both documents cited."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable

from lcagent.bench.collection import PAIR_KINDS, SINGLE_KINDS, TASK_PREFIX, scope_of
from lcagent.bench.run import Row

ALL_SINGLE = "single (all)"
ALL_PAIRS = "two documents (all)"


@dataclass(frozen=True)
class CollectionStats:
    strategy: str  # "name", or "name@model" when several models ran
    kind: str  # a question kind, or one of the pooled groups
    scope: str  # "collection" or "document"
    questions: int
    errors: int
    answer: float  # percent: mean answer score
    documents: float  # percent citing every document the question needs
    pages: float | None  # percent citing a gold page of each such document (kinds with gold pages)
    evidence_recall: float | None  # percent of gold sentences cited (LooGLE)
    median_seconds: float
    median_llm_calls: float
    median_tokens: float


def _percent(values: list[float]) -> float:
    return 100 * sum(values) / len(values) if values else 0.0


def _stats(strategy: str, kind: str, scope: str, group: list[Row]) -> CollectionStats:
    timed = [row for row in group if not row.error] or group
    paged = [row for row in group if row.page_correct is not None]  # kinds with gold pages
    with_evidence = [row for row in group if row.evidence_recall is not None]
    return CollectionStats(
        strategy=strategy, kind=kind, scope=scope, questions=len(group), errors=sum(1 for row in group if row.error),
        answer=_percent([row.score for row in group]),
        documents=_percent([float(row.documents_cited == 1.0) for row in group]),
        pages=_percent([float(row.page_correct) for row in paged]) if paged else None,
        evidence_recall=_percent([row.evidence_recall for row in with_evidence]) if with_evidence else None,
        median_seconds=statistics.median(row.seconds for row in timed),
        median_llm_calls=statistics.median(row.llm_calls for row in timed),
        median_tokens=statistics.median(row.total_tokens for row in timed),
    )


def summarise_collection(rows: Iterable[Row]) -> list[CollectionStats]:
    """Per strategy, kind and scope, then pooled over the single-document kinds and over the
    two-document kinds. Error rows count as wrong answers with no document cited (they have no
    page or evidence score, so those columns leave them out)."""
    rows = [row for row in rows if row.task.startswith(TASK_PREFIX)]
    several_models = len({row.model for row in rows}) > 1
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for row in rows:
        name, scope = scope_of(row.strategy)
        label = f"{name}@{row.model}" if several_models else name
        kind = row.task[len(TASK_PREFIX):]
        groups.setdefault((label, kind, scope), []).append(row)
        pooled = ALL_SINGLE if kind in SINGLE_KINDS else ALL_PAIRS if kind in PAIR_KINDS else None
        if pooled:
            groups.setdefault((label, pooled, scope), []).append(row)
    order = {kind: number for number, kind in enumerate(SINGLE_KINDS + (ALL_SINGLE,) + PAIR_KINDS + (ALL_PAIRS,))}
    keys = sorted(groups, key=lambda key: (key[0], order.get(key[1], len(order)), key[2]))
    return [_stats(*key, groups[key]) for key in keys]


def collection_tables(stats: list[CollectionStats]):
    """Two rich Tables: every group, and the collection scope beside the right document."""
    from rich.table import Table

    detail = Table(title="collection suite: docs % = every needed document cited, page % = a gold page of each "
                         "cited, ev % = LooGLE evidence recall (seconds, calls, tokens: medians)")
    for column in ("strategy", "kind", "scope", "n", "err", "answer %", "docs %", "page %", "ev %",
                   "seconds", "calls", "tokens"):
        detail.add_column(column, justify="left" if column in ("strategy", "kind", "scope") else "right")
    for item in stats:
        detail.add_row(item.strategy, item.kind, item.scope, str(item.questions), str(item.errors), f"{item.answer:.1f}",
                       f"{item.documents:.1f}", _maybe(item.pages), _maybe(item.evidence_recall),
                       f"{item.median_seconds:.2f}", f"{item.median_llm_calls:.0f}", f"{item.median_tokens:.0f}")
    compared = Table(title="asked of the collection vs of the right document(s): targets docs % >= 95 (single), "
                           ">= 80 (two documents); answer within 5 points")
    for column in ("strategy", "kind", "n", "docs % (collection)", "answer % (collection)", "answer % (document)",
                   "points", "seconds (collection)", "seconds (document)"):
        compared.add_column(column, justify="left" if column in ("strategy", "kind") else "right")
    by_key = {(item.strategy, item.kind, item.scope): item for item in stats}
    for item in stats:
        if item.scope != "collection":
            continue
        alone = by_key.get((item.strategy, item.kind, "document"))
        compared.add_row(item.strategy, item.kind, str(item.questions), f"{item.documents:.1f}", f"{item.answer:.1f}",
                         f"{alone.answer:.1f}" if alone else "-",
                         f"{item.answer - alone.answer:+.1f}" if alone else "-",
                         f"{item.median_seconds:.2f}", f"{alone.median_seconds:.2f}" if alone else "-")
    return detail, compared


def _maybe(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_collection_summary(rows: Iterable[Row], console=None) -> list[CollectionStats]:
    from rich.console import Console

    stats = summarise_collection(rows)
    if console is None:
        console = Console()
        if not console.is_terminal:  # a log file or a pipe: 80 columns would fold the headers
            console = Console(width=150)
    for table in collection_tables(stats):
        console.print(table)
    return stats
