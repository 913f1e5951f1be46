"""The one extractor of terms and entities, for questions and for document text alike.

Quoted phrases, identifiers (``long-context``, ``R2``, uuids), numbers, periods (``2018``,
``FY2019``, ``Q3 2023``), capitalised names, and content words. Grammar-level only: no rule
here knows any benchmark's wording.
"""

from __future__ import annotations

import re

from lcagent.query.lexicon import MONTHS, QUESTION_WORDS, STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r"\"([^\"]{2,})\"|“([^”]{2,})”|(?<![\w])'([^']{2,}?)'(?![\w])|‘([^’]{2,})’")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# hyphenated or underscored words ("long-context", "max_len"), uuids, and words mixing letters
# and digits ("R2", "3M", "x86"); periods such as FY2019 are qualifiers, not identifiers.
_IDENTIFIER = re.compile(
    rf"\b{_UUID}\b|\b\w+(?:[-_]\w+)+\b|\b(?=\w*\d)(?=\w*[A-Za-z])\w+\b", re.I
)
_NUMBER = re.compile(r"(?<![\w.])[-+]?\$?\d(?:[\d,]*\d)?(?:\.\d+)?%?(?![\w])")
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_PERIOD = re.compile(
    rf"\b(?:FY|CY)\s?'?\d{{2,4}}\b"                                # FY2019, FY 19
    rf"|\bQ[1-4](?:\s+(?:FY\s?)?{_YEAR})?\b"                       # Q3, Q3 2023
    rf"|\b(?:first|second|third|fourth)\s+quarter\s+(?:of\s+)?(?:fiscal\s+)?{_YEAR}\b"
    rf"|\b(?:fiscal|calendar)\s+(?:year\s+)?{_YEAR}\b"            # fiscal 2018
    rf"|\b{_MONTH}\s+\d{{1,2}},?\s+{_YEAR}\b"                      # December 31, 2022
    rf"|\b\d{{1,2}}\s+{_MONTH}\s+{_YEAR}\b"                        # 31 December 2022
    rf"|\b{_MONTH}\s+{_YEAR}\b"                                    # June 2023
    rf"|\b{_YEAR}s?\b",                                            # 2018, 1990s
    re.I,
)
# Capitalised runs, allowing a few lower-case joiners inside ("Bank of America", "Leonardo da Vinci").
_NAME = re.compile(
    r"\b[A-Z][\w'’&.-]*\w(?:\s+(?:(?:of|de|da|del|der|van|von|la|le|the|&|for|on)\s+)?[A-Z0-9][\w'’&.-]*\w?)*"
)
_AUXILIARIES = frozenset(
    "is are was were do does did can could has have had will would should may might must shall".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """Lower-cased content words (stopwords removed), in order, with repeats."""
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in STOPWORDS]


def content_terms(text: str) -> list[str]:
    """Distinct content words that describe what is asked (question words removed too)."""
    return list(dict.fromkeys(t for t in terms(text) if t not in QUESTION_WORDS and (len(t) > 1 or t.isdigit())))


def quoted(text: str) -> list[str]:
    return [" ".join(next(g for g in m.groups() if g).split()) for m in _QUOTED.finditer(text)]


def periods(text: str) -> list[str]:
    return list(dict.fromkeys(" ".join(m.group(0).split()) for m in _PERIOD.finditer(text)))


def identifiers(text: str) -> list[str]:
    found = []
    period_spans = [m.span() for m in _PERIOD.finditer(text)]
    for match in _IDENTIFIER.finditer(text):
        token = match.group(0)
        if any(a <= match.start() and match.end() <= b for a, b in period_spans):
            continue  # FY2019, Q3: a qualifier
        if re.fullmatch(r"[\d,.]+|\d+(?:st|nd|rd|th|s)", token, re.I):
            continue  # a number or an ordinal ("3rd", "1990s")
        found.append(token)
    return list(dict.fromkeys(found))


def numbers(text: str) -> list[str]:
    """Numbers that are not part of an identifier or a period."""
    taken = [m.span() for m in _IDENTIFIER.finditer(text)] + [m.span() for m in _PERIOD.finditer(text)]
    found = []
    for match in _NUMBER.finditer(text):
        if any(a <= match.start() and match.end() <= b for a, b in taken):
            continue
        found.append(match.group(0))
    return list(dict.fromkeys(found))


def names(text: str) -> list[str]:
    """Capitalised names, without a leading question word, auxiliary or article.

    A lone capitalised word that opens the text (or a sentence) is just the start of the
    sentence ("Summarise ...", "List ...") unless it is followed by another capitalised word.
    """
    found = []
    period_spans = [m.span() for m in _PERIOD.finditer(text)]
    for match in _NAME.finditer(text):
        if any(a <= match.start() < b for a, b in period_spans):
            continue  # "FY2018", "June 2023": a period
        parts = match.group(0).split()
        while parts and (parts[0].lower() in QUESTION_WORDS | STOPWORDS | _AUXILIARIES):
            parts.pop(0)
        while parts and parts[-1].lower() in STOPWORDS | {"&"}:
            parts.pop()
        if not parts:
            continue
        name = " ".join(parts).rstrip(".’'")
        sentence_start = match.start() == 0 or re.search(r"[.?!:;]\s*[\"“']?$", text[: match.start()])
        if sentence_start and len(parts) == 1 and name == match.group(0).rstrip(".’'"):
            continue
        if name.lower() in MONTHS or re.fullmatch(r"\d+", name):
            continue
        found.append(name + _noun_tail(text, match.end()))
    return list(dict.fromkeys(found))


_TAIL = re.compile(r"((?:\s+[a-z][a-z'’-]+){1,2}?)(?=\s+(?:\w+ed|\w+ing|is|are|was|were|has|have|had)\b|\s*[?.!,;:]|\s*$)")


def _noun_tail(text: str, end: int) -> str:
    """Lower-case nouns that finish a name's noun phrase ("the Harrow Point *light* automated"):
    up to two words, when what follows is a verb form or the end of the clause."""
    match = _TAIL.match(text, end)
    if not match:
        return ""
    tail = match.group(1).split()
    if any(w in STOPWORDS or w in QUESTION_WORDS or w.endswith(("ed", "ly", "ing")) for w in tail):
        return ""
    return " " + " ".join(tail)


def entities(text: str, limit: int = 12) -> dict[str, str]:
    """Names, identifiers and numbers in a passage → their kind ("name", "id", "number")."""
    found: dict[str, str] = {}
    for name in names(text):
        if len(name) >= 3:
            found.setdefault(name, "name")
    for identifier in identifiers(text):
        found.setdefault(identifier, "id")
    for number in numbers(text):
        if len(number.strip("+-$%")) >= 2:
            found.setdefault(number, "number")
    return dict(list(found.items())[:limit])
