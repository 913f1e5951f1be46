"""Bridge questions: the answer is about an entity the question describes but does not name.

"What position did the woman who played Corliss Archer in Kiss and Tell hold?" is two lookups:
the sentences naming what the question does name (Corliss Archer, Kiss and Tell) name the
bridge entity (the actress); the answer is then looked up about that entity, with the words
the first hop did not use ("position", "held") as the question. Each hop is an ordinary typed
lookup over the evidence pool, so this works whatever the wording; both sentences are cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidenceItem, EvidencePool, TermWeights
from lcagent.agents.operators.lookup import about_entity, names_subject
from lcagent.agents.reader import Reading, cite, extractive
from lcagent.agents.seeding import observe
from lcagent.query import extract
from lcagent.query.lexicon import HEAD_NOUN_TYPES, PERSON_ROLES
from lcagent.query.plan import QuestionPlan
from lcagent.runners.base import Runner

FIRST_HOP_SENTENCES = 4  # sentences that may name the bridge entity
PERSON_SENTENCES = 12  # ... and that may name it when the question describes a person
BRIDGE_ENTITIES = 3  # entities followed to a second hop


@dataclass(frozen=True)
class Hop:
    entity: str
    rank: int  # 0: named by the best first-hop sentence
    via: EvidenceItem  # the sentence that names it


def bridge(plan: QuestionPlan, pool: EvidencePool, context: AgentContext, runner: Runner | None) -> Reading | None:
    """The answer reached through the best bridge entity, or None (the caller reads the pool directly)."""
    hops = bridge_entities(plan, pool)
    context.trace.note("bridge entities", [hop.entity for hop in hops])
    best: tuple[float, Reading] | None = None
    for hop in hops:
        context.progress(Progress("grep", hop.entity))
        observe(context.use_tool("grep", {"pattern": hop.entity, "literal": True}), pool, "grep")
        second = second_hop_plan(plan, hop)
        focused = _about(pool, hop.entity, TermWeights.for_question(context.workspace, second, context.doc_ids))
        if not focused.items:
            continue
        reading = extractive(focused, second, runner)
        if not reading.found or _restates(reading.text, plan, hop):
            context.trace.note("second hop", {"entity": hop.entity, "answer": None, "why": reading.note})
            continue
        # every focused sentence is about the entity (by name or by "she"/"it"): count its name as said
        quote = " ".join([hop.entity] + [c.quote for c in reading.citations])
        fit = description_fit(plan, hop, focused)
        score = focused.weights.coverage(quote) * fit / (1.0 + W.BRIDGE_RANK * hop.rank)
        context.trace.note("second hop", {"entity": hop.entity, "terms": list(second.terms),
                                          "answer": reading.text, "fit": round(fit, 2), "score": round(score, 3)})
        if best is None or score > best[0]:
            via = cite(hop.via)
            citations = [via] + [c for c in reading.citations if c.quote != via.quote]
            best = (score, Reading(reading.text, citations, note=f"through {hop.entity!r}: {reading.note}"))
    context.trace.note("bridge", {"answer": best[1].text, "score": round(best[0], 3)} if best else "no second hop answered")
    return best[1] if best else None


def bridge_entities(plan: QuestionPlan, pool: EvidencePool) -> list[Hop]:
    """Names in the best sentences about what the question names, that the question does not name."""
    ranked = pool.ranked(40)
    if plan.subjects:
        about = {item.key() for s in plan.subjects for item in about_entity(pool, s).items.values()}
        naming = [item for item in ranked if item.key() in about]
        ranked = naming or ranked
    asked = plan.question.casefold()
    person = describes_person(plan)
    hops: dict[str, Hop] = {}
    # "the person who introduced X": a person's name before any other the sentences hold, looked
    # for a little further down when the best sentences name none
    reach = PERSON_SENTENCES if person else FIRST_HOP_SENTENCES
    for rank, item in enumerate(s for s in ranked[:reach] if s.score > 0):
        for name in extract.names(item.text, tails=False):
            folded = name.casefold()
            if len(name) < 3 or folded in asked or any(folded in s.casefold() or s.casefold() in folded
                                                       for s in plan.subjects):
                continue
            if rank >= FIRST_HOP_SENTENCES and not extract.person_like(name):
                continue
            hops.setdefault(name, Hop(name, rank, item))
    ordered = sorted(hops.values(), key=lambda hop: (person and not extract.person_like(hop.entity),
                                                     hop.rank, hop.via.text.find(hop.entity)))
    return ordered[:BRIDGE_ENTITIES]


def describes_person(plan: QuestionPlan) -> bool:
    """Does the phrase describing the unnamed entity name a kind of person ("the woman who",
    "the director of", "the former Indian cricketer who")?"""
    return any(HEAD_NOUN_TYPES.get(t) == "person" or t in PERSON_ROLES for t in description_terms(plan))


def second_hop_plan(plan: QuestionPlan, hop: Hop) -> QuestionPlan:
    """The question about the bridge entity: the words outside the phrase that describes it
    ("When was [the author who wrote the novel X was based on] born?" asks "born" of the
    author), less those the first hop's sentence already matched."""
    described = set(description_terms(plan))
    used = set(extract.terms(hop.via.text))
    left = [t for t in plan.terms if t not in described and t not in used] \
        or [t for t in plan.terms if t not in described] or list(plan.terms)
    return replace(plan, intent="lookup", subjects=(hop.entity,), terms=tuple(left + extract.terms(hop.entity)),
                   relation=" ".join(left) or plan.relation, options=())


def description_terms(plan: QuestionPlan) -> list[str]:
    """The terms of the noun phrase that describes the unnamed entity: from the first
    determiner before a subject to the end of the last subject."""
    lowered = plan.question.casefold()
    spans = [m.span() for s in plan.subjects for m in [re.search(re.escape(s.casefold()), lowered)] if m]
    if not spans:
        return []
    first, last = min(a for a, _ in spans), max(b for _, b in spans)
    opener = re.search(r"\b(?:the|a|an|this|that|whoever|whose)\b", lowered[:first])
    return extract.terms(plan.question[opener.start() if opener else first:last])


def description_fit(plan: QuestionPlan, hop: Hop, focused: EvidencePool) -> float:
    """How well what the document says of the entity matches how the question describes it
    ("the actress who starred in X": is it said to be an actress, to star? is it a person's
    name?), 1/(2(n+1)) to 1."""
    subject_words = {t for s in plan.subjects for t in extract.terms(s)}
    wanted = {extract.stem(t) for t in description_terms(plan) if t not in subject_words}
    person = 1.0 if not describes_person(plan) or extract.person_like(hop.entity) else 0.5
    if not wanted:
        return person
    said = " ".join([hop.via.text] + [item.text for item in focused.items.values() if names_subject(item.text, hop.entity)])
    found = wanted & {extract.stem(t) for t in extract.terms(said)}
    return person * (1 + len(found)) / (1 + len(wanted))


def _about(pool: EvidencePool, entity: str, weights: TermWeights) -> EvidencePool:
    """The pool's sentences about ``entity``, scored afresh by the second hop's words."""
    focused = EvidencePool(pool.workspace, weights)
    focused.prior = pool.prior
    for item in about_entity(pool, entity).items.values():
        focused.add_text(item.doc_id, item.text, item.char_start, item.source)
    return focused


def _restates(answer: str, plan: QuestionPlan, hop: Hop) -> bool:
    """An answer that is the bridge entity or something the question already names answers nothing."""
    folded = answer.casefold()
    return folded in hop.entity.casefold() or folded in plan.question.casefold()
