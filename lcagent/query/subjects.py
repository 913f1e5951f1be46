"""The subjects of a question: quoted phrases, names, identifiers and document parts, in order;
whether they are coordinated ("A, B and C"); where a chain starts; which part a summary is of."""

from __future__ import annotations

import re

from lcagent.query import extract
from lcagent.query.lexicon import DOCUMENT_PARTS, NUMBER_WORDS, QUESTION_WORDS, STOPWORDS

COORDINATOR = (r"(?:\s*,\s*(?:and|&|as well as|plus|along with|together with)?\s*|\s+(?:and|&|as well as|plus|along with|"
               r"together with)\s+|\s*;\s*|\s*\n\s*(?:[-*•]|\d+[.)])?\s*|\s+(?:[-*•]|\d+[.)])\s+|\s*/\s*)(?:(?:for|of|to|about|in|on|from)\s+)?")
_LIST_LEAD = re.compile(r":\s*(?:\n\s*)?(?:[-*•]\s*)?")


def subjects_of(text: str) -> tuple[str, ...]:
    """Quoted phrases, names and identifiers, in the order the question gives them; where two
    overlap, the longer ("Unit 4B" over "4B")."""
    spans: list[tuple[int, int, str]] = []
    for phrase in extract.quoted(text):
        start = text.find(phrase)
        spans.append((start, start + len(phrase) + 1000, phrase))  # a quoted phrase always wins
    for name in extract.names(text):
        if name.lower() not in QUESTION_WORDS:
            start = text.find(name)
            spans.append((start, start + len(name), name))
    for identifier in extract.identifiers(text, keys_only=True):
        start = _find_word(text, identifier)
        spans.append((start, start + len(identifier), identifier))
    part = document_part(text)
    if part:
        start = text.find(part)
        spans.append((start, start + len(part), part))
    kept: list[tuple[int, int, str]] = []
    for start, end, value in sorted(spans, key=lambda span: -(span[1] - span[0])):
        if start < 0:
            continue
        real_end = start + len(value)
        if any(a <= start < b or a < real_end <= b or (start <= a and b <= real_end) for a, b, _ in
               ((k[0], k[0] + len(k[2]), k[2]) for k in kept)):
            continue
        kept.append((start, end, value))
    subjects = _titles([value for _, _, value in sorted(kept)], text)
    if len(subjects) >= 2:
        # "auth-proxy, ledger-svc and mailer": a plain word in the last slot of a coordination
        last = subjects[-1]
        tail = re.match(r"\s*(?:,\s*)?(?:and|or|&|plus|as well as)\s+([a-z][\w-]*)\b(?!\s+(?:of|for)\b)",
                        text[text.find(last) + len(last):])
        if tail and tail.group(1) not in STOPWORDS | QUESTION_WORDS and len(tail.group(1)) > 2:
            subjects.append(tail.group(1))
    return tuple(subjects)


# Nouns that introduce a work's title, and roles that belong to one work ("the author of X")
_TITLE_LEADS = re.compile(
    r"\b(?:film|movie|book|novel|album|song|single|play|series|show|game|poem|painting|opera|musical|record|collection|"
    r"(?:the|a) (?:author|writer|singer|composer|director|star|publisher|producer|score|soundtrack|plot|cast|editor|"
    r"illustrator|narrator) (?:of|for|in|to))\s+$", re.I)


def _titles(subjects: list[str], text: str) -> list[str]:
    """"the author of Stone and Salt", "the film Kiss and Tell": two single capitalised words joined
    by "and" after a work's classifier or one of its roles are one title, not two subjects."""
    merged: list[str] = []
    for subject in subjects:
        if merged and merged[-1].endswith(f" and {subject}"):
            continue
        title = re.search(rf"(?<![\w-]){re.escape(subject)} and [A-Z][\w'’-]*\b(?! [A-Z])", text) if " " not in subject else None
        if title and _TITLE_LEADS.search(text[: title.start()]):
            subject = title.group(0)
        merged.append(subject)
    return merged


def _find_word(text: str, word: str) -> int:
    match = re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text)
    return match.start() if match else text.find(word)


def coordinated(text: str, subjects) -> bool:
    """Are two or more subjects joined by a coordination ("A, B and C", "A as well as B", a list)?"""
    positions = sorted((text.find(s), s) for s in subjects if text.find(s) >= 0)
    for (start_a, a), (start_b, _) in zip(positions, positions[1:]):
        between = text[start_a + len(a): start_b]
        between = re.sub(r"^[\"'”’)\]]+|[\"'“‘(\[]+$", "", between)
        if re.fullmatch(COORDINATOR, between, re.I) or re.fullmatch(r"\s*(?:,\s*)?(?:both\s+)?", between):
            return True
    return bool(_LIST_LEAD.search(text) and len(subjects) >= 2)


def chain_start(text: str, subjects) -> tuple[str, ...]:
    """A chain starts from a value (a number the question gives) or a name."""
    values = extract.numbers(text)
    return tuple(values[:1]) or tuple(subjects[:1])


_GENERIC_PARTS = frozenset("document text report paper book novel article manual file it this that story film "
                           "essay chapter section thing whole content contents".split())


def summarised_part(text: str) -> tuple[str, ...]:
    """"Summarise the introduction", "What is chapter 7 about?": the part to summarise, if any."""
    part = document_part(text)
    if part:
        return (part,)
    for match in re.finditer(r"[\w-]+", text):
        word = match.group(0)
        before = text[: match.start()].lower()
        if word.lower() in DOCUMENT_PARTS and not re.search(r"\b(?:a|an|overall|main|key|central|general)\s+$", before):
            return (word,)
    return ()


_NUMERALS = r"\d+(?:\.\d+)*|[IVXLC]+|[A-Z]\b|" + "|".join(w for w in NUMBER_WORDS if " " not in w and "-" not in w)


def document_part(text: str) -> str | None:
    """A numbered part of a document named in the text: "chapter 12", "Part Three", "Item 7", "Appendix C"."""
    match = re.search(rf"(?i)\b(?:chapter|section|part|appendix|item|lecture|article|clause|act|book|schedule|exhibit|"
                      rf"annex|volume|unit|module|lesson)\s+(?:{_NUMERALS})\b", text)
    return match.group(0) if match else None
