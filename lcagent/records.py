"""Typed records that cross module boundaries: documents, pages, chunks, citations, answers.

Everything an agent, a store or a CLI command hands to another module is one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Any


def page_ref(index: int, label: str) -> str:
    """``p. 12``, or ``p. 12 (label xii)`` when the document's own label differs from the index."""
    return f"p. {index}" + (f" (label {label})" if label and label != str(index) else "")


@dataclass(frozen=True)
class PageText:
    """One page as a loader produced it, before it is stored.

    ``label`` is the document's own name for the page (a PDF page label such as ``xii``);
    loaders without labels use the 1-based index as a string.
    """

    label: str
    text: str


@dataclass(frozen=True)
class LoadedDocument:
    """What a loader returns: normalised page texts plus anything the user should be told."""

    pages: list[PageText]
    kind: str  # "pdf", "text", "markdown", "html"
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    # tables read from the PDF's text positions (lcagent.loaders.tables); [] for other kinds
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class TableCell:
    """A cell as printed ("(1,577)", "—") and its value: parentheses are negatives, a dash is None."""

    text: str
    value: float | None


@dataclass(frozen=True)
class TableRow:
    """A row: its label (wrapped lines joined), one cell per column, and ``line_text``, the row
    as the stored page text shows it, so a citation quoting it is a verbatim span."""

    label: str
    cells: list[TableCell]
    line_text: str
    indent: int = 0  # 0 for the table's least indented labels: a hint of hierarchy
    section: str = ""  # the label-only line the row sits under ("Investing activities:")


@dataclass(frozen=True)
class Table:
    """A table on a page: title, units as printed ("(In millions)"), column headers, rows."""

    page_index: int  # 1-based, like Page.index
    title: str | None
    units: str | None
    columns: list[str]
    rows: list[TableRow]
    ordinal: int = 0  # position among the page's tables, top first


@dataclass(frozen=True)
class Page:
    """A stored page. ``char_start`` is the offset of the page in the document text."""

    doc_id: str
    index: int  # 1-based
    label: str
    text: str
    char_start: int
    line_start: int  # 1-based number of the page's first line in the document


@dataclass(frozen=True)
class Chunk:
    """A token-budgeted slice of a document's text with exact offsets and spans."""

    doc_id: str
    ordinal: int  # 0-based position in the document
    char_start: int
    char_end: int  # exclusive
    page_start: int  # 1-based page index
    page_end: int
    line_start: int  # 1-based document line numbers
    line_end: int
    tokens: int
    text: str


@dataclass(frozen=True)
class Document:
    """A stored document version, identified by the sha256 of its bytes."""

    id: str
    name: str
    path: str
    kind: str
    bytes: int
    pages: int
    tokens: int
    chunks: int
    ingested_at: str
    title: str | None = None
    version: int = 1

    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from a page of a document, checked against the stored text."""

    doc_id: str
    page_index: int
    page_label: str
    quote: str
    doc_name: str = ""

    def render(self) -> str:
        return f'{page_ref(self.page_index, self.page_label)}: "{self.quote}"'


@dataclass
class Usage:
    """What a run cost. Adds up across calls."""

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: "Usage") -> None:
        self.llm_calls += other.llm_calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.seconds += other.seconds

    def render(self) -> str:
        return (
            f"{self.llm_calls} LLM calls, {self.prompt_tokens} prompt + "
            f"{self.completion_tokens} completion tokens, {self.seconds:.1f} s"
        )


@dataclass
class Answer:
    """The result of ``lcagent.ask``: the answer, its checked evidence and what it cost."""

    question: str
    text: str
    citations: list[Citation]
    usage: Usage
    strategy: str
    strategy_reason: str = ""
    run_id: str = ""
    found: bool = True
    dropped_quotes: int = 0
    doc_ids: list[str] = field(default_factory=list)
    # how sure the reader is, 0-1: a user can threshold it (``--min-confidence``)
    confidence: float = 1.0
    # the pages handed to the reader, best first, as (doc_id, page_index): what recall@k is measured on
    evidence_pages: list[tuple[str, int]] = field(default_factory=list)
    # when nothing answers: the closest pages, to look at by hand
    see_also: list[Citation] = field(default_factory=list)
    # every document the question was asked of (``doc_ids`` are those chosen and read)
    searched: list[str] = field(default_factory=list)
    # why the answer is partial (the budget stopped the run early: it can be resumed); "" when complete
    partial: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["usage"]["total_tokens"] = self.usage.total_tokens
        return data


@dataclass(frozen=True)
class SearchHit:
    """A bm25 hit: the chunk, its score (higher is better) and a highlighted snippet."""

    chunk: Chunk
    score: float
    snippet: str
    page_label: str
    doc_name: str = ""


@dataclass(frozen=True)
class GrepHit:
    """A line that matched a grep pattern, with its page and surrounding lines."""

    doc_id: str
    page_index: int
    page_label: str
    line: int  # 1-based line number within the page
    doc_line: int  # 1-based line number within the document
    text: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
