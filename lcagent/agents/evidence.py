"""The evidence pool: sentences gathered by tools, ranked by how well they match the question.

Every item keeps its document offsets and page, so an answer built from it can cite
``p. 12 (label xii)`` with a quote that is a real span of the stored text.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from lcagent.agents.weights import CARRY_OVER, LONG_SENTENCE_WORDS, PAGE_PRIOR
from lcagent.memory.workspace import Workspace
from lcagent.query.extract import terms
from lcagent.query.lexicon import ANAPHORS
from lcagent.query.plan import QuestionPlan
from lcagent.records import Chunk, Page, page_ref
from lcagent.tools.text import clip, sentences


LOWER_CASE_WORD = re.compile(r"(?<![\w'-])[a-z][\w'-]*")


@dataclass
class EvidenceItem:
    doc_id: str
    page_index: int
    page_label: str
    char_start: int  # in the document text
    text: str
    score: float = 0.0
    source: str = "search"
    # the sentence before, when this one opens with a pronoun ("Its last keeper, ..."): what it is about
    before: str = ""
    # the words its page writes in lower case: a capitalised one among them is a common noun ("Light")
    page_words: frozenset[str] = frozenset()

    def key(self) -> tuple[str, int]:
        return (self.doc_id, self.char_start)

    def where(self) -> str:
        return page_ref(self.page_index, self.page_label)


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
    subject_terms: frozenset[str] = frozenset()  # the weighted terms that name the question's subjects

    @classmethod
    def for_question(cls, workspace: Workspace, plan: QuestionPlan, doc_ids: Sequence[str]) -> "TermWeights":
        weights: dict[str, float] = {}
        for term in plan.key_terms():
            found, total = workspace.document_frequency(term, doc_ids)
            weights[term] = math.log((total + 1) / (found + 0.5)) if total else 1.0
            if found == 0:
                weights[term] = 0.0  # absent from the text: matches nothing, weighs nothing
        named = {t for subject in plan.subjects for t in terms(subject)}
        return cls(weights, frozenset(t for t in weights if t in named))

    def carried(self, text: str, before: str) -> float:
        """Weight of the subject terms ``before`` names and ``text`` does not: what a pronoun refers to."""
        if not before or not self.subject_terms:
            return 0.0
        return sum(self.weights[t] for t in (self.matched(before) - self.matched(text)) & self.subject_terms)

    def matched(self, text: str) -> set[str]:
        """The question's terms that ``text`` contains."""
        present = set(terms(text))
        lowered = text.lower()
        return {t for t in self.weights if t in present or (("-" in t or " " in t) and t in lowered)}

    def total(self) -> float:
        return sum(self.weights.values())

    def coverage(self, text: str) -> float:
        """Share of the question's weight that ``text`` matches (0 when nothing is weighted)."""
        total = self.total()
        return sum(self.weights[t] for t in self.matched(text)) / total if total > 0 else 0.0

    def score(self, text: str) -> float:
        words = terms(text)
        total = sum(self.weights[t] for t in self.matched(text))
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
        # how strongly retrieval and the document's structure point at each page, 0-1: a sentence
        # on the cash-flow statement page outranks the same words elsewhere
        self.prior: dict[tuple[str, int], float] = {}
        self._page_maps: dict[str, PageMap] = {}
        self._pages: dict[tuple[str, int], Page] = {}
        self._sentences: dict[tuple[str, int], list] = {}
        self._lower_words: dict[tuple[str, int], frozenset[str]] = {}

    def page_map(self, doc_id: str) -> PageMap:
        if doc_id not in self._page_maps:
            self._page_maps[doc_id] = PageMap.of(self.workspace.pages(doc_id))
        return self._page_maps[doc_id]

    def add_text(self, doc_id: str, text: str, offset: int, source: str) -> int:
        """Split ``text`` (found at ``offset`` in the document) into sentences; return how many were new."""
        return sum(self._add(doc_id, offset + span.start, span.text, source) for span in sentences(text))

    def add_chunk(self, chunk: Chunk, source: str = "search") -> int:
        """The whole sentences of the chunk's pages that overlap it (a chunk may cut a sentence)."""
        added = 0
        for index in range(chunk.page_start, chunk.page_end + 1):
            page = self._page(chunk.doc_id, index)
            for span in self._page_sentences(page):
                start = page.char_start + span.start
                if start < chunk.char_end and page.char_start + span.end > chunk.char_start:
                    added += self._add(chunk.doc_id, start, span.text, source)
        return added

    def _page(self, doc_id: str, index: int) -> Page:
        key = (doc_id, index)
        if key not in self._pages:
            self._pages[key] = self.workspace.page(doc_id, index)
        return self._pages[key]

    def page_text(self, doc_id: str, index: int) -> str:
        return self._page(doc_id, index).text

    def page(self, doc_id: str, index: int) -> Page:
        """The page (cached: a pool asks for the same few pages many times)."""
        return self._page(doc_id, index)

    def _page_sentences(self, page: Page) -> list:
        key = (page.doc_id, page.index)
        if key not in self._sentences:
            self._sentences[key] = sentences(page.text)
        return self._sentences[key]

    def _add(self, doc_id: str, start: int, text: str, source: str) -> int:
        key = (doc_id, start)
        if key in self.items:
            return 0
        index, label = self.page_map(doc_id).page_at(start)
        item = EvidenceItem(doc_id, index, label, start, text, 0.0, source)
        item.page_words = self._lower_case_words(doc_id, index)
        opener = text.lstrip()[:12].split(" ", 1)[0].lower().strip(",")
        if opener in ANAPHORS:
            item.before = self._sentence_before(doc_id, index, start)
        item.score = self._score(item)
        self.items[key] = item
        return 1

    def _lower_case_words(self, doc_id: str, index: int) -> frozenset[str]:
        key = (doc_id, index)
        if key not in self._lower_words:
            self._lower_words[key] = frozenset(LOWER_CASE_WORD.findall(self._page(doc_id, index).text))
        return self._lower_words[key]

    def _sentence_before(self, doc_id: str, index: int, start: int) -> str:
        page = self._page(doc_id, index)
        earlier = [span for span in self._page_sentences(page) if page.char_start + span.end <= start]
        return earlier[-1].text if earlier else ""

    def _score(self, item: EvidenceItem) -> float:
        own = self.weights.score(item.text) + CARRY_OVER * self.weights.carried(item.text, item.before)
        return own * (1.0 + PAGE_PRIOR * self.prior.get((item.doc_id, item.page_index), 0.0))

    def set_prior(self, prior: dict[tuple[str, int], float]) -> None:
        self.prior = dict(prior)
        self.rescore()

    def add_page(self, page: Page, source: str = "read") -> int:
        return sum(self._add(page.doc_id, page.char_start + span.start, span.text, source) for span in self._page_sentences(page))

    def add_line(self, doc_id: str, page: Page, line_number_in_page: int, source: str = "grep") -> int:
        """The sentences of ``page`` that overlap one of its lines (a grep hit is rarely a whole sentence)."""
        lines = page.text.split("\n")
        line_start = sum(len(line) + 1 for line in lines[: line_number_in_page - 1])
        line_end = line_start + len(lines[line_number_in_page - 1])
        return sum(
            self._add(doc_id, page.char_start + span.start, span.text, source)
            for span in self._page_sentences(page)
            if span.start <= line_end and span.end >= line_start
        )

    def rescore(self) -> None:
        """Score every item again after the weights changed (new terms joined the query)."""
        for item in self.items.values():
            item.score = self._score(item)

    def ranked(self, limit: int | None = None) -> list[EvidenceItem]:
        ordered = sorted(self.items.values(), key=lambda item: (-item.score, item.doc_id, item.char_start))
        return ordered[:limit] if limit else ordered

    def subset(self, keep) -> "EvidencePool":
        """A pool of the items ``keep(item)`` accepts, sharing this pool's weights and caches."""
        sub = EvidencePool(self.workspace, self.weights)
        sub._page_maps, sub._pages, sub._sentences, sub.prior = self._page_maps, self._pages, self._sentences, self.prior
        sub._lower_words = self._lower_words
        sub.items = {key: item for key, item in self.items.items() if keep(item)}
        return sub

    def pages(self, limit: int = 10) -> list[tuple[str, int]]:
        """Distinct (doc_id, page_index) of the ranked items, best first."""
        seen: dict[tuple[str, int], None] = {}
        for item in self.ranked():
            if item.score <= 0:
                break
            seen.setdefault((item.doc_id, item.page_index), None)
            if len(seen) >= limit:
                break
        return list(seen)

    def best_score(self) -> float:
        return max((item.score for item in self.items.values()), default=0.0)

    def render(self, items: Iterable[EvidenceItem], max_chars: int = 300) -> str:
        lines = []
        for number, item in enumerate(items, start=1):
            lines.append(f"[E{number}] {item.where()}: {clip(item.text, max_chars)}")
        return "\n".join(lines) or "(none yet)"
