"""The evidence pool: sentences gathered by tools, ranked by how well they match the question.

Every item keeps its document offsets and page, so an answer built from it can cite
``p. 12 (label xii)`` with a quote that is a real span of the stored text.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from lcagent.agents.analysis import QueryAnalysis
from lcagent.memory.workspace import Workspace
from lcagent.records import Chunk, Page
from lcagent.tools.text import sentences, terms


LONG_SENTENCE_WORDS = 30


@dataclass
class EvidenceItem:
    doc_id: str
    page_index: int
    page_label: str
    char_start: int  # in the document text
    text: str
    score: float = 0.0
    source: str = "search"

    def key(self) -> tuple[str, int]:
        return (self.doc_id, self.char_start)

    def where(self) -> str:
        label = f" (label {self.page_label})" if self.page_label != str(self.page_index) else ""
        return f"p. {self.page_index}{label}"


@dataclass
class PageMap:
    """Offsets of the pages of one document, to place a char offset on its page."""

    starts: list[int]
    labels: list[str]

    @classmethod
    def of(cls, pages: Sequence[Page]) -> "PageMap":
        return cls([p.char_start for p in pages], [p.label for p in pages])

    def page_at(self, offset: int) -> tuple[int, str]:
        index = max(1, bisect_right(self.starts, offset))
        return index, self.labels[index - 1]


@dataclass
class TermWeights:
    """idf weights of the question's terms within the documents in scope."""

    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def for_question(cls, workspace: Workspace, analysis: QueryAnalysis, doc_ids: Sequence[str]) -> "TermWeights":
        weights: dict[str, float] = {}
        for term in analysis.key_terms():
            found, total = workspace.document_frequency(term, doc_ids)
            weights[term] = math.log((total + 1) / (found + 0.5)) if total else 1.0
            if found == 0:
                weights[term] = 0.0  # absent from the text: matches nothing, weighs nothing
        return cls(weights)

    def score(self, text: str) -> float:
        words = terms(text)
        present = set(words)
        lowered = text.lower()
        total = 0.0
        for term, weight in self.weights.items():
            if term in present or (("-" in term or " " in term) and term in lowered):
                total += weight
        # a run-on "sentence" (a table of contents, a list) matches many terms by sheer length
        if len(words) > LONG_SENTENCE_WORDS:
            total *= math.sqrt(LONG_SENTENCE_WORDS / len(words))
        return total


class EvidencePool:
    """Deduplicated, scored sentences from everything the agent has looked at."""

    def __init__(self, workspace: Workspace, weights: TermWeights) -> None:
        self.workspace = workspace
        self.weights = weights
        self.items: dict[tuple[str, int], EvidenceItem] = {}
        self._page_maps: dict[str, PageMap] = {}

    def page_map(self, doc_id: str) -> PageMap:
        if doc_id not in self._page_maps:
            self._page_maps[doc_id] = PageMap.of(self.workspace.pages(doc_id))
        return self._page_maps[doc_id]

    def add_text(self, doc_id: str, text: str, offset: int, source: str) -> int:
        """Split ``text`` (found at ``offset`` in the document) into sentences; return how many were new."""
        pages = self.page_map(doc_id)
        added = 0
        for span in sentences(text):
            start = offset + span.start
            key = (doc_id, start)
            if key in self.items:
                continue
            index, label = pages.page_at(start)
            self.items[key] = EvidenceItem(doc_id, index, label, start, span.text, self.weights.score(span.text), source)
            added += 1
        return added

    def add_chunk(self, chunk: Chunk, source: str = "search") -> int:
        return self.add_text(chunk.doc_id, chunk.text, chunk.char_start, source)

    def add_page(self, page: Page, source: str = "read") -> int:
        return self.add_text(page.doc_id, page.text, page.char_start, source)

    def add_line(self, doc_id: str, page: Page, line_number_in_page: int, source: str = "grep") -> int:
        """The sentences of ``page`` that overlap one of its lines (a grep hit is rarely a whole sentence)."""
        lines = page.text.split("\n")
        line_start = sum(len(line) + 1 for line in lines[: line_number_in_page - 1])
        line_end = line_start + len(lines[line_number_in_page - 1])
        added = 0
        for span in sentences(page.text):
            if span.start <= line_end and span.end >= line_start:
                added += self.add_text(doc_id, span.text, page.char_start + span.start, source)
        return added

    def rescore(self) -> None:
        """Score every item again after the weights changed (new terms joined the query)."""
        for item in self.items.values():
            item.score = self.weights.score(item.text)

    def ranked(self, limit: int | None = None) -> list[EvidenceItem]:
        ordered = sorted(self.items.values(), key=lambda item: (-item.score, item.doc_id, item.char_start))
        return ordered[:limit] if limit else ordered

    def best_score(self) -> float:
        return max((item.score for item in self.items.values()), default=0.0)

    def render(self, items: Iterable[EvidenceItem], max_chars: int = 300) -> str:
        lines = []
        for number, item in enumerate(items, start=1):
            text = " ".join(item.text.split())
            if len(text) > max_chars:
                text = text[: max_chars - 1] + "…"
            lines.append(f"[E{number}] {item.where()}: {text}")
        return "\n".join(lines) or "(none yet)"
