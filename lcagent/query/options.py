"""The options a question offers ("..., A or B?", "Between A and B, which ...?", "Option A: X.")
and their type (dates, numbers, organisations, places, identifiers)."""

from __future__ import annotations

import re

from lcagent.query import extract
from lcagent.query.heads import AUXILIARY_FIRST
from lcagent.query.lexicon import COMPARATIVES, NUMBER_WORDS, ORGANIZATION_ENDINGS, PLACE_WORDS, QUESTION_WORDS, STOPWORDS


def options_of(text: str) -> tuple[str, ...]:
    """The choices of "..., A or B?", "Which came first: A or B?", "Between A and B, which ...?",
    "Option A: X. Option B: Y.", and of a yes/no form with parallel alternatives ("Is the notice
    period 30 days or 60 days?", "Was it built in the 1930s or the 1950s?")."""
    labelled = re.findall(r"\boption [A-Z1-9]\s*[:.)]\s*([^.?;]+)", text, re.I)
    if len(labelled) >= 2:
        return tuple(o.strip() for o in labelled)
    between = re.match(r"(?i)(?:between|of) (.+?) and (.+?),\s*(?:which|who|what)\b", text) \
        or re.match(r"(?:[Ww]hich|[Ww]ho) (?:one )?of ([A-Z][\w'.-]*(?: [A-Z][\w'.-]*)*) and ([A-Z][\w'.-]*(?: [A-Z][\w'.-]*)*)"
                    r" (?:is|was|were|are|has|had|did|does|came|died|lived)\b", text)
    if between:
        return (between.group(1).strip(), between.group(2).strip())
    for pattern in _NAMED_CHOICES:
        named = pattern.search(text)
        if named:
            return tuple(item for item in re.split(r",? (?:and|or) |, ", named.group(1)) if item)
    numbered = re.search(r"\?\s*1[.)]\s*(.+?)\s+2[.)]\s*(.+?)(?:\s+3[.)]\s*(.+?))?(?:\s+4[.)]\s*(.+?))?\s*$", text)
    if numbered:  # "...? 1. seven 2. six 3. five 4. four": a multiple-choice question
        return tuple(option.strip(" .;") for option in numbered.groups() if option)
    body = text.rstrip(" ?.!")
    match = re.search(r"(?:,|:|\beither\b)\s*([^,:;?]+?(?:\s*,\s*[^,:;?]+?)*)\s*,?\s+or\s+([^,:;?]+?)$", body)
    if match:
        left = [p.strip(" \"'“”") for p in re.split(r"\s*,\s*", match.group(1))]
        right = match.group(2).strip(" \"'“”")
        choices = [p for p in (*left, right) if p]
        if 2 <= len(choices) <= 5 and all(len(c.split()) <= 6 and not _not_an_option(c) for c in choices):
            return tuple(_trim_option(c) for c in choices)
    if AUXILIARY_FIRST.match(body.lower()):
        return _parallel_options(body)
    return ()


_NAME = r"[A-Z][\w'’.&-]*(?: (?:de |van |von |la |of )?[A-Z0-9][\w'’.&-]*)*"
_COMPARATIVE = "|".join(sorted(COMPARATIVES, key=len, reverse=True))
# Options named without a comma before them: "Did Marco or Lucia inherit ...?", "Is it Delaware or New
# York law that ...?", "Which of A, B and C wrote ...?", "who is younger A or B?"
_NAMED_CHOICES = (
    re.compile(rf"(?:^|,\s*)(?i:did|does|do|was|were|is|has|had|will|can|could) ({_NAME} or {_NAME}) [a-z]"),
    re.compile(rf"^(?i:is|was) it ({_NAME} or {_NAME})(?: [a-z]+)? (?:that|who|which)\b"),
    re.compile(rf"^(?i:which|who)(?: one)? of ((?:{_NAME}, )*{_NAME},? (?:and|or) {_NAME}) [a-z]"),
    re.compile(rf"\b(?i:{_COMPARATIVE}) ({_NAME} or {_NAME})\s*[?.!]*$"),
)


def options_act(text: str) -> bool:
    """Do the options stand where the one who acts does ("Did Marco or Lucia inherit ...?", "Which
    of A, B and C wrote ...?")? Names there are people unless something says otherwise."""
    return bool(_NAMED_CHOICES[0].search(text) or _NAMED_CHOICES[2].search(text))


def _parallel_options(body: str) -> tuple[str, ...]:
    """"... 30 days or 60 days": the right alternative's length in words, mirrored on the left."""
    match = re.search(r"\s+or\s+((?:[\w'’.$%-]+\s*){1,4}?)(?:\s+(?:who|that|which|first|instead)\b.*)?$", body)
    if not match:
        return ()
    right = match.group(1).split()
    if right and right[0].lower() in _OPTION_LEADS:
        right = right[1:]  # "in Australia": the option is "Australia"
    if not right or right[0].lower() in {"not", "no", "neither"}:
        return ()
    before = body[: match.start()].split()
    left = before[-len(right):]
    if "any" in (w.lower() for w in before[-len(right) - 1:]):
        return ()  # "did he receive any awards or recognition": one thing asked, not a choice
    # the left side must not reach back into the question's own words ("Is the meeting in May ...")
    if not left or any(w.lower() in _OPTION_LEADS | {"is", "are", "was", "were", "am"} for w in left):
        return ()
    return (" ".join(left), " ".join(right))


_OPTION_LEADS = frozenset("the a an in on at to from by".split())


def _not_an_option(choice: str) -> bool:
    """"directly or through other copies": manner, not alternatives to choose from."""
    first = choice.split()[0].lower()
    return first.endswith("ly") or first in {"through", "via", "by", "with", "without", "not", "whether"}


def _trim_option(option: str) -> str:
    words = option.split()
    while words and words[0].islower() and words[0] in STOPWORDS | QUESTION_WORDS:
        words.pop(0)
    return " ".join(words) or option


_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"


def option_type(option: str, question: str = "") -> str:
    words = option.split()
    if re.fullmatch(r"(?:the )?(?:1[5-9]\d\d|20\d\d)s?|\d{1,2} (?i:" + "|".join(extract.MONTHS) + r")\w*|(?i:"
                    + "|".join(extract.MONTHS) + r")\b.*|(?i:spring|summer|autumn|fall|winter|" + _WEEKDAYS + r")", option):
        return "date"
    if re.fullmatch(r"[-+$]?\d[\d,.]*%?(?: \w+)?", option) or option.lower() in NUMBER_WORDS:
        return "number"
    if words[-1].lower().strip(".") in ORGANIZATION_ENDINGS:
        return "organization"
    if words[0].lower() in PLACE_WORDS or words[-1].lower() in PLACE_WORDS:
        return "place"
    if re.search(r"\d", option) and re.search(r"[A-Za-z]", option) or re.search(r"[-_./]\w", option):
        return "identifier"
    return "phrase"
