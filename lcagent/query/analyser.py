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
from lcagent.query.heads import AUXILIARY_FIRST, head_noun, singular_of, type_of_head, typed
from lcagent.query.lexicon import NUMBER_WORDS, QUESTION_WORDS, RELATIONAL_NOUNS, STOPWORDS, VALUE_NOUNS
from lcagent.query.options import option_type, options_act, options_of
from lcagent.query.plan import QuestionPlan
from lcagent.query.rules import ANSWER_TYPE_RULES, BRIDGE_RELATIVE, INTENT_RULES
from lcagent.query.subjects import chain_start, coordinated, subjects_of, summarised_part
from lcagent.query.wrappers import normalise, split_instructions, topic_first

_K = re.compile(r"\b(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


class Analyser(Protocol):
    def analyse(self, question: str) -> QuestionPlan: ...


class RuleAnalyser:
    """The English rule tables of ``lcagent.query.rules``."""

    def analyse(self, question: str, *, intent: str | None = None, reason: str = "") -> QuestionPlan:
        """The plan of ``question``; with ``intent``, that intent (for ``reason``) instead of the
        rules' own, and every other field as the rules fill it for that intent."""
        return self._analyse(question, intent, reason)[0]

    def analyse_with_default(self, question: str) -> tuple[QuestionPlan, bool]:
        """The plan, and whether no rule chose its intent (``lookup`` by default)."""
        return self._analyse(question, None, "")

    def _analyse(self, question: str, forced: str | None, forced_reason: str) -> tuple[QuestionPlan, bool]:
        question, hints = split_instructions(question)
        text, truth = normalise(question)
        text = topic_first(text)
        lowered = text.lower()
        reasons: list[str] = []
        options = options_of(text)
        subjects = subjects_of(text)
        qualifiers = tuple(extract.periods(text))
        intent = forced
        if forced:
            reasons.append(forced_reason or f"intent {forced} given")
            if forced == "choose" and options:
                subjects = options
        elif options:
            intent = "choose"
            reasons.append(f"offers options: {' / '.join(options)}")
            subjects = options
        elif (truth or AUXILIARY_FIRST.match(lowered) or re.search(r"\bor not\s*[?.!]*$", lowered)) \
                and not re.search(r"[?.!]\s+(?:and )?(?:what|which|where|when|who)\b", lowered):
            # (not "Did they write down a number for X? What is it?": the question after asks what)
            intent = "yes_no"
            reasons.append("asks whether something is so")
        holders_asked = intent is None and _holders_of_value(lowered)
        if holders_asked:
            intent = "chain"
            reasons.append("gives a value and asks which names hold it")
        if intent is None:
            whole = " ".join(question.split()).lower()
            keyed = any(re.fullmatch(r"[a-z]+(?:[-_][a-z0-9]+)+", s) for s in subjects) and re.search(
                r"\b(?:" + "|".join(VALUE_NOUNS) + r")s?\b", lowered) is not None
            for rule in INTENT_RULES:
                if rule.value == "summary" and keyed:
                    continue  # "I'm putting together a summary and need the number for amber-fox"
                if rule.matches(lowered) or (whole != lowered and rule.matches(whole)):
                    intent = rule.value
                    reasons.append(f"rule {rule.name}")
                    break
        head = head_noun(text)
        if intent is None and _is_bridge(text, _unrestricted(lowered, head), head):
            intent = "bridge"
            reasons.append("asks about something reached through an entity it does not name")
        if intent is None and len(subjects) >= 2 and (coordinated(text, _outside_clause(lowered, subjects))
                                                      or _repeated_question(lowered)):
            intent = "multi_lookup"
            reasons.append(f"the same question for {len(subjects)} subjects")
        if intent is None and _asks_every_value(lowered, head):
            intent = "all_values"
            reasons.append("asks for every value of its subject")
        defaulted = intent is None
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
                                 r"|\bfeeds\b|\bbackwards?\b|\b(?:value|number) (?:that )?ends? up in\b|\bstored in\b"
                                 r"|\bback from\b|\bstarted from\b|\bits value from\b",
                                 lowered)
            asks_value = answer_type in ("number", "date") or re.search(r"\bwhat (?:value|number)\b|\bnumeric value\b"
                                                                         r"|\bwhat is the value\b|\bto the (?:number|value) it\b", lowered)
            # a value asked of a name is found by walking back to where it was first assigned
            direction = "backward" if (backward or asks_value) and not holders_asked else "forward"
            subjects = chain_start(text, subjects)
            answer_type = "number" if direction == "backward" and asks_value else "identifier"
        if intent == "summary":
            subjects = summarised_part(text)
        relation = _relation(text, subjects, qualifiers)
        unit = _unit(lowered) if answer_type == "number" else None
        return QuestionPlan(
            question=text, intent=intent, answer_type=answer_type, subjects=tuple(subjects), relation=relation,
            qualifiers=qualifiers, k=k, direction=direction, options=tuple(options) if intent == "choose" else (),
            terms=tuple(extract.content_terms(text)), unit=unit, hints=hints, reasons=tuple(reasons), source="rules",
        ), defaulted


def _answer_type(intent: str, text: str, head: str | None, options, subjects) -> str:
    lowered = text.lower()
    if intent == "yes_no":
        return "yes_no"
    if intent == "summary":
        return "sentence"
    if intent == "count":
        return "number"
    if intent == "choose":
        typed = {option_type(option, text) for option in options}
        head_type = type_of_head(head)
        if head_type == "identifier" and typed <= {"number", "identifier"}:
            return "identifier"  # "Which release, 2.3 or 2.4?": versions, not amounts
        located = any(re.search(rf"\b(?:in|at|to|from|near) {re.escape(o)}\b", text) for o in options)
        named = all(o[:1].isupper() for o in options)
        if (located or re.match(r"where\b", lowered)) and named and typed <= {"phrase", "place", "person"}:
            return "place"  # "sail to Lisbon or Porto": one option's preposition places them all
        if len(typed) == 1 and typed != {"phrase"}:
            return typed.pop()
        if head_type:
            return head_type
        by_person = re.search(r"\b(?:who|whom)\b|\bby\s+(?:" + "|".join(re.escape(o) for o in options) + ")", text, re.I) \
            or (options_act(text) and named)
        return "person" if by_person else "phrase"
    for rule in ANSWER_TYPE_RULES:
        if rule.matches(lowered):
            asked_last = re.search(r"\b(?:who|where|when)\s*\??$", lowered)  # "the firm ... is headquartered where?"
            if rule.value in ("person", "place") and type_of_head(head) not in (None, rule.value) and not asked_last:
                return type_of_head(head)  # "who audited ..." is typed by the question word
            return rule.value
    typed = type_of_head(head)
    if typed:
        return typed
    if intent == "all_values" and head:
        return "phrase"
    return "phrase"


def _k(lowered: str) -> int | None:
    """How many items a top-k question wants: a numeral near "top"/"most"/"which", else 1 for a
    singular item ("the commonest word"), else None (the caller's default)."""
    numerals = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    near = re.search(rf"\b(?:top|the|which|what|list|name|give(?: me)?|find|are|most|these|first|leading)\s+(\d+|{numerals})\b",
                     lowered)
    if near is None:
        near = re.search(rf"\b(\d+|{numerals})\s+(?:\w+\s+)?(?:most|least|words?|terms?|entries|items?|tokens?|list entries)\b",
                         lowered)
    if near:
        token = near.group(1)
        return int(token) if token.isdigit() else NUMBER_WORDS.get(token)
    item = re.search(r"\b(?:which|what|the|most|top)\s+(?:[\w-]+\s+){0,3}?(word|term|token|entry|item|code|hostname|username|line|name|"
                     r"address|value|number|function|user|host|error|page|file|service)\b(?!s)", lowered)
    return 1 if item else None


def _repeated_question(lowered: str) -> bool:
    """"Who chairs X, and who chairs Y?": the same question asked twice in one."""
    match = re.match(r"^(what|which|who|whom|when|where|how \w+)\s+(\w+)\b.*,?\s+and\s+\1\s+\2\b", lowered)
    return match is not None


def _asks_every_value(lowered: str, head: str | None) -> bool:
    if re.search(r"\b(?:all|every|each)\b(?! (?:of )?(?:the )?(?:following|options))|\blist (?:the|of)\b|\benumerate\b"
                 r"|\b(?:full|complete|whole|entire) (?:set|list|range)\b"
                 r"|\b(?:several|multiple|many|various) (?:\w+ )?(?:values|numbers|codes|entries|ids)\b|\bwhich ones\b", lowered):
        return True
    # a plural typed head with one subject: "what are the values of X?", "which numbers are attached to X?"
    if not head:
        return False
    last = head.split()[-1]
    # the plural of a noun the lexicon knows ("numbers", "prices"), not a word ending in s ("EPS")
    singular = singular_of(last)
    plural = last.endswith("s") and not last.endswith("ss") and typed(singular) is not None
    # asked by "what/which", an imperative, or a bare noun phrase ("[tell me] the numbers for X")
    bare = re.match(r"the\b", lowered) and not re.search(r"\b(?:who|whom|whose|where|when|how|what|which)\b", lowered)
    return plural and bool(bare or re.match(r"^(?:what|which|tell me|give me|show me|list|name|find|get|fetch|pull out)\b",
                                            lowered))


def _unrestricted(lowered: str, head: str | None) -> str:
    """The question without the relative pronoun of a clause on the asked noun itself: "the codes
    *that* belong to X" narrows what is asked; only a clause on another noun ("the woman who
    played X") reaches through an entity the question does not name."""
    opened = re.match(r"(?:what|which|list|name|give|show|tell|find|get|fetch|pull|provide|return|identify|grab|round up)\b",
                      lowered) or re.search(rf"\b(?:all|every|each) (?:of )?(?:the )?{re.escape(head or '')}\b", lowered)
    # a bare noun phrase ("[tell me] the numbers that go with X") asks for its noun; one followed by
    # a question ("the guy who wrote X, where did he grow up?") does not
    phrase = re.match(r"the\b", lowered) and not re.search(r"\b(?:what|which|who|whom|whose|where|when|how)\b", lowered)
    if not head or not (opened or phrase):
        return lowered
    return re.sub(rf"\b({re.escape(head.split()[-1])}) (?:that|which|who|whom) ", r"\1 ", lowered, count=1)


def _outside_clause(lowered: str, subjects) -> tuple[str, ...]:
    """The subjects not inside a relative clause on the asked noun: "which politician who served as
    A and B" asks one thing about one politician, not the same thing of A and of B."""
    head = head_noun(lowered)
    clause = head and re.search(rf"\b(?:which|what)\s+{re.escape(head)}\s+(?:who|that|which)\b", lowered)
    if not clause:
        return tuple(subjects)
    return tuple(s for s in subjects if 0 <= lowered.find(s.lower()) < clause.start())


# "the team coached by Ilse Marrow", "the film in which Tamsin Greer made her debut", "the engine used
# in the Corsair X9": a noun the question does not name, picked out by what a named thing did with it
_REDUCED_RELATIVE = re.compile(
    r"\b[Tt]he (?:[\w-]+ ){0,2}?([a-z]+) (?:in which|\w+ed (?:by|in|for|at)|\w+en (?:by|in|for)|(?:built|made|run|led|won|"
    r"sung|held|founded|formed|owned|written) (?:by|in))\s+(?:the\s+)?(?:[A-Z0-9]|[a-z]+[-_][a-z])")


_VALUE_CLAUSE = re.compile(r"\b(\w+) (?:that|which) (?:goes|go|belongs?|is|are|was|were|matches|corresponds?)\b")


def _is_bridge(text: str, lowered: str, head: str | None) -> bool:
    # a clause on a noun of the answer's kind narrows what is asked ("the uuid that goes with X")
    narrowed = _VALUE_CLAUSE.sub(lambda m: m.group(1) if typed(m.group(1)) in ("number", "identifier") else m.group(0),
                                 lowered)
    if BRIDGE_RELATIVE.matches(narrowed):
        return True
    for match in _REDUCED_RELATIVE.finditer(text):
        noun = match.group(1)
        if noun not in STOPWORDS and (not head or noun not in head.split()) and typed(noun) not in ("number", "identifier"):
            return True
    # "the director of Film X" when the question asks something about that person, not who they are
    if re.search(r"\bwho(?:ever|m?ever)\s+\w+", lowered):
        return True  # "the birth year of whoever directed Copper Sky"
    # (a lookahead, so "the hometown of [the drummer in] X" is tried at each "the")
    for match in re.finditer(r"\b(?=[Tt]he ((?:\w+ ){0,2}?)(\w+) (?:of|in|at|for|from|behind) "
                             r"(?:(?:the|this|that|a|an) (?:[a-z'’-]+ ){0,8}?)?[A-Z0-9\"“'])", text):
        # "the brother of [this first round draft pick by] the Washington Redskins"
        role = match.group(2).lower()
        asks_for_the_role = re.match(rf"^(?:who|whom|what|which) (?:is|was|were|are) the (?:\w+ )?{role} "
                                     rf"(?:of|in|at|for|from|behind)\b", lowered) \
            or re.match(rf"^(?i:where|when) (?:is|was|were|are) the (?:\w+ )?(?i:{role}) (?:of|in|at|for|from|behind)\b"
                        rf"(?!.* [a-z]+\s*\??$)", text)  # "where are the headquarters of X?", not "where was the inventor of X born?"
        if role in RELATIONAL_NOUNS and not asks_for_the_role:
            return True  # "the CEO of Tarnwell Group studied where?": something about the CEO
    return False


_HOLDERS = r"(?:names?|variables?|vars?|registers?|slots?|holders?|cells?|places?|labels?|identifiers?)"


def _holders_of_value(lowered: str) -> bool:
    """"names carrying 12345?", "which variables come out as 12345", "12345 gets passed around:
    where does it land?": a value given, the names that hold it asked for (a chain followed forward)."""
    value = re.search(r"(?<![\w.,$-])(?<!page )(?<!line )(?<!port )(?<!section )\d{4,}(?![\w%-]|[.,]\d)", lowered)
    if not value or re.fullmatch(r"1[5-9]\d\d|20\d\d", value.group(0)):
        return False
    return bool(re.search(rf"\b(?:which|what|list|name|every|all|each|any)\b[^?.;]*?\b{_HOLDERS}\b", lowered)
                or re.match(rf"\s*{_HOLDERS}\b[^?.;]*\d{{4,}}", lowered)  # "variables equal to 12345"
                or re.search(rf"\b{_HOLDERS}\s+(?:carrying|holding|with|containing|storing)\b", lowered)
                or re.search(r"\bwhere (?:does|did|will) (?:it|that|this|the value|\d+) (?:land|end up|go|get to)\b", lowered))


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
