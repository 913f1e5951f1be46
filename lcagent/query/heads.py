"""The head noun of a question: what "what/which ...", an imperative or a fragment asks for, and
the answer type it implies ("which *city*" → place, "capital expenditure *amount*" → number)."""

from __future__ import annotations

import re

from lcagent.query.lexicon import COMPOUND_TYPES, HEAD_NOUN_TYPES, STOPWORDS
from lcagent.query.rules import HEAD_OPENERS, HEAD_STOP

AUXILIARY_FIRST = re.compile(
    r"^(?:am|is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|may|might|must|shall|isn't|aren't|"
    r"wasn't|weren't|doesn't|didn't|hasn't|haven't)\b"
)


def head_noun(text: str) -> str | None:
    """The noun phrase a question asks for: after what/which (anywhere: "in what city"), after an
    imperative or a quantifier ("list every serial number"), or a fragment's opening phrase
    ("Operating margin in Q3 for ..."). A verb after the noun ends it ("which register *holds*")."""
    # "For the key obsidian-wren, list each uuid": a leading phrase before the question proper
    lead = re.match(r"(?i)(?:for|in|on|about|regarding|from|as for) [^,?]{1,60},\s*(?=[a-z])", text)
    if lead and re.match(r"(?i)(?:what|which|list|name|give|show|find|tell|get)\b", text[lead.end():]):
        text = text[lead.end():]
    lowered = text.lower()
    starts = []
    for opener in HEAD_OPENERS:
        match = re.match(opener, lowered)
        if match:
            starts.append(match.end())
    starts += [m.end() for m in re.finditer(r"\b(?:what|which)(?:\s+(?:one\s+)?of)?\s+(?:the\s+|these\s+|those\s+)?"
                                            r"(?!(?:is|are|was|were|do|does|did|has|have|had|can|will)\b)", lowered)]
    starts += [m.end() for m in re.finditer(r"(?<!^)\b(?:what|which)\s+(?:is|are|was|were)\s+(?:the\s+)?", lowered)]
    starts += [m.end() for m in re.finditer(r"\b(?:all|every|each|any)\s+(?:of\s+)?(?:the\s+)?(?=[a-z])", lowered)]
    if not re.match(r"(?:what|which|who|whom|whose|when|where|why|how)\b|" + AUXILIARY_FIRST.pattern[1:], lowered):
        starts.append(0)  # a fragment: "3M capex FY2019?", "Operating margin in Q3 for each of: ..."
    for start in starts:
        phrase = _noun_phrase(text[start:])
        if phrase:
            return phrase
    return None


_COLLECTIVE = frozenset("set list number all each any some series range group kind type sort full complete".split())
_DETERMINERS = frozenset("the a an this these those its their his her our your my".split())


def _noun_phrase(rest: str) -> str | None:
    words: list[str] = []
    for original in re.findall(r"[\w'’-]+|[^\w\s]", rest):
        token = original.lower()
        if original[:1].isupper() and not original.isupper() and any(typed(word) for word in words):
            break  # "the places Captain Idris Varga visits": a name after the noun is no part of it
        if not re.match(r"[\w'’-]", token) or token in {"me", "us"}:
            break
        if words and token in _DETERMINERS:
            break
        if token == "of" and words and words[-1] in _COLLECTIVE:
            words = []  # "the full set of ids" → ids
            continue
        # an -ed word ends the phrase once it has its noun ("prices quoted"); before, it is an
        # adjective ("diluted EPS", "deferred revenue")
        if not words and token.endswith("ed") and HEAD_STOP.match(token):
            continue  # "each associated uuid": a participle before the noun describes it
        if HEAD_STOP.match(token) or (words and token.endswith("ed") and token not in HEAD_NOUN_TYPES
                                      and any(typed(word) for word in words)):
            break
        if words and typed(words[-1]) and not typed(token) and token.endswith("s") and not token.endswith("ss"):
            break  # "which register holds": a verb after the noun
        if token in _DETERMINERS:
            continue
        words.append(token)
        if len(words) == 5:
            break
    while words and words[-1] in STOPWORDS:
        words.pop()
    return " ".join(words) or None


def typed(word: str) -> str | None:
    word = word.replace("’", "'").removesuffix("'s")
    for form in (word, word[:-1] if word.endswith("s") else word, word[:-2] if word.endswith("es") else word,
                 re.sub(r"ies$", "y", word)):
        if form in HEAD_NOUN_TYPES:
            return HEAD_NOUN_TYPES[form]
    return None


def singular_of(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]  # "addresses", "switches"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def type_of_head(head: str | None) -> str | None:
    """The rightmost typed word of the head phrase ("capital expenditure amount" → number), a
    two-word compound first ("serial number" → identifier)."""
    if not head:
        return None
    words = head.split()
    for first, second in reversed(list(zip(words, words[1:]))):
        compound = f"{first} {singular_of(second)}"
        if compound in COMPOUND_TYPES:
            return COMPOUND_TYPES[compound]
    for word in reversed(words):
        found = typed(word)
        if found:
            return found
    return None
