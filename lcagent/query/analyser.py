"""Question → ``QuestionPlan``: the rule-based English analyser.

It reads grammar-level features (wrappers, auxiliary-first, wh-word and head noun, coordinated
subjects, offered options, relative clauses, numerals) and applies the rule tables of
``lcagent.query.rules`` in order. The model-backed analyser (``model_analyser``) fills the same
plan and is checked against this one's evidence of the question.
"""

from __future__ import annotations

import re
from typing import Protocol

from lcagent.query import extract
from lcagent.query.lexicon import HEAD_NOUN_TYPES, NUMBER_WORDS, PERSON_ROLES, QUESTION_WORDS, STOPWORDS
from lcagent.query.plan import QuestionPlan
from lcagent.query.rules import (
    ANSWER_TYPE_RULES, BRIDGE_RELATIVE, HEAD_OPENERS, HEAD_STOP, INTENT_RULES, PREFACE, TRUTH_PREFACE,
)

_AUXILIARY_FIRST = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|may|might|must|shall|isn't|aren't|"
    r"wasn't|weren't|doesn't|didn't|hasn't|haven't)\b"
)
_COORDINATOR = r"(?:\s*,\s*(?:and|&|as well as|plus|along with|together with)?\s*|\s+(?:and|&|as well as|plus|along with|together with)\s+|\s*;\s*|\s*\n\s*(?:[-*•]|\d+[.)])?\s*|\s*/\s*)"
_LIST_LEAD = re.compile(r":\s*(?:\n\s*)?(?:[-*•]\s*)?")
_K = re.compile(r"\b(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


class Analyser(Protocol):
    def analyse(self, question: str) -> QuestionPlan: ...


def normalise(question: str) -> tuple[str, bool]:
    """The question without wrappers ("Quick question:", "Could you tell me ..."), whitespace
    collapsed; and whether a truth wrapper ("Is it true that ...") made it a yes/no question."""
    text = " ".join(question.split())
    truth = False
    for _ in range(4):
        lowered = text.lower()
        match = re.match(PREFACE.pattern, lowered)
        truth_match = re.match(TRUTH_PREFACE.pattern, lowered)
        if truth_match:
            text, truth = text[truth_match.end():], True
        elif match and match.end() < len(text) - 3:
            text = text[match.end():]
        else:
            break
    return text.strip(), truth


class RuleAnalyser:
    """The English rule tables of ``lcagent.query.rules``."""

    def analyse(self, question: str) -> QuestionPlan:
        text, truth = normalise(question)
        lowered = text.lower()
        reasons: list[str] = []
        options = _options(text)
        subjects = _subjects(text)
        qualifiers = tuple(extract.periods(text))
        intent = None
        if options:
            intent = "choose"
            reasons.append(f"offers options: {' / '.join(options)}")
            subjects = options
        elif truth or _AUXILIARY_FIRST.match(lowered):
            intent = "yes_no"
            reasons.append("asks whether something is so")
        if intent is None:
            for rule in INTENT_RULES:
                if rule.matches(lowered):
                    intent = rule.value
                    reasons.append(f"rule {rule.name}")
                    break
        if intent is None and _is_bridge(text, lowered):
            intent = "bridge"
            reasons.append("asks about something reached through an entity it does not name")
        if intent is None and len(subjects) >= 2 and _coordinated(text, subjects):
            intent = "multi_lookup"
            reasons.append(f"the same question for {len(subjects)} subjects")
        head = head_noun(text)
        if intent is None and _asks_every_value(lowered, head):
            intent = "all_values"
            reasons.append("asks for every value of its subject")
        intent = intent or "lookup"
        answer_type = _answer_type(intent, lowered, head, options, subjects)
        k = _k(lowered) if intent == "top_k" else None
        if intent == "top_k":
            answer_type = "phrase" if k == 1 else "list"
            subjects = ()
        direction = None
        if intent == "chain":
            direction = "backward" if answer_type in ("number", "date") or re.search(r"\bwhere does\b|\bcome from\b|\bcame from\b", lowered) else "forward"
            subjects = _chain_start(text, subjects)
            if direction == "forward" and answer_type not in ("identifier", "person", "place", "organization"):
                answer_type = "identifier"
        if intent == "summary":
            subjects = tuple(s for s in subjects if re.match(r"(?i)(chapter|section|part|appendix)\b", s))
        relation = _relation(text, subjects, qualifiers)
        return QuestionPlan(
            question=text, intent=intent, answer_type=answer_type, subjects=tuple(subjects), relation=relation,
            qualifiers=qualifiers, k=k, direction=direction, options=tuple(options),
            terms=tuple(extract.content_terms(text)), reasons=tuple(reasons), source="rules",
        )


def head_noun(text: str) -> str | None:
    """The noun phrase a what/which question or an imperative asks for ("special magic number")."""
    lowered = text.lower()
    for opener in HEAD_OPENERS:
        match = re.match(opener, lowered)
        if not match:
            continue
        words = []
        for token in re.findall(r"[\w'’-]+|[^\w\s]", lowered[match.end():]):
            if not re.match(r"[\w'’-]", token) or HEAD_STOP.match(token) or token in {"me", "us"}:
                break
            words.append(token)
            if len(words) == 5:
                break
        while words and words[-1] in STOPWORDS:
            words.pop()
        if words:
            return " ".join(words)
    return None


def _type_of_head(head: str | None) -> str | None:
    if not head:
        return None
    last = head.split()[-1].replace("’", "'").removesuffix("'s")
    for form in (last, last.rstrip("s"), last[:-2] if last.endswith("es") else last, re.sub(r"ies$", "y", last)):
        if form in HEAD_NOUN_TYPES:
            return HEAD_NOUN_TYPES[form]
    return None


def _answer_type(intent: str, lowered: str, head: str | None, options, subjects) -> str:
    if intent == "yes_no":
        return "yes_no"
    if intent == "summary":
        return "sentence"
    if intent == "count":
        return "number"
    if intent == "choose":
        typed = {_option_type(option) for option in options}
        return typed.pop() if len(typed) == 1 else "phrase"
    for rule in ANSWER_TYPE_RULES:
        if rule.matches(lowered):
            if rule.value in ("person", "place") and _type_of_head(head) not in (None, rule.value):
                return _type_of_head(head)  # "who audited ..." is typed by the question word
            return rule.value
    typed = _type_of_head(head)
    if typed:
        return typed
    if intent == "all_values" and head:
        return "phrase"
    return "phrase"


def _option_type(option: str) -> str:
    if re.fullmatch(r"(?:1[5-9]\d\d|20\d\d)|(?i:" + "|".join(extract.MONTHS) + r")\b.*", option):
        return "date"
    if re.fullmatch(r"[-+$]?\d[\d,.]*%?", option):
        return "number"
    if extract.names(" x " + option):
        return "person" if len(option.split()) >= 2 else "phrase"
    return "phrase"


def _k(lowered: str) -> int | None:
    numerals = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    near = re.search(rf"(?:\b(?:top|the|which|what|list|name|give(?: me)?|find|are|most)\s+)(\d+|{numerals})\s+(?:\w+\s+){0,2}?"
                     r"(?:most|least|words?|terms?|entries|items?|tokens?)\b", lowered)
    token = near.group(1) if near else None
    if token is None:
        match = _K.search(lowered)
        token = match.group(1) if match else None
    if token is None:
        return 1 if re.search(r"\b(?:the|a) (?:single )?(?:most|least)\b|\bword\b(?! list)", lowered) else None
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token, 1 if token in {"the", "which", "what"} else None)


def _subjects(text: str) -> tuple[str, ...]:
    """Quoted phrases, identifiers and names, in the order the question gives them."""
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []

    def add(value: str, start: int) -> None:
        end = start + len(value)
        if any(a <= start < b or a < end <= b for a, b in spans):
            return
        spans.append((start, end))
        found.append((start, value))

    for phrase in extract.quoted(text):
        add(phrase, text.find(phrase))
    for identifier in extract.identifiers(text):
        add(identifier, _find_word(text, identifier))
    for name in extract.names(text):
        if name.lower() in QUESTION_WORDS:
            continue
        add(name, text.find(name))
    found.sort()
    return tuple(value for _, value in found)


def _find_word(text: str, word: str) -> int:
    match = re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text)
    return match.start() if match else text.find(word)


def _coordinated(text: str, subjects) -> bool:
    """Are two or more subjects joined by a coordination ("A, B and C", "A as well as B", a list)?"""
    positions = sorted((text.find(s), s) for s in subjects if text.find(s) >= 0)
    for (start_a, a), (start_b, _) in zip(positions, positions[1:]):
        between = text[start_a + len(a): start_b]
        between = re.sub(r"^[\"'”’)\]]+|[\"'“‘(\[]+$", "", between)
        if re.fullmatch(_COORDINATOR, between, re.I) or re.fullmatch(r"\s*(?:,\s*)?(?:both\s+)?", between):
            return True
    return bool(_LIST_LEAD.search(text) and len(subjects) >= 2)


def _asks_every_value(lowered: str, head: str | None) -> bool:
    if re.search(r"\b(?:all|every|each)\b(?! (?:of )?(?:the )?(?:following|options))|\blist (?:the|of)\b|\benumerate\b", lowered):
        return True
    # a plural head with one subject: "what are the values of X?", "the numbers for X"
    return bool(head and re.match(r"^(?:what|which) (?:are|were)\b", lowered) and head.split()[-1].endswith("s")
                and not head.split()[-1].endswith("ss"))


def _is_bridge(text: str, lowered: str) -> bool:
    if BRIDGE_RELATIVE.matches(lowered):
        return True
    # "the director of Film X" when the question asks something about that person, not who they are
    for match in re.finditer(r"\bthe ((?:\w+ ){0,2}?)(\w+) of (?:the )?(?=[A-Z\"“'])", text):
        role = match.group(2).lower()
        if role in PERSON_ROLES and not re.match(rf"^(?:who|whom) (?:is|was|were|are) the (?:\w+ ){{0,2}}?{role}\b", lowered):
            return True
    return False


def _options(text: str) -> tuple[str, ...]:
    """The choices of "..., A or B?", "Which came first: A or B?", "Is it in May or June?"."""
    body = text.rstrip(" ?.!")
    match = re.search(r"(?:,|:|\bbetween\b|\beither\b)\s*([^,:;?]+?(?:\s*,\s*[^,:;?]+?)*)\s*,?\s+or\s+([^,:;?]+?)$", body)
    if match:
        left = [p.strip(" \"'“”") for p in re.split(r"\s*,\s*", match.group(1))]
        right = match.group(2).strip(" \"'“”")
        choices = [p for p in (*left, right) if p]
        if 2 <= len(choices) <= 5 and all(len(c.split()) <= 6 for c in choices):
            return tuple(_trim_option(c) for c in choices)
    if _AUXILIARY_FIRST.match(body.lower()):
        # "Is the meeting in May or June?", "Was it Smith or Jones who signed?"
        short = re.search(r"(\b[\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*)\s+or\s+([\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*)(?:\s+(?:who|that|which)\b.*)?$", body)
        if short and short.group(1).lower() not in STOPWORDS and short.group(2).lower() not in {"not", "no"}:
            return (_trim_option(short.group(1)), _trim_option(short.group(2)))
    return ()


def _trim_option(option: str) -> str:
    words = option.split()
    while words and words[0].lower() in STOPWORDS | QUESTION_WORDS:
        words.pop(0)
    return " ".join(words) or option


def _chain_start(text: str, subjects) -> tuple[str, ...]:
    """A chain starts from a value (a number the question gives) or a name."""
    values = [n for n in extract.numbers(text) if len(n.strip("+-$%,.")) >= 2]
    return tuple(values[:1]) or tuple(subjects[:1])


def _relation(text: str, subjects, qualifiers) -> str | None:
    covered = {t for s in (*subjects, *qualifiers) for t in extract.terms(s)}
    words = [t for t in extract.content_terms(text) if t not in covered]
    return " ".join(words) or None


_DEFAULT = RuleAnalyser()


def analyse(question: str, analyser: Analyser | None = None) -> QuestionPlan:
    """The question's plan from ``analyser`` (default: the English rules)."""
    return (analyser or _DEFAULT).analyse(question)
