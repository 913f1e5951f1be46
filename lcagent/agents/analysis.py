"""Deterministic query analysis: what kind of question this is and what to look for.

A small model cannot plan searches well; these rules seed retrieval with the question's
quoted phrases, identifiers, numbers, names and content words, and tell the router whether
the question asks for a fact, a chain of facts, an aggregate, or a summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lcagent.tools.text import STOPWORDS, terms

QuestionKind = Literal["fact", "chain", "aggregate", "summary"]
AnswerType = Literal["number", "date", "name", "id", "words", "span", "sentence", "yesno"]

_QUOTED = re.compile(r"\"([^\"]{2,})\"|“([^”]{2,})”|'([^']{3,})'")
_ID = re.compile(r"\b(?=[\w-]*[-_])(?=[\w-]*\w)[\w]+(?:[-_][\w]+)+\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
_NAME = re.compile(r"\b[A-Z][\w'’]+(?:\s+(?:of\s+|de\s+|van\s+|von\s+)?[A-Z][\w'’]+)*")
_TOP_N = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty)\b\s+(?:\w+\s+){0,2}(?:most|frequent|common)", re.I)
# "..., A or B?" / "Which band, A or B, had ...": the answer is one of the offered options.
_OPTIONS = re.compile(r",\s*([^,?;]{2,60}?)\s+or\s+([^,?;]{2,60}?)\s*(?:[?,]|$)")
# "held by the woman who portrayed ...", "a boy group that was formed by ...": a nested relation.
_RELATIVE = re.compile(r"\b(?:a|an|the)\s+(?:[\w'’-]+\s+){0,4}?(?:who|whom|that|which)\s+(?!or\b)\w+")
# Questions whose answer is assembled from several places: comparisons, change over time, "across".
_SPREAD = re.compile(
    r"\bcompar(?:e|ed|es|ing|ison)\b|\b(?:difference|differences|relationship|similarities|contrast) between\b"
    r"|\bacross\b|\bthroughout\b|\bover the course of\b"
    r"|\bhow (?:has|have|did|does|do) .+? (?:change|changed|evolve|evolved|develop|developed|grow|grew|shift|shifted)\b"
    r"|\bboth\b.+\band\b|\band\b.+\b(?:both|the same)\b"
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twenty": 20}

_PERSON_OR_PLACE = (
    "person|people|man|woman|author|writer|keeper|captain|director|actor|actress|president|king|queen|company|"
    "organi[sz]ation|country|city|town|village|island|river|place|team|band|school|university"
)

# Words that ask rather than describe: never worth searching for.
QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how many much does did is are was were list find give
    tell name please answer question according mentioned provided text document passage above below""".split()
)


@dataclass(frozen=True)
class QueryAnalysis:
    question: str
    kind: QuestionKind
    answer_type: AnswerType
    plural: bool
    quoted: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    content_terms: tuple[str, ...] = ()
    top_n: int | None = None
    count_target: str | None = None
    counted_noun: str | None = None  # "steps" in "how many steps ...": the answer number sits beside it
    spread: bool = False  # compares or follows something across several places of the document
    options: tuple[str, ...] = ()  # "Who is older, Annie Morton or Terry Richardson?": the answer is one of these
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def search_queries(self) -> list[str]:
        """bm25 queries, most specific first."""
        queries = []
        if self.content_terms:
            queries.append(" ".join(self.content_terms))
        queries.extend(self.quoted)
        queries.extend(option for option in self.options if option not in queries)
        queries.extend(name for name in self.names if name not in queries)
        return list(dict.fromkeys(q for q in queries if q.strip()))

    def aspects(self) -> list[str]:
        """What a question spanning several places compares: its options, else its quoted phrases,
        identifiers and names, else its numbers (years)."""
        if self.options:
            return list(self.options)
        named = list(dict.fromkeys((*self.quoted, *self.identifiers, *self.names)))
        return named if len(named) >= 2 else list(self.numbers)

    def exact_patterns(self) -> list[str]:
        """Literal strings worth grepping for: quoted phrases, identifiers, numbers, long names."""
        patterns = list(self.quoted) + list(self.identifiers) + [n for n in self.numbers if len(n) >= 3]
        patterns += [n for n in self.names if " " in n]
        return list(dict.fromkeys(patterns))

    def key_terms(self) -> list[str]:
        """Terms an answering sentence should contain."""
        keys = [t.lower() for t in self.identifiers] + [t.lower() for t in self.numbers]
        keys += [w for q in self.quoted for w in terms(q)]
        keys += list(self.content_terms)
        return list(dict.fromkeys(keys))


# a few plain words then a colon ("Tell me again:", "Quick question:"); no numbers or names, which could matter
_PREFACE = re.compile(r"^[A-Za-z][a-z'’]*(?:,?\s+[a-z][a-z'’]*){0,4}:\s+(?=\S.*\?$)")


def analyse(question: str) -> QueryAnalysis:
    # "Tell me again: Were A and B ...?", "Quick one: who ...?": the question is what follows the preface
    text = _PREFACE.sub("", " ".join(question.split()))
    lowered = text.lower()
    quoted = tuple(next(g for g in m.groups() if g) for m in _QUOTED.finditer(text))
    identifiers = tuple(dict.fromkeys(m.group(0) for m in _ID.finditer(text)))
    numbers = tuple(dict.fromkeys(m.group(0) for m in _NUMBER.finditer(text) if not any(m.group(0) in i for i in identifiers)))
    names = tuple(
        dict.fromkeys(
            m.group(0)
            for m in _NAME.finditer(text)
            # a lone capitalised first word is just the start of the sentence ("Summarise ...")
            if not (m.start() == 0 and len(m.group(0).split()) == 1)
        )
    )
    names = tuple(_strip_leading_question_word(n) for n in names)
    names = tuple(n for n in names if n and n.lower() not in QUESTION_WORDS | STOPWORDS)
    content = tuple(dict.fromkeys(t for t in terms(text) if t not in QUESTION_WORDS))

    reasons: list[str] = []
    kind: QuestionKind = "fact"
    top_n = None
    count_target = None
    if re.search(r"\b(most|least)\s+(common|frequent|frequently|often|used|repeated)\b|\bfrequen(cy|cies)\b|\bhow many times\b|\bhow often\b|\bcount\b|\bnumber of (times|occurrences)\b", lowered):
        kind = "aggregate"
        reasons.append("asks for counts or frequencies over the whole text")
        match = _TOP_N.search(text)
        if match:
            token = match.group(1).lower()
            top_n = int(token) if token.isdigit() else _WORD_NUMBERS.get(token)
        times = re.search(r"how (?:many times|often) (?:does|did|is|are|do)?\s*(.+?)\s+(?:occur|appear|mentioned|used|said|come up)", text, re.I)
        if times:
            count_target = times.group(1).strip(" \"'“”")
        elif quoted:
            count_target = quoted[0]
    elif re.search(r"\b(summar(y|ise|ize)|overview|main (points|ideas|themes)|what is (this|the) (document|text|book|report) about|outline)\b", lowered):
        kind = "summary"
        reasons.append("asks for a summary of the whole text")
    elif re.search(r"\bwhose\b|\bof the \w+ (that|who|which)\b|\b(that|who|which) (was|were|is|are) .* (of|by) the\b|\bassigned the value\b|\bchain\b|\bafter\b.*\bbefore\b", lowered) \
            or (_RELATIVE.search(lowered) and not re.match(r"(what|which) (is|are|was|were) the (\w+ ){0,2}(that|which)\b", lowered)):
        kind = "chain"
        reasons.append("follows a chain of facts (nested relation)")
    else:
        reasons.append("asks for a specific fact")
    options_match = _OPTIONS.search(text) if kind in ("fact", "chain") and not quoted else None
    options = tuple(o.strip(" \"'“”") for o in options_match.groups()) if options_match else ()
    if options:
        reasons.append(f"the answer is one of: {' / '.join(options)}")
    spread = kind in ("fact", "chain") and (bool(_SPREAD.search(lowered)) or bool(options))
    if spread:
        reasons.append("draws on several places in the document (comparison, change, across)")

    answer_type: AnswerType = "span"
    if re.match(r"(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", lowered) and " or " not in lowered:
        answer_type = "yesno"
    elif re.match(r"how\b(?!\s+(?:many|much|long|old|far|often|big|large|tall|high|deep|wide|fast|soon|late|early)\b)", lowered) \
            or re.search(r"\bwhy\b|\b(?:explain|describe)\b|\bin what way\b|\bfor what reason\b", lowered):
        answer_type = "sentence"  # how / why: the answer is a statement, not a name or number
    elif kind == "aggregate" and top_n:
        answer_type = "words"
    elif re.search(r"\b(what|which) year\b|^when\b|\bwhat date\b|\bin what (month|decade|century)\b", lowered):
        answer_type = "date"
    elif re.search(r"\bhow (many|much)\b|\bnumber\b|\bnumbers\b|\bamount\b|\bcount\b", lowered):
        answer_type = "number"
    elif re.search(r"\buuids?\b|\bids?\b|\bcodes?\b|\bkeys?\b", lowered):
        answer_type = "id"
    elif re.match(r"(who|whom)\b|where\b", lowered) or re.search(rf"\b(which|what) ({_PERSON_OR_PLACE})\b", lowered):
        answer_type = "name"
    counted = re.search(r"\bhow (?:many|much)\s+(?:\w+\s+)?(\w+)", lowered)
    counted_noun = None
    if counted and kind != "aggregate":
        # "how many steps does", "how many old keepers were": the noun is the last word before a verb
        words = re.findall(r"\w+", lowered[counted.start():])[2:5]
        nouns = [w for w in words if w not in STOPWORDS and w not in QUESTION_WORDS]
        counted_noun = nouns[0] if nouns else None
    plural = bool(re.search(r"\ball\b|\bwhat are\b|\bwhich are\b|\blist\b|\beach\b|\bevery\b", lowered)) or answer_type == "words"
    return QueryAnalysis(
        question=text,
        kind=kind,
        answer_type=answer_type,
        plural=plural,
        quoted=quoted,
        identifiers=identifiers,
        numbers=numbers,
        names=names,
        content_terms=content,
        top_n=top_n,
        count_target=count_target,
        counted_noun=counted_noun,
        spread=spread,
        options=options,
        reasons=tuple(reasons),
    )


def _strip_leading_question_word(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in QUESTION_WORDS | STOPWORDS:
        words = words[1:]
    return " ".join(words)
