"""Answer spans inside one evidence sentence, and the answer-type check every answer passes.

A candidate is a typed token (number, date, identifier), a run of capitalised words (a name),
or the longest run of words the question does not contain (a phrase). It scores by the answer
type the plan asks for and by its distance to the question's words in the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lcagent.agents import weights as W
from lcagent.agents.evidence import LOWER_CASE_WORD, EvidenceItem
from lcagent.query import extract
from lcagent.query.lexicon import ANAPHORS, HEAD_NOUN_TYPES, MONTHS, PERSON_ROLES, STOPWORDS
from lcagent.query.plan import QuestionPlan

_TOKEN = re.compile(r"\$?[\w][\w'’.\-/:,]*[\w]%?|[\w]|[^\w\s]")
_NUMBER = re.compile(r"^[-+]?\$?\(?\d[\d,]*(\.\d+)?\)?%?$")
_DATE = re.compile(r"^(1[5-9][0-9]{2}|20[0-9]{2})s?$|^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$|^\d{4}-\d{2}-\d{2}$")
_ASKS_YEAR = re.compile(r"\b(?:year|decade|century)\b", re.I)
_IDENTIFIER = re.compile(r"^(?=.*\d)[\w][\w\-]{3,}$|^[\w]+(?:[-_][\w]+)+$")
_PUNCTUATION = frozenset(",;:()\".?!“”")

# the token kind each answer type wants
WANTED_KIND = {"number": "number", "date": "date", "person": "name", "place": "name", "organization": "name",
               "identifier": "id"}


@dataclass(frozen=True)
class Candidate:
    text: str
    score: float
    item: EvidenceItem
    kind: str  # "number", "date", "id", "name" or "phrase"


def token_kind(token: str) -> str | None:
    clean = token.rstrip(".,")
    if _DATE.match(clean) or clean.lower() in MONTHS:
        return "date"
    if _NUMBER.match(clean):
        return "number"
    if _IDENTIFIER.match(clean) and any(ch.isalpha() for ch in clean):
        return "id"
    return None


def fits_type(text: str, answer_type: str) -> bool:
    """The answer-type check: a number question gets a number, a year question a date, "who" a
    name, an identifier question an identifier. Free-form types accept any non-empty text."""
    text = text.strip()
    if not text:
        return False
    if answer_type == "number":
        # a number of its own ("1,785", "(412)", "$3.71", "57.3%"), not digits inside a code ("TABLE 3.02A")
        return any(re.fullmatch(r"[-+]?\$?\(?[-+]?\d[\d,]*(?:\.\d+)?(?:[-–]\d[\d,]*(?:\.\d+)?)?\)?%?", token.strip(",.;:'\"")) for token in text.split())
    if answer_type == "date":
        return bool(re.search(r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b", text)) or \
            any(month in text.lower().split() for month in MONTHS[:12])
    if answer_type in ("person", "place", "organization"):
        words = [w for w in re.findall(r"[\w'’.-]+", text) if w.lower() not in STOPWORDS]
        return bool(words) and any(w[:1].isupper() for w in words) and not all(
            w.lower().strip(".") in MONTHS or re.fullmatch(r"[\d,.]+", w) for w in words)
    if answer_type == "identifier":
        return bool(re.search(r"\d|[-_]|[A-Z]{2,}", text))
    return True


def _matches_question(token: str, question_terms: set[str]) -> bool:
    lowered = token.lower().strip(".")
    if lowered in question_terms:
        return True
    return len(lowered) >= 4 and any(
        len(term) >= 4 and (lowered.startswith(term[:5]) or term.startswith(lowered[:5])) for term in question_terms
    )


def question_terms(plan: QuestionPlan) -> set[str]:
    found = {t.lower() for t in plan.key_terms()}
    for subject in plan.subjects:
        found |= {w.lower() for w in re.split(r"[-_\s]+", subject) if w}
    return found


def candidates(item: EvidenceItem, plan: QuestionPlan) -> list[Candidate]:
    """Answer spans in one sentence, best first (one per distinct text)."""
    asked = question_terms(plan)
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(item.text)]
    in_question = [_matches_question(tok, asked) for tok, _ in tokens]
    matched = [i for i, hit in enumerate(in_question) if hit]
    if not matched and item.before and tokens and tokens[0][0].lower() in ANAPHORS:
        matched = [0]  # "Its final keeper, ...": the pronoun stands for the subject the sentence before named
    if not matched:
        return []
    wanted = WANTED_KIND.get(plan.answer_type)
    # a question keyed by an identifier ("What does amber-fox carry?") asks for the value stored
    # with it: with no type asked, a typed token outranks a run of plain words
    keyed = plan.answer_type == "phrase" and any(re.search(r"[-_\d]", s) for s in plan.subjects)
    found: list[Candidate] = []

    def distance(i: int) -> int:
        return min(abs(i - j) for j in matched)

    relation = set(_relation_words(plan))
    naming = [j for j in matched if _matches_question(tokens[j][0], relation)] if relation else []

    def after_bonus(i: int) -> float:
        bonus = W.AFTER_QUESTION_WORDS if i > matched[0] else 0.0
        # the closest word naming the relation before i, with no clause break in between
        before = [j for j in naming if j < i]
        if before and not any(tokens[k][0].lower() in _CLAUSE_BREAKS for k in range(before[-1] + 1, i)):
            bonus += W.AFTER_RELATION
        return bonus

    subject_words = {w.lower() for s in plan.subjects for w in _TOKEN.findall(s)}

    def keyed_value(i: int) -> bool:
        """Token i follows a subject's word with only ":", "=", "is" or a dash between."""
        j = i - 1
        while j >= 0 and i - j <= 2 and re.fullmatch(r"[:=\-–—→>]|is|was|equals", tokens[j][0].lower()):
            j -= 1
        return j >= 0 and tokens[j][0].lower() in subject_words

    lower_case = item.page_words or set(LOWER_CASE_WORD.findall(f"{item.before} {item.text}"))
    asked_years = {y for q in plan.qualifiers for y in re.findall(r"(?:1[5-9]|20)\d\d", q)}
    asks_year = _ASKS_YEAR.search(plan.question) is not None  # "which year": a year, not the whole date
    for i, (token, _) in enumerate(tokens):
        if in_question[i]:
            continue
        kind = token_kind(token)
        if kind == "date" and wanted == "number" and (asked_years or plan.qualifiers) and _DATE.match(token.rstrip(".,")):
            continue  # "total assets as of 2021": a year beside the figure is a column header, not the figure
        if kind == "date" and wanted == "date" and asks_year and not _DATE.match(token.rstrip(".,")):
            kind = "phrase"  # "April" answers no "which year"
        if kind:
            score = 1.0 / (1 + distance(i)) + after_bonus(i)
            # a code asked for is often all digits ("For X, use 3849190")
            score += W.TYPE_MATCH if kind == wanted or keyed or (wanted == "number" and kind == "date" and not plan.unit) \
                or (wanted == "id" and kind == "number") else W.TYPE_OTHER
            if kind == wanted and keyed_value(i):
                score += W.KEY_VALUE
            if plan.unit and kind in ("number", "date") and _beside(tokens, i, plan.unit):
                score += W.BESIDE_UNIT  # "219 steps" answers "how many steps"
            text = token.rstrip(".,")
            if kind == "date" and wanted == "date" and not asks_year:
                # "When was she born?" is answered by the whole date the sentence gives
                text = extract.calendar_date_at(item.text, tokens[i][1]) or text
            found.append(Candidate(text, score, item, kind))
        continues = i > 0 and _capitalised(tokens[i - 1][0])  # "Marrow" in "Ilse Marrow" is not a name of its own
        if _capitalised(token) and not continues and kind != "date":
            end = i
            while end < len(tokens) and (_capitalised(tokens[end][0]) and not in_question[end]
                                         or _initial_dot(tokens, end)):
                end += 1  # "Edwin L. Marin": an initial's period stays inside the name
            text = item.text[tokens[i][1]: tokens[end - 1][1] + len(tokens[end - 1][0])]
            score = 1.0 / (1 + distance(i)) + after_bonus(i) + (W.TYPE_MATCH if wanted == "name" else W.NAME_OTHER)
            if plan.answer_type == "person" and end - i == 1:
                score -= W.ONE_WORD_PERSON  # people are named with two words or more more often than not
            if i == 0 and end == 1 and not _defines(tokens, 1):
                score -= W.LONE_OPENER  # one capitalised word opening a sentence is as often a plain word
            elif i == 0 and plan.answer_type == "person":
                score += W.SUBJECT_OF_SENTENCE  # "Who [did this]?" is answered by the subject of "[Name] [did this]"
            title = tokens[i][0].lower()
            if end - i >= 3 and (title in PERSON_ROLES or HEAD_NOUN_TYPES.get(title) == "person"):
                # "Keeper Ada Lindqvist": the title is not part of the name
                text = item.text[tokens[i + 1][1]: tokens[end - 1][1] + len(tokens[end - 1][0])]
            found.append(Candidate(" ".join(text.split()), score, item, "name"))  # a name may wrap a line
    for begin, end in _free_runs(tokens, in_question):
        text = item.text[tokens[begin][1]: tokens[end - 1][1] + len(tokens[end - 1][0])]
        score = W.PHRASE_BASE / (1 + distance(begin)) + W.PHRASE_LENGTH * min(end - begin, 8)
        score += W.TYPE_MATCH / 2 if plan.answer_type in ("phrase", "list") else 0.0
        found.append(Candidate(" ".join(text.split()), score, item, "phrase"))
    if wanted == "number" and (asked_years or plan.qualifiers):
        # "In 2016, ..." answers no "how many ... in FY 2017?": a year is the period, never the figure
        found = [c for c in found if not _DATE.match(c.text.rstrip(".,"))]
    if wanted == "name":
        # a capitalised word its page also writes in lower case ("Light" over "the light") is no name
        found = [Candidate(c.text, c.score - W.COMMON_WORD, c.item, c.kind)
                 if all(w.lower().strip(".,") in lower_case for w in c.text.split()) else c for c in found]
    found.sort(key=lambda c: -c.score)
    unique: dict[str, Candidate] = {}
    for candidate in found:
        unique.setdefault(candidate.text, candidate)
    return list(unique.values())


_CLAUSE_BREAKS = frozenset({"and", "but", "while", "whereas", ";", "."})


def _relation_words(plan: QuestionPlan) -> list[str]:
    """The words of the asked relation that are not the subject's ("automated" of "the X light automated")."""
    subject_words = {w.lower() for s in plan.subjects for w in re.split(r"[-_\s]+", s) if w}
    return [w for w in re.findall(r"[\w'-]+", (plan.relation or "").lower())
            if w not in subject_words and w not in STOPWORDS and len(w) > 2]


def _free_runs(tokens, in_question) -> list[tuple[int, int]]:
    """Runs of words the question does not contain, trimmed of stopwords at both ends."""
    runs, start = [], None
    for i, (token, _) in enumerate(tokens):
        if in_question[i] or token in _PUNCTUATION:
            if start is not None:
                runs.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        runs.append((start, len(tokens)))
    trimmed = []
    for begin, end in runs:
        while begin < end and tokens[begin][0].lower() in STOPWORDS:
            begin += 1
        while end > begin and tokens[end - 1][0].lower() in STOPWORDS:
            end -= 1
        if begin < end:
            trimmed.append((begin, end))
    return trimmed


def _initial_dot(tokens: list[tuple[str, int]], index: int) -> bool:
    """Is ``tokens[index]`` the period of an initial inside a name ("L." in "Edwin L. Marin")?"""
    previous = tokens[index - 1][0] if index > 0 else ""
    return (tokens[index][0] == "." and len(previous) == 1 and previous.isupper()
            and index + 1 < len(tokens) and _capitalised(tokens[index + 1][0]))


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in STOPWORDS


def _defines(tokens, i: int) -> bool:
    """Does the sentence continue at token i with "is a", "was the": a definition of what precedes it?"""
    return (i + 1 < len(tokens) and tokens[i][0].lower() in {"is", "was", "are", "were"}
            and tokens[i + 1][0].lower() in {"a", "an", "the"})


def _beside(tokens, i: int, noun: str) -> bool:
    stem = noun[:5]
    return any(0 <= j < len(tokens) and tokens[j][0].lower().startswith(stem) for j in (i - 1, i + 1, i + 2))
