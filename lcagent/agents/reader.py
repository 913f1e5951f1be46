"""Turning ranked evidence into an answer.

``extractive``: the answer is a span copied from the best evidence sentences, chosen by
answer type (number, date, name, id) and closeness to the question's words; the model only
breaks ties, under a Choice constraint. Made for small local models.
``generative``: the model writes the answer from the evidence and names its quotes (JSON);
with a verbatim-capable runner the supporting quote is decoded under the copy constraint.
Either way, every quote is checked against the stored text afterwards.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Sequence

from lcagent.agents.analysis import QueryAnalysis
from lcagent.agents.evidence import EvidenceItem, EvidencePool
from lcagent.prompts import ANSWER_FROM_EVIDENCE, ANSWER_WITH_QUOTES, EXTRACT_ANSWER
from lcagent.records import Citation
from lcagent.runners.base import Choice, JsonSchema, Runner, RunnerError, Verbatim
from lcagent.tools.text import STOPWORDS

NOT_FOUND = "not found in the document"


def is_not_found(answer: str) -> bool:
    """An empty answer, or the model saying the text does not contain one."""
    return not answer or answer.lower().strip(" .") in {"not found", NOT_FOUND}

_TOKEN = re.compile(r"[\w][\w'’.\-/:]*[\w]|[\w]|[^\w\s]")
_TYPE_PATTERNS = {
    "number": re.compile(r"^[-+]?\d[\d,]*(\.\d+)?%?$"),
    "date": re.compile(r"^(1[0-9]{3}|20[0-9]{2})$|^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$|^\d{4}-\d{2}-\d{2}$"),
    "id": re.compile(r"^(?=.*\d)[\w][\w\-]{3,}$"),
}
_MONTHS = "january february march april may june july august september october november december".split()


@dataclass
class Reading:
    text: str
    citations: list[Citation] = field(default_factory=list)
    found: bool = True
    note: str = ""


def _matches_question(token: str, question_terms: set[str]) -> bool:
    lowered = token.lower().strip(".")
    if lowered in question_terms:
        return True
    return len(lowered) >= 4 and any(
        len(term) >= 4 and (lowered.startswith(term[:5]) or term.startswith(lowered[:5])) for term in question_terms
    )


@dataclass(frozen=True)
class Candidate:
    text: str
    score: float
    item: EvidenceItem


def candidates(item: EvidenceItem, analysis: QueryAnalysis) -> list[Candidate]:
    """Answer spans in one sentence, best first."""
    question_terms = {t.lower() for t in analysis.key_terms()} | {
        w.lower() for q in analysis.identifiers for w in re.split(r"[-_]", q)
    }
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(item.text)]
    in_question = [_matches_question(tok, question_terms) for tok, _ in tokens]
    matched_positions = [i for i, hit in enumerate(in_question) if hit]
    if not matched_positions:
        return []
    found: list[Candidate] = []

    def distance(i: int) -> int:
        return min(abs(i - j) for j in matched_positions)

    # typed single tokens (numbers, years, ids) and capitalised names
    for i, (token, _) in enumerate(tokens):
        if in_question[i]:
            continue
        kind = _token_type(token)
        name_run = None
        continues = i > 0 and _capitalised(tokens[i - 1][0])  # "Marrow" in "Ilse Marrow": not a name of its own
        if _capitalised(token) and not continues and kind != "date":  # "April" is a date, not a name
            j = i
            while j < len(tokens) and _capitalised(tokens[j][0]) and not in_question[j]:
                j += 1
            name_run = (i, j)
        if kind is None and name_run is None:
            continue
        if kind:
            score = 1.0 / (1 + distance(i)) + (2.0 if kind == analysis.answer_type or (analysis.answer_type == "number" and kind == "date") else 0.3)
            score += 0.25 if i > matched_positions[0] else 0.0
            if analysis.counted_noun and kind in ("number", "date") and _beside(tokens, i, analysis.counted_noun):
                score += 3.0  # "219 steps" answers "how many steps"
            found.append(Candidate(token.rstrip(".,"), score, item))
        if name_run:
            start, end = name_run
            text = item.text[tokens[start][1] : tokens[end - 1][1] + len(tokens[end - 1][0])]
            score = 1.0 / (1 + distance(start)) + (2.0 if analysis.answer_type == "name" else 0.5)
            score += 0.25 if start > matched_positions[0] else 0.0
            if start == 0 and end == 1 and not _defines(tokens, 1):
                score -= 0.75  # one capitalised word opening a sentence is as often a plain word ("Critics wrote ...")
            elif start == 0 and analysis.question.lower().startswith("who "):
                score += 0.5  # "Who [did this]?" is answered by the subject of "[Name] [did this]"
            found.append(Candidate(text, score, item))
    # the longest run of words the question does not contain, for free-form answers
    runs: list[tuple[int, int]] = []
    start = None
    for i, (token, _) in enumerate(tokens):
        breaks = in_question[i] or token in {",", ";", ":", "(", ")", ".", "?", "!", "\"", "“", "”"}
        if breaks:
            if start is not None:
                runs.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        runs.append((start, len(tokens)))
    for begin, end in runs:
        while begin < end and tokens[begin][0].lower() in STOPWORDS:
            begin += 1
        while end > begin and tokens[end - 1][0].lower() in STOPWORDS:
            end -= 1
        if begin >= end:
            continue
        text = item.text[tokens[begin][1] : tokens[end - 1][1] + len(tokens[end - 1][0])]
        score = 0.5 / (1 + distance(begin)) + (1.0 if analysis.answer_type == "span" else 0.0) + 0.05 * min(end - begin, 8)
        found.append(Candidate(text, score, item))
    found.sort(key=lambda c: -c.score)
    unique: dict[str, Candidate] = {}
    for candidate in found:
        unique.setdefault(candidate.text, candidate)
    return list(unique.values())


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in STOPWORDS


def _defines(tokens: list[tuple[str, int]], i: int) -> bool:
    """Does the sentence continue at token i with "is a", "was the", ...: a definition of what precedes it?"""
    return (i + 1 < len(tokens) and tokens[i][0].lower() in {"is", "was", "are", "were"}
            and tokens[i + 1][0].lower() in {"a", "an", "the"})


def _beside(tokens: list[tuple[str, int]], i: int, noun: str) -> bool:
    """Is ``noun`` (or a word sharing its first five letters) right next to token i?"""
    stem = noun[:5]
    for j in (i - 1, i + 1, i + 2):
        if 0 <= j < len(tokens) and tokens[j][0].lower().startswith(stem):
            return True
    return False


def _token_type(token: str) -> str | None:
    clean = token.rstrip(".,")
    if _TYPE_PATTERNS["date"].match(clean) or clean.lower() in _MONTHS:
        return "date"
    if _TYPE_PATTERNS["number"].match(clean):
        return "number"
    if _TYPE_PATTERNS["id"].match(clean) and any(ch.isalpha() for ch in clean):
        return "id"
    return None


def answer_sentences(pool: EvidencePool, analysis: QueryAnalysis, *, limit: int = 8) -> list[EvidenceItem]:
    """The sentences that carry the answer: the best one, plus near-ties for plural questions."""
    ranked = pool.ranked(40)
    if not ranked or ranked[0].score <= 0:
        return []
    best = ranked[0].score
    if not analysis.plural:
        return ranked[:6]
    return [item for item in ranked if item.score >= 0.75 * best][:limit]


def extractive(pool: EvidencePool, analysis: QueryAnalysis, runner: Runner | None) -> Reading:
    chosen = answer_sentences(pool, analysis)
    if not chosen:
        return Reading(NOT_FOUND, found=False, note="no sentence matched the question's terms")
    if analysis.options and runner is not None and "choice" in runner.capabilities.constraints:
        return _one_of_the_options(pool, chosen, analysis, runner)
    if analysis.answer_type == "yesno":
        return _yes_or_no(_per_aspect(pool, chosen, analysis), analysis, runner)
    if analysis.answer_type == "sentence" and not analysis.plural:
        # "how did ...", "why ...": a copied span would be a fragment; the best sentence is the answer
        best = chosen[0]
        return Reading(" ".join(best.text.split()), [cite(best)], note="a how/why question: the best-matching sentence")
    if analysis.plural:
        picks: list[Candidate] = []
        for item in chosen:
            options = candidates(item, analysis)
            if options:
                picks.append(options[0])
        if not picks:
            return Reading(NOT_FOUND, found=False, note="matching sentences held no answer span")
        picks.sort(key=lambda c: (c.item.doc_id, c.item.char_start))
        answer = ", ".join(dict.fromkeys(c.text for c in picks))
        return Reading(answer, [cite(c.item) for c in picks])
    # candidates from the top sentences, weighed by how well their sentence matches the question
    best_sentence = chosen[0].score or 1.0
    options = sorted(
        (
            Candidate(c.text, c.score + 2.0 * item.score / best_sentence, item)
            for item in chosen
            for c in candidates(item, analysis)
        ),
        key=lambda c: -c.score,
    )
    options = list({c.text: c for c in reversed(options)}.values())[::-1]
    if not options:
        return Reading(NOT_FOUND, found=False, note="the best sentence held no answer span")
    best = options[0]
    close = [c for c in options[:4] if best.score - c.score < 0.3]
    note = "picked by answer type and closeness to the question's words"
    if len(close) > 1 and runner is not None and "choice" in runner.capabilities.constraints:
        picked = _model_choice(runner, best.item, analysis, [c.text for c in close])
        if picked is not None:
            best = next(c for c in close if c.text == picked)
            note = f"model chose among {len(close)} close candidates"
    return Reading(best.text, [cite(best.item)], note=note)


def _per_aspect(pool: EvidencePool, chosen: Sequence[EvidenceItem], analysis: QueryAnalysis) -> list[EvidenceItem]:
    """For a question spanning several places, the best sentence about each aspect first (the top
    sentences overall may all be about one of them), then the rest of ``chosen``."""
    if not analysis.spread:
        return list(chosen)
    ranked = pool.ranked(200)
    firsts: list[EvidenceItem] = []
    for aspect in analysis.aspects()[:4]:
        about = next((item for item in ranked if aspect.lower() in item.text.lower() and item not in firsts), None)
        if about is not None:
            firsts.append(about)
    return firsts + [item for item in chosen if item not in firsts]


def _numbered(items: Sequence[EvidenceItem]) -> str:
    """Evidence sentences as "[E1] ..." lines for a prompt."""
    return "\n".join(f"[E{n}] {' '.join(item.text.split())}" for n, item in enumerate(items, start=1))


def _one_of_the_options(pool: EvidencePool, chosen: Sequence[EvidenceItem], analysis: QueryAnalysis,
                        runner: Runner) -> Reading:
    """"Who is older, A or B?": the model picks one of the question's own options (a Choice
    constraint), from the best sentence about each option; each of those sentences is cited."""
    evidence_items = _per_aspect(pool, chosen, analysis)[:6]
    evidence = _numbered(evidence_items)
    try:
        completion = runner.complete(ANSWER_FROM_EVIDENCE.render(evidence=evidence, question=analysis.question),
                                     max_tokens=32, constraint=Choice(tuple(analysis.options)))
    except RunnerError as error:
        return Reading(NOT_FOUND, found=False, note=f"the model could not choose: {error}")
    about = [item for item in evidence_items if any(o.lower() in item.text.lower() for o in analysis.options)]
    return Reading(completion.text.strip(), [cite(item) for item in (about or evidence_items)[: len(analysis.options)]],
                   note="chosen by the model among the question's options")


def _yes_or_no(chosen: Sequence[EvidenceItem], analysis: QueryAnalysis, runner: Runner | None) -> Reading:
    """A yes/no question: the model decides from the best evidence, constrained to the two words."""
    evidence = _numbered(chosen[:4])
    if runner is None or "choice" not in runner.capabilities.constraints:
        return Reading(NOT_FOUND, found=False, note="a yes/no question needs a model that supports choice constraints")
    try:
        completion = runner.complete(
            ANSWER_FROM_EVIDENCE.render(evidence=evidence, question=analysis.question), max_tokens=4, constraint=Choice(("yes", "no"))
        )
    except RunnerError as error:
        return Reading(NOT_FOUND, found=False, note=f"the model could not decide: {error}")
    return Reading(completion.text.strip(), [cite(item) for item in chosen[:2]], note="yes/no chosen by the model")


def _model_choice(runner: Runner, item: EvidenceItem, analysis: QueryAnalysis, options: Sequence[str]) -> str | None:
    messages = EXTRACT_ANSWER.render(sentence=" ".join(item.text.split()), question=analysis.question)
    try:
        completion = runner.complete(messages, max_tokens=48, constraint=Choice(tuple(options)))
    except RunnerError:
        return None
    text = completion.text.strip()
    return text if text in options else None


def generative(pool: EvidencePool, analysis: QueryAnalysis, runner: Runner, *, evidence_limit: int = 12) -> Reading:
    items = pool.ranked(evidence_limit)
    if not items or items[0].score <= 0:
        return Reading(NOT_FOUND, found=False, note="no evidence matched the question")
    evidence = pool.render(items, max_chars=600)
    by_number = {f"E{n}": item for n, item in enumerate(items, start=1)}
    if "json_schema" in runner.capabilities.constraints:
        # bounded strings: a small model that rambles still closes its JSON inside max_tokens
        schema = {
            "type": "object",
            "properties": {"answer": {"type": "string", "maxLength": 300},
                           "quotes": {"type": "array", "items": {"type": "string", "maxLength": 300}, "maxItems": 3}},
            "required": ["answer", "quotes"],
        }
        completion = runner.complete(
            ANSWER_WITH_QUOTES.render(evidence=evidence, question=analysis.question),
            max_tokens=400,
            constraint=JsonSchema(schema, "answer"),
        )
        try:
            data = json.loads(completion.text)
            answer, quotes = str(data.get("answer", "")).strip(), [str(q) for q in data.get("quotes", [])]
        except (json.JSONDecodeError, AttributeError):
            # cut off mid-object: keep the answer string if it was finished, never the raw JSON
            answer, quotes = _salvaged_answer(completion.text), []
    else:
        completion = runner.complete(ANSWER_FROM_EVIDENCE.render(evidence=evidence, question=analysis.question), max_tokens=200)
        answer, quotes = completion.text.strip(), []
    if is_not_found(answer):
        return Reading(NOT_FOUND, found=False, note="the model found no answer in the evidence")
    citations = []
    for quote in quotes:
        # a quote may be given as "[E3]" or copied text; the checker decides if it is real
        label = quote.strip(" []")
        if label in by_number:
            citations.append(cite(by_number[label]))
        else:
            citations.append(Citation("", 0, "", quote))
    if not quotes:
        citations.append(supporting_quote(runner, items, answer, analysis))
    return Reading(answer, citations)


def _salvaged_answer(text: str) -> str:
    """The "answer" string of a JSON object cut off later on, or "not found" (never the raw JSON)."""
    match = re.match(r'\s*\{\s*"answer"\s*:\s*"((?:[^"\\]|\\.)*)"', text)
    if not match:
        return NOT_FOUND
    try:
        return json.loads(f'"{match.group(1)}"', strict=False).strip() or NOT_FOUND  # strict=False: raw newlines
    except json.JSONDecodeError:
        return NOT_FOUND


def supporting_quote(runner: Runner, items: Sequence[EvidenceItem], answer: str, analysis: QueryAnalysis) -> Citation:
    """The evidence sentence that supports ``answer``; decoded verbatim when the runner can."""
    containing = [item for item in items if answer.lower() in item.text.lower()]
    if containing:
        return cite(containing[0])
    if runner.capabilities.verbatim:
        sources = tuple(" ".join(item.text.split()) for item in items[:6])
        completion = runner.complete(
            EXTRACT_ANSWER.render(sentence=" / ".join(sources), question=analysis.question),
            max_tokens=80,
            constraint=Verbatim(sources),
        )
        return Citation("", 0, "", completion.text)
    return cite(items[0])


def cite(item: EvidenceItem) -> Citation:
    """An evidence sentence as a citation, its quote whitespace-normalised."""
    return Citation(item.doc_id, item.page_index, item.page_label, " ".join(item.text.split()))
