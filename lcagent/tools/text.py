"""Sentence splitting and term overlap: how tools and agents pick the lines worth showing."""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Iterable

import regex

from lcagent.query.lexicon import STOPWORDS as LEXICON_STOPWORDS

# Sentence ends: punctuation, blank lines, list items, and the end of a heading (a short line
# without closing punctuation followed by a capitalised line).
_SENTENCE_END = regex.compile(
    # not after an initial or a dotted abbreviation ("U.S. House", "H.R. 5175", "John F. Kennedy",
    # "e.g. this") or a title ("Dr. Ames")
    r"(?<![\s(.][A-Za-z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Rev|Gen|Col|Lt|Sgt|vs|No)\.)"
    r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d{1,3}[.)])\s)"
    r"|(?<=(?:^|\n)[^\n.!?:;,]{1,60})\n(?=[A-Z0-9])"
)
_WORD = re.compile(r"\w+", re.UNICODE)

# the question lexicon's stopwords, and the words RULER-style questions use to point at the text
STOPWORDS = LEXICON_STOPWORDS | frozenset("mentioned provided text document".split())


@dataclass(frozen=True)
class Span:
    start: int  # char offset in the text it was cut from
    end: int
    text: str


def sentences(text: str, *, max_chars: int = 600) -> list[Span]:
    """Sentence-like spans with offsets; long runs without punctuation are cut at newlines or spaces."""
    spans: list[Span] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        _emit(text, position, match.start(), spans, max_chars)
        position = match.end()
    _emit(text, position, len(text), spans, max_chars)
    return spans


def _emit(text: str, start: int, end: int, spans: list[Span], max_chars: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > max_chars:
        cut = text.rfind("\n", start, start + max_chars)
        if cut <= start:
            cut = text.rfind(" ", start, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        spans.append(Span(start, cut, text[start:cut]))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append(Span(start, end, text[start:end]))


def clip(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def terms(text: str) -> list[str]:
    """Lower-cased content words."""
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in STOPWORDS]


def overlap_score(sentence: str, query_terms: Iterable[str], weights: dict[str, float] | None = None) -> float:
    present = set(terms(sentence))
    return sum((weights or {}).get(t, 1.0) for t in set(query_terms) if t in present)
