"""Quote checking: a citation survives only if its quote is verbatim on the page it names
(whitespace-normalised). Quotes that fail are dropped and counted, never repaired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from lcagent.memory.workspace import Workspace
from lcagent.records import Citation


MIN_QUOTE_CHARS = 8


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass
class QuoteChecker:
    workspace: Workspace
    doc_ids: Sequence[str]
    _pages: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def _normalised_pages(self, doc_id: str) -> list[tuple[int, str, str]]:
        if doc_id not in self._pages:
            self._pages[doc_id] = [(p.index, p.label, normalise(p.text)) for p in self.workspace.pages(doc_id)]
            document = self.workspace.get(doc_id)
            self._names[doc_id] = document.name if document else ""
        return self._pages[doc_id]

    def find(self, quote: str, *, doc_id: str | None = None, page_hint: int | None = None) -> Citation | None:
        """The page where ``quote`` appears verbatim, preferring ``page_hint``; None if nowhere."""
        wanted = normalise(quote)
        if len(wanted) < MIN_QUOTE_CHARS:  # "12" or "the" is on every page: no evidence at all
            return None
        for candidate in ([doc_id] if doc_id else list(self.doc_ids)):
            pages = self._normalised_pages(candidate)
            ordered = sorted(pages, key=lambda p: (p[0] != page_hint, p[0]))
            for index, label, text in ordered:
                if wanted in text:
                    return Citation(candidate, index, label, wanted, self._names[candidate])
        return None

    def check(self, citations: Iterable[Citation]) -> tuple[list[Citation], int]:
        """Keep the citations whose quote is on a page of their document; count the rest."""
        kept: list[Citation] = []
        dropped = 0
        seen: set[tuple[str, int, str]] = set()
        for citation in citations:
            found = self.find(citation.quote, doc_id=citation.doc_id or None, page_hint=citation.page_index)
            if found is None:
                dropped += 1
                continue
            key = (found.doc_id, found.page_index, found.quote)
            if key not in seen:
                seen.add(key)
                kept.append(found)
        return kept, dropped
