"""Comparisons: "Who died first, A or B?", "Which was founded earlier, X or Y?", "Is A taller than B?".

Each option's value is looked up on its own, from sentences naming it: the date of the event the
question names (born, died, founded, released; for "older"/"younger" the first date given, which
is when a person or a thing began), or the amount beside the noun asked about. The values are
then compared in code; the model never judges which of two dates is earlier. When an option has
no value the operator gives up and the caller lets the model choose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidenceItem, EvidencePool
from lcagent.agents.operators.lookup import about_entity
from lcagent.agents.reader import Reading, cite
from lcagent.agents.seeding import observe
from lcagent.query import extract
from lcagent.query.lexicon import AGE_WORDS, COMPARATIVES, NATIONALITIES, NUMBER_WORDS
from lcagent.query.plan import QuestionPlan

_YEAR = re.compile(r"\b(1[0-9]\d\d|20\d\d)\b")
_LIFESPAN = re.compile(r"\(([^()]*?\b(?:1[0-9]\d\d|20\d\d)\b[^()]*?)\s*[–—-]+\s*([^()]*?\b(?:1[0-9]\d\d|20\d\d)\b[^()]*?)\)")
_BEGIN_EVENTS = ("born", "found", "establish", "form", "creat", "built", "launch", "open", "incorporat", "start")
_END_EVENTS = ("die", "death", "dead", "kill", "close", "dissolv", "defunct", "end")
_AMOUNT = re.compile(r"(?<![\w.])\d(?:[\d,]*\d)?(?:\.\d+)?(?:(?=(?:k|m|b|bn|mn)\b)|(?![\w]))|\b(?:" + "|".join(
    sorted((w for w in NUMBER_WORDS if " " not in w), key=len, reverse=True)) + r")\b", re.I)

_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
           "trillion": 1e12}
_SCALE = re.compile(r"\s*(thousand|million|billion|trillion|bn|mn)\b|(k|m|b)\b", re.I)
_CURRENCY = "$€£¥"


@dataclass(frozen=True)
class Value:
    option: str
    key: tuple[float, ...]  # sortable: (year, month, day) or (amount,)
    shown: str
    item: EvidenceItem


def comparison(plan: QuestionPlan) -> tuple[str, str] | None:
    """("time" | "amount", "min" | "max") when the question compares its options by a value."""
    for word in re.findall(r"[a-z]+", plan.question.lower()):
        if word in COMPARATIVES:
            return COMPARATIVES[word]
    return None


def compare(plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading | None:
    """The option whose value wins the comparison, citing each option's sentence; None when any
    option's value cannot be found (or the question compares nothing)."""
    how = comparison(plan)
    options = list(plan.options) or list(plan.subjects)
    if how is None or len(options) < 2:
        return None
    if plan.intent == "yes_no" and not re.search(r"\b(?:than|before)\b", plan.question, re.I):
        return None  # "Was A the first company in B?" compares nothing
    measure, wins = how
    values: list[Value] = []
    for option in options:
        value = _value(option, _about(pool, option, context), plan, measure)
        if value is None:
            context.trace.note("compare", {"option": option, "value": None})
            return None
        values.append(value)
    context.trace.note("compare", [{"option": v.option, "value": v.shown} for v in values])
    ordered = sorted(values, key=lambda v: v.key)
    best = ordered[0] if wins == "min" else ordered[-1]
    if sum(1 for v in values if v.key == best.key) > 1:
        return None  # a tie decides nothing
    note = "; ".join(f"{v.option}: {v.shown}" for v in values)
    if plan.intent == "yes_no":
        return Reading("yes" if best.option == options[0] else "no", [cite(v.item) for v in values], note=note)
    return Reading(best.option, [cite(v.item) for v in values], note=note)


def shared(plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading | None:
    """"Are A and B both musicians?": "yes" when sentences naming each subject say the rest of
    the question of it (each cited); None otherwise (the model decides from the evidence)."""
    subjects = list(plan.subjects)
    if plan.intent != "yes_no" or len(subjects) < 2 or comparison(plan) is not None:
        return None
    predicate = {extract.stem(t) for t in plan.terms if not _in_options(t, plan)}
    if not predicate:
        return None
    cited: list[EvidenceItem] = []
    for subject in subjects:
        saying = next((item for item in _about(pool, subject, context).ranked(20)
                       if predicate <= {extract.stem(t) for t in extract.terms(f"{item.before} {item.text}")}), None)
        if saying is None:
            context.trace.note("shared", {"subject": subject, "says": None})
            return None
        cited.append(saying)
    return Reading("yes", [cite(item) for item in cited], note="each subject's sentence says it")


_SAME = re.compile(r"\b(?:the )?same (nationality|country|citizenship)\b|\bboth (?:from|of) the same country\b", re.I)


def same_nationality(plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading | None:
    """"Were A and B of the same nationality?": the nationality each subject's own sentences give
    first ("an American director"), compared; None when either gives none."""
    if plan.intent != "yes_no" or len(plan.subjects) != 2 or not _SAME.search(plan.question):
        return None
    found: list[tuple[str, EvidenceItem]] = []
    for subject in plan.subjects:
        focused = _about(pool, subject, context)
        # the sentence that opens the subject's own paragraph says what it is; take the earliest naming it
        ordered = sorted(focused.items.values(), key=lambda item: (item.doc_id, item.char_start))
        # ("French-born American": born in France, American)
        said = next(((m.group(0), item) for item in ordered for m in re.finditer(r"\b[A-Z][a-z]+\b(?!-born)", item.text)
                     if m.group(0).lower() in NATIONALITIES), None)
        if said is None:
            context.trace.note("same", {"subject": subject, "nationality": None})
            return None
        found.append((said[0].lower(), said[1]))
    context.trace.note("same", [{"subject": s, "nationality": n} for s, (n, _) in zip(plan.subjects, found)])
    answer = "yes" if found[0][0] == found[1][0] else "no"
    return Reading(answer, [cite(item) for _, item in found],
                   note="; ".join(f"{s}: {n}" for s, (n, _) in zip(plan.subjects, found)))


def _about(pool: EvidencePool, subject: str, context: AgentContext) -> EvidencePool:
    """The sentences about ``subject``, grepping for it first when the pool holds none."""
    focused = about_entity(pool, subject)
    if not focused.items:
        context.progress(Progress("grep", subject))
        observe(context.use_tool("grep", {"pattern": subject, "literal": True}), pool, "grep")
        focused = about_entity(pool, subject)
    return focused


def _value(option: str, focused: EvidencePool, plan: QuestionPlan, measure: str) -> Value | None:
    event = [extract.stem(t) for t in plan.terms if t not in COMPARATIVES and not _in_options(t, plan)]
    for item in focused.ranked(12):
        found = _time(item, event, plan) if measure == "time" else _amount(item, event)
        if found is not None:
            return Value(option, found[0], found[1], item)
    return None


def _in_options(term: str, plan: QuestionPlan) -> bool:
    return any(term in extract.terms(o) for o in plan.options or plan.subjects)


def _time(item: EvidenceItem, event: list[str], plan: QuestionPlan) -> tuple[tuple[float, ...], str] | None:
    text = item.text
    ends = any(e.startswith(_END_EVENTS) for e in event)
    if AGE_WORDS & set(re.findall(r"[a-z]+", plan.question.lower())):
        event = list(_BEGIN_EVENTS)  # "older": born, founded, formed, ... first
    lifespan = _LIFESPAN.search(text)
    if lifespan:  # "(May 7, 1890 – February 20, 1959)": a beginning and an end
        side = lifespan.group(2) if ends else lifespan.group(1)
        return _date(side)
    places = _places(text, event)
    if event and not places:
        return None  # a date in a sentence that does not name the event is some other date
    dates = [(m.start(), m) for m in _YEAR.finditer(text)]
    if not dates:
        return None
    if places:
        dates.sort(key=lambda d: min(abs(d[0] - p) for p in places))
    start = dates[0][0]
    return _date(text[max(0, start - 20): start + 4])


def _date(text: str) -> tuple[tuple[float, ...], str] | None:
    """The first written-out date in ``text`` as (year, month, day), else its last year alone."""
    dates = extract.calendar_dates(text)
    if dates:
        return (float(dates[0].year), float(dates[0].month), float(dates[0].day)), dates[0].shown
    years = _YEAR.findall(text)
    return ((float(years[-1]),), years[-1]) if years else None


def _places(text: str, event: list[str]) -> list[int]:
    """Where a word of the question's event (a stem: "die", "found") starts in ``text``."""
    return [m.start() for t in event for m in re.finditer(r"\b" + re.escape(t), text, re.I)]


def _amount(item: EvidenceItem, event: list[str]) -> tuple[tuple[float, ...], str] | None:
    """The amount nearest a word of the question ("five members", "a height of 310 m")."""
    text = item.text
    places = _places(text, event)
    if not places:
        return None
    amounts = [m for m in _AMOUNT.finditer(text) if not _YEAR.fullmatch(m.group(0))]
    if not amounts:
        return None
    best = min(amounts, key=lambda m: min(abs(m.start() - p) for p in places))
    word = best.group(0).lower()
    value = NUMBER_WORDS.get(word)
    if value is None:
        value = float(word.replace(",", ""))
    scale = _SCALE.match(text[best.end():])  # "$5.2 billion" against "$900 million"
    if scale and scale.group(2) and not text[:best.start()].rstrip().endswith(tuple(_CURRENCY)):
        scale = None  # a letter is a scale only after a currency ("$5m"); "310 m" is metres
    shown = best.group(0) + (scale.group(0) if scale else "")
    return (float(value) * (_SCALES[(scale.group(1) or scale.group(2)).lower()] if scale else 1.0),), shown.strip()
