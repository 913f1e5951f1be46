"""Turning ranked evidence into an answer, extractively.

The answer is a span copied from the best evidence sentences, chosen by the plan's answer type
and closeness to the question's words, and checked against the type (a year question gets a
year, or "not found"); the model only breaks ties or picks among options, under a Choice
constraint. Made for small local models; ``generative`` lets bigger models write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from lcagent.agents import weights as W
from lcagent.agents.candidates import Candidate, candidates, fits_type
from lcagent.agents.evidence import EvidenceItem, EvidencePool
from lcagent.prompts import ANSWER_FROM_EVIDENCE, EXTRACT_ANSWER
from lcagent.query.plan import QuestionPlan
from lcagent.records import Citation
from lcagent.runners.base import Choice, Runner, RunnerError

NOT_FOUND = "not found in the document"


def is_not_found(answer: str) -> bool:
    """An empty answer, or the model saying the text does not contain one."""
    return not answer or answer.lower().strip(" .") in {"not found", NOT_FOUND}


@dataclass
class Reading:
    text: str
    citations: list[Citation] = field(default_factory=list)
    found: bool = True
    note: str = ""
    confidence: float | None = None  # None: the pipeline's check computes it from the evidence
    evidence_pages: list[tuple[str, int]] = field(default_factory=list)  # what the reader saw, best first


def not_found(note: str) -> Reading:
    return Reading(NOT_FOUND, found=False, note=note, confidence=0.0)


def answer_sentences(pool: EvidencePool, plan: QuestionPlan, *, limit: int = 8) -> list[EvidenceItem]:
    """The sentences that carry the answer: the best few, plus near-ties for plural answers."""
    ranked = pool.ranked(40)
    if not ranked or ranked[0].score <= 0:
        return []
    if not plan.plural:
        return ranked[:6]
    best = ranked[0].score
    return [item for item in ranked if item.score >= W.NEAR_BEST * best][:limit]


def extractive(pool: EvidencePool, plan: QuestionPlan, runner: Runner | None) -> Reading:
    chosen = answer_sentences(pool, plan)
    if not chosen:
        return not_found("no sentence matched the question's terms")
    if plan.options and runner is not None and "choice" in runner.capabilities.constraints:
        return one_of_the_options(pool, chosen, plan, runner)
    if plan.answer_type == "yes_no":
        return yes_or_no(per_aspect(pool, chosen, plan), plan, runner)
    if plan.answer_type == "sentence" and not plan.plural:
        # "how did ...", "why ...": a copied span would be a fragment; the best sentence is the answer
        best = chosen[0]
        return Reading(" ".join(best.text.split()), [cite(best)], note="a how/why question: the best-matching sentence")
    if plan.plural:
        return _plural(chosen, plan)
    return best_span(chosen, plan, runner)


def typed_candidates(items: Sequence[EvidenceItem], plan: QuestionPlan) -> list[Candidate]:
    """Candidates from ``items`` that pass the answer-type check, weighed by their sentence's score."""
    best_sentence = max((item.score for item in items), default=0.0) or 1.0
    options = sorted(
        (Candidate(c.text, c.score + W.SENTENCE_MATCH * item.score / best_sentence, item, c.kind)
         for item in items for c in candidates(item, plan) if fits_type(c.text, plan.answer_type)),
        key=lambda c: -c.score,
    )
    return list({c.text: c for c in reversed(options)}.values())[::-1]


def best_span(chosen: Sequence[EvidenceItem], plan: QuestionPlan, runner: Runner | None) -> Reading:
    options = typed_candidates(chosen, plan)
    if not options:
        return not_found(f"the best sentences hold no {plan.answer_type.replace('_', ' ')}")
    best = options[0]
    close = [c for c in options[:4] if best.score - c.score < W.CLOSE_CANDIDATES]
    if _names_subjects(best.item, plan):
        # a value from a sentence about another subject is no rival of one from a sentence about this one
        close = [c for c in close if _names_subjects(c.item, plan)]
    note = "picked by answer type and closeness to the question's words"
    if len(close) > 1 and runner is not None and "choice" in runner.capabilities.constraints:
        picked = _model_choice(runner, best.item, plan, [c.text for c in close])
        if picked is not None:
            best = next(c for c in close if c.text == picked)
            note = f"model chose among {len(close)} close candidates"
    return Reading(best.text, [cite(best.item)], note=note)


def _names_subjects(item: EvidenceItem, plan: QuestionPlan) -> bool:
    """Does the sentence (or the one its opening pronoun refers to) name every subject of the plan?"""
    text = f"{item.before} {item.text}".lower()
    return bool(plan.subjects) and all(subject.lower() in text for subject in plan.subjects)


def _plural(chosen: Sequence[EvidenceItem], plan: QuestionPlan) -> Reading:
    picks: list[Candidate] = []
    for item in chosen:
        options = typed_candidates([item], plan)
        if options:
            picks.append(options[0])
    if not picks:
        return not_found("matching sentences held no answer span of the asked type")
    picks.sort(key=lambda c: (c.item.doc_id, c.item.char_start))
    answer = ", ".join(dict.fromkeys(c.text for c in picks))
    return Reading(answer, [cite(c.item) for c in picks])


def per_aspect(pool: EvidencePool, chosen: Sequence[EvidenceItem], plan: QuestionPlan) -> list[EvidenceItem]:
    """For a question about several things, the best sentence about each first (the top sentences
    overall may all be about one of them), then the rest of ``chosen``."""
    aspects = plan.aspects()
    if not aspects:
        return list(chosen)
    ranked = pool.ranked(200)
    firsts: list[EvidenceItem] = []
    for aspect in aspects[:4]:
        about = next((item for item in ranked if aspect.lower() in item.text.lower() and item not in firsts), None)
        if about is not None:
            firsts.append(about)
    return firsts + [item for item in chosen if item not in firsts]


def numbered(items: Sequence[EvidenceItem]) -> str:
    """Evidence sentences as "[E1] ..." lines for a prompt."""
    return "\n".join(f"[E{n}] {' '.join(item.text.split())}" for n, item in enumerate(items, start=1))


def one_of_the_options(pool: EvidencePool, chosen: Sequence[EvidenceItem], plan: QuestionPlan, runner: Runner) -> Reading:
    """"Who is older, A or B?": the model picks one of the question's own options (a Choice
    constraint), from the best sentence about each option; each of those sentences is cited."""
    evidence_items = per_aspect(pool, chosen, plan)[:6]
    try:
        completion = runner.complete(ANSWER_FROM_EVIDENCE.render(evidence=numbered(evidence_items), question=plan.question),
                                     max_tokens=32, constraint=Choice(tuple(plan.options)))
    except RunnerError as error:
        return not_found(f"the model could not choose: {error}")
    about = [item for item in evidence_items if any(o.lower() in item.text.lower() for o in plan.options)]
    return Reading(completion.text.strip(), [cite(item) for item in (about or evidence_items)[: len(plan.options)]],
                   note="chosen by the model among the question's options")


def yes_or_no(chosen: Sequence[EvidenceItem], plan: QuestionPlan, runner: Runner | None) -> Reading:
    """A yes/no question: the model decides from the best evidence, constrained to the two words."""
    if runner is None or "choice" not in runner.capabilities.constraints:
        return not_found("a yes/no question needs a model that supports choice constraints")
    try:
        completion = runner.complete(ANSWER_FROM_EVIDENCE.render(evidence=numbered(chosen[:4]), question=plan.question),
                                     max_tokens=4, constraint=Choice(("yes", "no")))
    except RunnerError as error:
        return not_found(f"the model could not decide: {error}")
    return Reading(completion.text.strip(), [cite(item) for item in chosen[:2]], note="yes/no chosen by the model")


def _model_choice(runner: Runner, item: EvidenceItem, plan: QuestionPlan, options: Sequence[str]) -> str | None:
    messages = EXTRACT_ANSWER.render(sentence=" ".join(item.text.split()), question=plan.question)
    try:
        completion = runner.complete(messages, max_tokens=48, constraint=Choice(tuple(options)))
    except RunnerError:
        return None
    text = completion.text.strip()
    return text if text in options else None


def cite(item: EvidenceItem) -> Citation:
    """An evidence sentence as a citation, its quote whitespace-normalised."""
    return Citation(item.doc_id, item.page_index, item.page_label, " ".join(item.text.split()))
