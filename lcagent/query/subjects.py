"""The subjects of a question: quoted phrases, names, identifiers and document parts, in order;
whether they are coordinated ("A, B and C"); where a chain starts; which part a summary is of."""

from __future__ import annotations

import re

from lcagent.query import extract
from lcagent.query.lexicon import DOCUMENT_PARTS, NUMBER_WORDS, QUESTION_WORDS, STOPWORDS

COORDINATOR = (r"(?:\s*,\s*(?:and|&|as well as|plus|along with|together with)?\s*|\s+(?:and|&|as well as|plus|along with|"
               r"together with)\s+|\s*;\s*|\s*\n\s*(?:[-*•]|\d+[.)])?\s*|\s+(?:[-*•]|\d+[.)])\s+|\s*/\s*)(?:(?:for|of|to|about|in|on|from)\s+)?"
               r"(?:the\s+)?")  # "the Finance Committee and the Audit Committee"
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
    subjects = [s for s in subjects if not _modifier_acronym(s, text)]
    subjects = _bare_names(subjects, text)
    subjects = _listed_words(subjects, text)
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
    r"illustrator|narrator) (?:of|for|in|to)|(?:played|starred|appeared|portrayed|featured|cast) [^.?!]{0,40}\bin)\s+$", re.I)


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


_INDEFINITE = frozenset("anyone anybody anything everyone everybody everything someone somebody something one "
                        "none nobody nothing".split())
# lower-case names where grammar puts a name: "Does libpng support ...?", "... mentioned for libfoo."
_BARE_NAME = (re.compile(r"^(?i:does|do|did|can|will|would|is|was) ([a-z][a-z0-9_.+-]*[a-z0-9]) [a-z]+"),
              re.compile(r"\b(?:mentioned|released|listed|recorded|configured|defined|set|published|reported) "
                         r"(?:for|of|by) ([a-z][a-z0-9_.+-]*[a-z0-9])\s*[?.!]"))
# a thing named by a number after its classifier: "port 8443", "build 4411"
_NUMBERED = re.compile(r"\b(?:port|build|release|version|room|gate|flight|route|platform|pier|line|rule|step|figure|table|"
                       r"page|ticket|issue|case|invoice|order|batch|lot)\s+\d[\w.]*\b", re.I)


def _bare_names(subjects: list[str], text: str) -> list[str]:
    found = list(subjects)
    for pattern in _BARE_NAME:
        match = pattern.search(text)
        if match and match.group(1) not in STOPWORDS | QUESTION_WORDS | _INDEFINITE and match.group(1) not in found:
            found.append(match.group(1))
    for match in _NUMBERED.finditer(text):
        number = match.group(0).split()[-1]
        found = [match.group(0) if s == number else s for s in found]
        if match.group(0) not in found:
            found.append(match.group(0))
    return sorted(found, key=lambda s: text.find(s))


def _modifier_acronym(subject: str, text: str) -> bool:
    """"CVE identifiers", "MAC addresses": capitals before the noun asked for describe it."""
    from lcagent.query.heads import typed

    after = re.search(rf"(?i:what|which|the|all|any|each|every|list) {re.escape(subject)} ([a-z]+)\b", text)
    return subject.isalpha() and subject.isupper() and after is not None and typed(after.group(1)) is not None


_ITEM = r"[\w+-]+(?:\.[\w+-]+)*"  # "nginx", "OpenSSL", "v1.2"; not a sentence's full stop
_LIST = re.compile(rf"(?<![\w-])({_ITEM}(?:, {_ITEM})+,? (?:and|or|&) {_ITEM})(?![\w-])")


def _listed_words(subjects: list[str], text: str) -> list[str]:
    """"nginx, OpenSSL and zlib": every single-word item of a list that holds a named subject is a
    subject, whatever its case."""
    for match in _LIST.finditer(text):
        items = [item for item in re.split(r",? (?:and|or|&) |, ", match.group(1)) if item]
        if not any(item in subjects for item in items) or any(
                item.lower() in STOPWORDS | QUESTION_WORDS or len(item) < 2 for item in items):
            continue
        start = match.start()
        before = [s for s in subjects if 0 <= text.find(s) < start]
        after = [s for s in subjects if text.find(s) >= match.end() or text.find(s) < 0]
        return before + items + after
    return subjects


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
    named = re.search(r"\b([A-Z][\w&]*(?: [A-Z][\w&]*)*) (?:section|chapter|part)\b", text)
    if named and named.group(1).lower() not in QUESTION_WORDS | STOPWORDS:
        return (named.group(1),)  # "the Risk Factors section", "the MD&A section"
    for match in re.finditer(r"[\w-]+", text):
        word = match.group(0)
        before = text[: match.start()].lower()
        if word.lower() in DOCUMENT_PARTS and not re.search(r"\b(?:a|an|overall|main|key|central|general)\s+$", before):
            return (word,)
    return ()


_NUMERALS = r"\d+(?:\.\d+)*[A-Z]?|[IVXLC]+|[A-Z]\b|" + "|".join(w for w in NUMBER_WORDS if " " not in w and "-" not in w)


def document_part(text: str) -> str | None:
    """A numbered part of a document named in the text: "chapter 12", "Part Three", "Item 7", "Appendix C"."""
    match = re.search(rf"(?i)\b(?:chapter|section|part|appendix|item|lecture|article|clause|act|book|schedule|exhibit|"
                      rf"annex|volume|unit|module|lesson)\s+(?:{_NUMERALS})\b", text)
    return match.group(0) if match else None
