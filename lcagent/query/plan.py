"""The typed question plan: what a question asks for, independent of how it is worded.

An analyser (rule-based or model-backed) turns a question into a ``QuestionPlan``; operators
execute the plan against the document. Nothing downstream looks at the question's wording.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

Intent = Literal[
    "lookup",        # one fact about one subject ("When was the light automated?")
    "multi_lookup",  # the same fact for several subjects ("What do A, B and C carry?")
    "all_values",    # every value the document gives for one subject ("List all numbers for X")
    "chain",         # follow a relation between named things hop by hop (see ``direction``)
    "count",         # how many times / how many of something the text holds
    "top_k",         # the k most frequent items of the document's own units (words, list entries)
    "choose",        # pick among options the question offers ("A or B?")
    "yes_no",        # is a statement true
    "bridge",        # multi-hop: the answer needs an intermediate entity the question does not name
    "summary",       # what the whole document (or a part) is about
]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]

AnswerType = Literal[
    "number",        # a quantity or amount (with its unit or scale where the text gives one)
    "date",          # a year, a date, a month, a period
    "person",
    "place",
    "organization",
    "identifier",    # a code, key, id, uuid, version, register name
    "list",          # several items (names, words, values)
    "phrase",        # a short span that is none of the above
    "sentence",      # an explanation (how / why / describe)
    "yes_no",
]
ANSWER_TYPES: tuple[str, ...] = AnswerType.__args__  # type: ignore[attr-defined]

Direction = Literal["forward", "backward"]
"""For a chain: ``forward`` follows what the subject flows into (which names end up holding
the value 123?); ``backward`` traces where the subject's value came from (what does X
ultimately hold? who founded the company that made Y?)."""


@dataclass(frozen=True)
class QuestionPlan:
    """What to look for and what kind of answer to return.

    ``subjects``: the named things the question is about, however coordinated ("A, B and C",
    "A as well as B"), in the order asked; quoted phrases, keys, identifiers and names, never
    question words. ``relation``: what is asked about the subjects ("special magic number",
    "capital expenditure", "director"), in the question's words, or None. ``qualifiers``:
    restrictions such as a year or period ("2018", "FY2019", "Q3") that pick a column or a
    version of the fact. ``k``: how many items (top-k, "the three most ..."). ``options``:
    the choices offered by a ``choose`` question.
    """

    question: str
    intent: Intent
    answer_type: AnswerType
    subjects: tuple[str, ...] = ()
    relation: str | None = None
    qualifiers: tuple[str, ...] = ()
    k: int | None = None
    direction: Direction | None = None
    options: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()  # content words worth searching for, lower-cased
    unit: str | None = None  # the noun a number answer sits beside ("how many *steps*") or its scale
    # instructions around the question ("Answer from the cash flow statement."): where to look and
    # how to answer, not what is asked; their words rank pages and tables, not answer sentences
    hints: tuple[str, ...] = ()
    # other names a document may print for the relation, proposed by a capable model
    # ("purchases of property and equipment" for "capex"); the thesaurus adds its own in relation_names()
    synonyms: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    source: Literal["rules", "model"] = "rules"

    # --- what retrieval and reading derive from the plan ---------------------------------
    def key_terms(self) -> list[str]:
        """Terms an answering sentence should contain: whole identifiers and numbers among the
        subjects (so "long-context" matches as one), then every content word."""
        keys = [s.lower() for s in self.subjects if re.search(r"[-_\d]", s) and " " not in s]
        keys += [t.lower() for t in self.terms]
        keys += [year for q in self.qualifiers for year in re.findall(r"(?:1[5-9]|20)\d\d", q)]
        return list(dict.fromkeys(k for k in keys if k))

    def search_queries(self) -> list[str]:
        """Full-text queries, most specific first: each subject with the relation, then all terms."""
        queries = []
        for subject in self.subjects[:6]:
            queries.append(f"{subject} {self.relation}" if self.relation else subject)
        if self.terms:
            queries.append(" ".join(self.terms))
        return list(dict.fromkeys(q for q in queries if q.strip()))

    def relation_names(self) -> list[str]:
        """Other names of the relation: the model's proposals, then the thesaurus's line items."""
        from lcagent.query.thesaurus import expansions

        return list(dict.fromkeys([*self.synonyms, *expansions(self.relation or "")]))

    def hint_terms(self) -> list[str]:
        """Content words of the hints (lower-cased), for ranking pages and table titles."""
        words = re.findall(r"[A-Za-z][\w-]*", " ".join(self.hints).lower())
        return [w for w in dict.fromkeys(words) if len(w) > 2 and w not in _HINT_STOPWORDS]

    def exact_patterns(self) -> list[str]:
        """Literal strings worth grepping for: subjects that are identifiers, numbers, quoted
        phrases or multi-word names."""
        return [s for s in self.subjects if len(s) >= 3 and (" " in s or re.search(r"[-_\d]", s) or not s.islower())]

    def aspects(self) -> list[str]:
        """What a question spanning several places compares: its options, else its subjects,
        else its qualifiers (years)."""
        if self.options:
            return list(self.options)
        if len(self.subjects) >= 2:
            return list(self.subjects)
        return list(self.qualifiers) if len(self.qualifiers) >= 2 else []

    @property
    def plural(self) -> bool:
        """Several answers are expected (one per subject, every value, a list)."""
        return self.intent in ("multi_lookup", "all_values", "top_k") or self.answer_type == "list" \
            or (self.intent == "chain" and self.direction == "forward")

    def with_reason(self, reason: str) -> "QuestionPlan":
        return replace(self, reasons=(*self.reasons, reason))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "QuestionPlan":
        tuples = ("subjects", "qualifiers", "options", "terms", "reasons", "hints", "synonyms")
        return cls(**{key: tuple(value) if key in tuples else value for key, value in data.items()
                      if key in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ExpectedPlan:
    """A test's expectation: only the fields it names are compared (subjects case-insensitively,
    as a set when ``ordered`` is False)."""

    question: str
    intent: str
    answer_type: str
    subjects: tuple[str, ...] | None = None
    k: int | None = None
    direction: str | None = None
    options: tuple[str, ...] | None = None
    qualifiers: tuple[str, ...] | None = None
    note: str = ""
    source: str = ""  # where the question comes from (e.g. "loogle", "written")
    extra: dict = field(default_factory=dict)

    def mismatches(self, plan: QuestionPlan) -> list[str]:
        """The fields where ``plan`` differs from this expectation (empty: an exact plan)."""
        problems = []
        if plan.intent != self.intent:
            problems.append(f"intent {plan.intent} != {self.intent}")
        if plan.answer_type != self.answer_type:
            problems.append(f"answer_type {plan.answer_type} != {self.answer_type}")
        if self.subjects is not None and _folded(plan.subjects) != _folded(self.subjects):
            problems.append(f"subjects {list(plan.subjects)} != {list(self.subjects)}")
        if self.k is not None and plan.k != self.k:
            problems.append(f"k {plan.k} != {self.k}")
        if self.direction is not None and plan.direction != self.direction:
            problems.append(f"direction {plan.direction} != {self.direction}")
        if self.options is not None and _folded(plan.options) != _folded(self.options):
            problems.append(f"options {list(plan.options)} != {list(self.options)}")
        if self.qualifiers is not None and _folded(plan.qualifiers) != _folded(self.qualifiers):
            problems.append(f"qualifiers {list(plan.qualifiers)} != {list(self.qualifiers)}")
        return problems


def _folded(values) -> frozenset[str]:
    return frozenset(" ".join(str(v).split()).casefold().strip(" \"'“”‘’.,?") for v in values)


# words of an instruction that say how to answer, not where: never used to rank pages
_HINT_STOPWORDS = frozenset(
    """the and for with from that this your you answer response respond give provide question based relying rely
    details detail shown show use using only please round decimal places express state explain why not relevant
    into when then than are was were which what its their there here also""".split()
)
