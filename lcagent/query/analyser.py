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
from lcagent.query.lexicon import (
    COMPOUND_TYPES, DOCUMENT_PARTS, HEAD_NOUN_TYPES, NUMBER_WORDS, ORGANIZATION_ENDINGS, PLACE_WORDS, QUESTION_WORDS,
    RELATIONAL_NOUNS, STOPWORDS,
)
from lcagent.query.plan import QuestionPlan
from lcagent.query.rules import (
    ANSWER_TYPE_RULES, BRIDGE_RELATIVE, HEAD_OPENERS, HEAD_STOP, INTENT_RULES, PREFACE, TRUTH_PREFACE,
)

_AUXILIARY_FIRST = re.compile(
    r"^(?:am|is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|may|might|must|shall|isn't|aren't|"
    r"wasn't|weren't|doesn't|didn't|hasn't|haven't)\b"
)
_COORDINATOR = (r"(?:\s*,\s*(?:and|&|as well as|plus|along with|together with)?\s*|\s+(?:and|&|as well as|plus|along with|"
                r"together with)\s+|\s*;\s*|\s*\n\s*(?:[-*•]|\d+[.)])?\s*|\s*/\s*)(?:(?:for|of|to|about|in|on|from)\s+)?")
_LIST_LEAD = re.compile(r":\s*(?:\n\s*)?(?:[-*•]\s*)?")
_K = re.compile(r"\b(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


class Analyser(Protocol):
    def analyse(self, question: str) -> QuestionPlan: ...


_CONTRACTIONS = {"what's": "what is", "who's": "who is", "where's": "where is", "when's": "when is", "how's": "how is",
                 "i'm": "I am", "it's": "it is", "that's": "that is", "there's": "there is", "which's": "which is"}
_CONTRACTION = re.compile(r"(?i)\b(?:what|who|where|when|how|i|it|that|there|which)['’](?:s|m)\b")


def normalise(question: str) -> tuple[str, bool]:
    """The question without wrappers ("Quick question:", "Could you tell me ..."), whitespace
    collapsed; and whether a truth wrapper ("Is it true that ...") made it a yes/no question."""
    text = _CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group(0).lower().replace("’", "'")], " ".join(question.split()))
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


_INSTRUCTION = re.compile(
    r"^(?:give|answer|provide|respond|use|base|rely|please|round|express|show|report|state|if|note|assume|"
    r"consider|ignore|only|do not|don't|keep|include|exclude|focus|look|refer|according|in your answer)\b", re.I)


def split_instructions(question: str) -> tuple[str, tuple[str, ...]]:
    """The question, and the instruction sentences that follow it ("Answer from the cash flow
    statement.", "Round to two decimals."), which say where to look or how to answer."""
    text = " ".join(question.split())
    end = text.find("?")
    if end < 0 or end == len(text) - 1:
        return text, ()
    rest = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text[end + 1:]) if s.strip()]
    if rest and all(_INSTRUCTION.match(sentence) for sentence in rest):
        return text[: end + 1], tuple(rest)
    return text, ()


class RuleAnalyser:
    """The English rule tables of ``lcagent.query.rules``."""

    def analyse(self, question: str) -> QuestionPlan:
        question, hints = split_instructions(question)
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
            whole = " ".join(question.split()).lower()
            for rule in INTENT_RULES:
                if rule.matches(lowered) or (whole != lowered and rule.matches(whole)):
                    intent = rule.value
                    reasons.append(f"rule {rule.name}")
                    break
        if intent is None and _is_bridge(text, lowered):
            intent = "bridge"
            reasons.append("asks about something reached through an entity it does not name")
        if intent is None and len(subjects) >= 2 and (_coordinated(text, subjects) or _repeated_question(lowered)):
            intent = "multi_lookup"
            reasons.append(f"the same question for {len(subjects)} subjects")
        head = head_noun(text)
        if intent is None and _asks_every_value(lowered, head):
            intent = "all_values"
            reasons.append("asks for every value of its subject")
        intent = intent or "lookup"
        answer_type = _answer_type(intent, text, head, options, subjects)
        k = _k(" ".join((lowered, *hints)).lower()) if intent == "top_k" else None
        if intent == "top_k":
            answer_type = "phrase" if k == 1 else "list"
            subjects = ()
        direction = None
        if intent == "count" and not subjects:
            subjects = tuple(extract.numbers(text)[:1])
        if intent == "chain":
            backward = re.search(r"\b(?:where|whence)\b.*\b(?:come|came|originate|derive)|\bcome[s]? from\b|\bcame from\b"
                                 r"|\b(?:get|gets|got|take|takes|took|receive|receives|derive|derives) (?:its|their) value from\b"
                                 r"|\boriginat|\boriginal(?:ly)?\b|\bsource\b|\broot\b|\bat the start\b|\bstart of (?:that|the) chain\b"
                                 r"|\bfeeds\b|\bbackwards?\b|\bvalue of\b|\b(?:value|number) (?:that )?ends? up in\b|\bstored in\b",
                                 lowered)
            asks_value = answer_type in ("number", "date") or re.search(r"\bwhat (?:value|number)\b|\bnumeric value\b"
                                                                         r"|\bwhat is the value\b", lowered)
            direction = "backward" if backward or asks_value else "forward"
            subjects = _chain_start(text, subjects)
            answer_type = "number" if asks_value and not backward else "identifier"
        if intent == "summary":
            subjects = _summarised_part(text)
        relation = _relation(text, subjects, qualifiers)
        unit = _unit(lowered) if answer_type == "number" else None
        return QuestionPlan(
            question=text, intent=intent, answer_type=answer_type, subjects=tuple(subjects), relation=relation,
            qualifiers=qualifiers, k=k, direction=direction, options=tuple(options),
            terms=tuple(extract.content_terms(text)), unit=unit, hints=hints, reasons=tuple(reasons), source="rules",
        )


def head_noun(text: str) -> str | None:
    """The noun phrase a question asks for: after what/which (anywhere: "in what city"), after an
    imperative or a quantifier ("list every serial number"), or a fragment's opening phrase
    ("Operating margin in Q3 for ..."). A verb after the noun ends it ("which register *holds*")."""
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
    if not re.match(r"(?:what|which|who|whom|whose|when|where|why|how)\b|" + _AUXILIARY_FIRST.pattern[1:], lowered):
        starts.append(0)  # a fragment: "3M capex FY2019?", "Operating margin in Q3 for each of: ..."
    for start in starts:
        phrase = _noun_phrase(lowered[start:])
        if phrase:
            return phrase
    return None


_COLLECTIVE = frozenset("set list number all each any some series range group kind type sort full complete".split())
_DETERMINERS = frozenset("the a an this these those its their his her our your my".split())


def _noun_phrase(rest: str) -> str | None:
    words: list[str] = []
    for token in re.findall(r"[\w'’-]+|[^\w\s]", rest):
        if not re.match(r"[\w'’-]", token) or token in {"me", "us"}:
            break
        if words and token in _DETERMINERS:
            break
        if token == "of" and words and words[-1] in _COLLECTIVE:
            words = []  # "the full set of ids" → ids
            continue
        if HEAD_STOP.match(token) or (words and token.endswith("ed") and token not in HEAD_NOUN_TYPES):
            break
        if words and _typed(words[-1]) and not _typed(token) and token.endswith("s") and not token.endswith("ss"):
            break  # "which register holds": a verb after the noun
        if token in _DETERMINERS:
            continue
        words.append(token)
        if len(words) == 5:
            break
    while words and words[-1] in STOPWORDS:
        words.pop()
    return " ".join(words) or None


def _typed(word: str) -> str | None:
    word = word.replace("’", "'").removesuffix("'s")
    for form in (word, word[:-1] if word.endswith("s") else word, word[:-2] if word.endswith("es") else word,
                 re.sub(r"ies$", "y", word)):
        if form in HEAD_NOUN_TYPES:
            return HEAD_NOUN_TYPES[form]
    return None


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _type_of_head(head: str | None) -> str | None:
    """The rightmost typed word of the head phrase ("capital expenditure amount" → number), a
    two-word compound first ("serial number" → identifier)."""
    if not head:
        return None
    words = head.split()
    for first, second in reversed(list(zip(words, words[1:]))):
        compound = f"{first} {_singular(second)}"
        if compound in COMPOUND_TYPES:
            return COMPOUND_TYPES[compound]
    for word in reversed(words):
        typed = _typed(word)
        if typed:
            return typed
    return None


def _answer_type(intent: str, text: str, head: str | None, options, subjects) -> str:
    lowered = text.lower()
    if intent == "yes_no":
        return "yes_no"
    if intent == "summary":
        return "sentence"
    if intent == "count":
        return "number"
    if intent == "choose":
        typed = {_option_type(option, text) for option in options}
        located = any(re.search(rf"\b(?:in|at|to|from|near) {re.escape(o)}\b", text) for o in options)
        if located and all(o[:1].isupper() for o in options):
            return "place"  # "sail to Lisbon or Porto": one option's preposition places them all
        if len(typed) == 1 and typed != {"phrase"}:
            return typed.pop()
        head_type = _type_of_head(head)
        if head_type:
            return head_type
        return "person" if re.match(r"(?:who|whom)\b", lowered) else "phrase"
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


def _option_type(option: str, question: str = "") -> str:
    words = option.split()
    if re.fullmatch(r"(?:the )?(?:1[5-9]\d\d|20\d\d)s?|\d{1,2} (?i:" + "|".join(extract.MONTHS) + r")\w*|(?i:"
                    + "|".join(extract.MONTHS) + r")\b.*|(?i:spring|summer|autumn|fall|winter)", option):
        return "date"
    if re.fullmatch(r"[-+$]?\d[\d,.]*%?(?: \w+)?", option):
        return "number"
    if words[-1].lower().strip(".") in ORGANIZATION_ENDINGS:
        return "organization"
    if words[0].lower() in PLACE_WORDS or words[-1].lower() in PLACE_WORDS:
        return "place"
    if re.search(r"\d", option) and re.search(r"[A-Za-z]", option) or re.search(r"[-_./]\w", option):
        return "identifier"
    return "phrase"


def _k(lowered: str) -> int | None:
    """How many items a top-k question wants: a numeral near "top"/"most"/"which", else 1 for a
    singular item ("the commonest word"), else None (the caller's default)."""
    numerals = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    near = re.search(rf"\b(?:top|the|which|what|list|name|give(?: me)?|find|are|most|these)\s+(\d+|{numerals})\b", lowered)
    if near is None:
        near = re.search(rf"\b(\d+|{numerals})\s+(?:\w+\s+)?(?:most|least|words?|terms?|entries|items?|tokens?|list entries)\b",
                         lowered)
    if near:
        token = near.group(1)
        return int(token) if token.isdigit() else NUMBER_WORDS.get(token)
    item = re.search(r"\b(?:which|what|the|most)\s+(?:\w+\s+){0,3}?(word|term|token|entry|item|code|hostname|username|line|name|"
                     r"address|value|number)\b(?!s)", lowered)
    return 1 if item else None


def _subjects(text: str) -> tuple[str, ...]:
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
    subjects = [value for _, _, value in sorted(kept)]
    if len(subjects) >= 2:
        # "auth-proxy, ledger-svc and mailer": a plain word in the last slot of a coordination
        last = subjects[-1]
        tail = re.match(r"\s*(?:,\s*)?(?:and|or|&|plus|as well as)\s+([a-z][\w-]*)\b(?!\s+(?:of|for)\b)",
                        text[text.find(last) + len(last):])
        if tail and tail.group(1) not in STOPWORDS | QUESTION_WORDS and len(tail.group(1)) > 2:
            subjects.append(tail.group(1))
    return tuple(subjects)


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


def _repeated_question(lowered: str) -> bool:
    """"Who chairs X, and who chairs Y?": the same question asked twice in one."""
    match = re.match(r"^(what|which|who|whom|when|where|how \w+)\s+(\w+)\b.*,?\s+and\s+\1\s+\2\b", lowered)
    return match is not None


def _asks_every_value(lowered: str, head: str | None) -> bool:
    if re.search(r"\b(?:all|every|each)\b(?! (?:of )?(?:the )?(?:following|options))|\blist (?:the|of)\b|\benumerate\b"
                 r"|\b(?:full|complete|whole|entire) (?:set|list|range)\b", lowered):
        return True
    # a plural typed head with one subject: "what are the values of X?", "which numbers are attached to X?"
    if not head:
        return False
    last = head.split()[-1]
    plural = last.endswith("s") and not last.endswith("ss") and _typed(last) is not None
    return plural and bool(re.match(r"^(?:what|which)\b", lowered))


def _is_bridge(text: str, lowered: str) -> bool:
    if BRIDGE_RELATIVE.matches(lowered):
        return True
    # "the director of Film X" when the question asks something about that person, not who they are
    if re.search(r"\bwho(?:ever|m?ever)\s+\w+", lowered):
        return True  # "the birth year of whoever directed Copper Sky"
    for match in re.finditer(r"\b[Tt]he ((?:\w+ ){0,2}?)(\w+) (?:of|in|at|for|from|behind) (?:the )?(?=[A-Z0-9\"“'])", text):
        role = match.group(2).lower()
        asks_for_the_role = re.match(rf"^(?:who|whom|what|which) (?:is|was|were|are) the (?:\w+ )?{role} (?:of|in|at|for|from|behind)\b",
                                     lowered)
        if role in RELATIONAL_NOUNS and not asks_for_the_role:
            return True  # "the CEO of Tarnwell Group studied where?": something about the CEO
    return False


def _options(text: str) -> tuple[str, ...]:
    """The choices of "..., A or B?", "Which came first: A or B?", "Between A and B, which ...?",
    "Option A: X. Option B: Y.", and of a yes/no form with parallel alternatives ("Is the notice
    period 30 days or 60 days?", "Was it built in the 1930s or the 1950s?")."""
    labelled = re.findall(r"\boption [A-Z1-9]\s*[:.)]\s*([^.?;]+)", text, re.I)
    if len(labelled) >= 2:
        return tuple(o.strip() for o in labelled)
    between = re.match(r"(?i)between (.+?) and (.+?),\s*(?:which|who|what)\b", text)
    if between:
        return (between.group(1).strip(), between.group(2).strip())
    body = text.rstrip(" ?.!")
    match = re.search(r"(?:,|:|\beither\b)\s*([^,:;?]+?(?:\s*,\s*[^,:;?]+?)*)\s*,?\s+or\s+([^,:;?]+?)$", body)
    if match:
        left = [p.strip(" \"'“”") for p in re.split(r"\s*,\s*", match.group(1))]
        right = match.group(2).strip(" \"'“”")
        choices = [p for p in (*left, right) if p]
        if 2 <= len(choices) <= 5 and all(len(c.split()) <= 6 and not _not_an_option(c) for c in choices):
            return tuple(_trim_option(c) for c in choices)
    if _AUXILIARY_FIRST.match(body.lower()):
        return _parallel_options(body)
    return ()


def _parallel_options(body: str) -> tuple[str, ...]:
    """"... 30 days or 60 days": the right alternative's length in words, mirrored on the left."""
    match = re.search(r"\s+or\s+((?:[\w'’.$%-]+\s*){1,4}?)(?:\s+(?:who|that|which|first|instead)\b.*)?$", body)
    if not match:
        return ()
    right = match.group(1).split()
    lead = ""
    if right and right[0].lower() in _OPTION_LEADS:
        lead, right = right[0].lower(), right[1:]
    if not right or right[0].lower() in {"not", "no", "neither"}:
        return ()
    before = body[: match.start()].split()
    left = before[-len(right):]
    # the left side must not reach back into the question's own words ("Is the meeting in May ...")
    if not left or any(w.lower() in _OPTION_LEADS | {"is", "are", "was", "were", "am"} for w in left):
        return ()
    return (" ".join(left), " ".join(right))


_OPTION_LEADS = frozenset("the a an in on at to from by".split())


def _not_an_option(choice: str) -> bool:
    """"directly or through other copies": manner, not alternatives to choose from."""
    first = choice.split()[0].lower()
    return first.endswith("ly") or first in {"through", "via", "by", "with", "without", "not"}


def _trim_option(option: str) -> str:
    words = option.split()
    while words and words[0].islower() and words[0] in STOPWORDS | QUESTION_WORDS:
        words.pop(0)
    return " ".join(words) or option


def _chain_start(text: str, subjects) -> tuple[str, ...]:
    """A chain starts from a value (a number the question gives) or a name."""
    values = extract.numbers(text)
    return tuple(values[:1]) or tuple(subjects[:1])


_GENERIC_PARTS = frozenset("document text report paper book novel article manual file it this that story film "
                           "essay chapter section thing whole content contents".split())


def _summarised_part(text: str) -> tuple[str, ...]:
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


def _unit(lowered: str) -> str | None:
    """"how many *steps* does ..." → steps; "(in USD millions)" → millions."""
    scale = re.search(r"\b(thousands|millions|billions|trillions|percent|percentage points|basis points)\b", lowered)
    if scale:
        return scale.group(1)
    counted = re.search(r"\bhow (?:many|much)\s+((?:\w+\s+){0,2}?)(\w+)\s+(?:do|does|did|is|are|was|were|has|have|had|will|can|would|could|should)\b", lowered)
    if counted and counted.group(2) not in STOPWORDS:
        return counted.group(2)
    counted = re.search(r"\bhow (?:many|much)\s+(\w+)", lowered)
    return counted.group(1) if counted and counted.group(1) not in STOPWORDS | QUESTION_WORDS else None


def _relation(text: str, subjects, qualifiers) -> str | None:
    covered = {t for s in (*subjects, *qualifiers) for t in extract.terms(s)}
    words = [t for t in extract.content_terms(text) if t not in covered]
    return " ".join(words) or None


_DEFAULT = RuleAnalyser()


def analyse(question: str, analyser: Analyser | None = None) -> QuestionPlan:
    """The question's plan from ``analyser`` (default: the English rules)."""
    return (analyser or _DEFAULT).analyse(question)
