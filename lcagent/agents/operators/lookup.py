"""Lookups: one fact about a subject, the same fact for several subjects, every value of one.

Each reads only sentences that name the subject when there are any, so a sentence about
another key never answers for this one; several subjects get one cited answer each.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.candidates import Candidate
from lcagent.agents.evidence import EvidenceItem, EvidencePool
from lcagent.agents.reader import Reading, cite, extractive, not_found, typed_candidates
from lcagent.agents.seeding import observe
from lcagent.query.plan import QuestionPlan
from lcagent.runners.base import Runner


def names_subject(text: str, subject: str) -> bool:
    """Does ``text`` name ``subject`` as a whole word (case-insensitive)?"""
    return re.search(r"(?<![\w-])" + re.escape(subject) + r"(?![\w-])", text, re.I) is not None


def prominent(workspace, subject: str, doc_id: str) -> bool:
    """Is the document about ``subject``: named in its title or first pages, or in many of its chunks?"""
    document = workspace.get(doc_id)
    if document is None:
        return False
    if subject.lower() in f"{document.title or ''} {document.name}".lower():
        return True
    if any(subject.lower() in page.text.lower() for page in workspace.pages(doc_id, 1, W.FIRST_PAGES)):
        return True
    found, total = workspace.document_frequency(subject, [doc_id])
    return total > 0 and found / total >= W.PROMINENT_SHARE


NEIGHBOURHOOD = 240  # characters around a sentence naming the subject ("Its final keeper, ...")


def about(pool: EvidencePool, subject: str, *, nearby: bool = False) -> EvidencePool:
    """The sentences that name ``subject``; with ``nearby`` also those right around them on the
    same page (prose names a thing once, then says "it")."""
    anchors = [item for item in pool.items.values() if names_subject(item.text, subject)]
    if not nearby:
        return pool.subset(lambda item: names_subject(item.text, subject))
    near = {(a.doc_id, a.page_index) for a in anchors}

    def keep(item: EvidenceItem) -> bool:
        if (item.doc_id, item.page_index) not in near:
            return False
        return any(a.doc_id == item.doc_id and abs(a.char_start - item.char_start) <= NEIGHBOURHOOD + len(a.text)
                   for a in anchors)
    return pool.subset(keep)


PARAGRAPH_REACH = 1500  # characters after a sentence naming a subject that may still be about it
HEADING_WORDS = 8  # a line this short without closing punctuation is a heading


def about_entity(pool: EvidencePool, entity: str) -> EvidencePool:
    """The sentences about ``entity``: those naming it, those opening with a pronoun after one
    that does, and the rest of the paragraph a sentence naming it opens (an encyclopedia
    paragraph names its subject once: "As of 2010, the county population was 9,984") or a
    heading naming it stands over ("Arthur Conan Doyle" over "Sir Arthur Ignatius Conan Doyle
    (22 May 1859 - ...)": the paragraph is read into the pool)."""
    anchors = [item for item in pool.items.values() if names_subject(item.text, entity)]
    for anchor in anchors:
        if _heading(anchor):
            _read_paragraph_under(pool, anchor)
    named = {anchor.key() for anchor in anchors}  # (an item's key, not its fields, says which sentence it is)
    return pool.subset(lambda item: item.key() in named or (bool(item.before) and names_subject(item.before, entity))
                       or any(in_paragraph_of(pool, anchor, item) for anchor in anchors))


def in_paragraph_of(pool: EvidencePool, anchor: EvidenceItem, item: EvidenceItem) -> bool:
    """Is ``item`` later in the paragraph ``anchor`` opens (or under the heading ``anchor`` is)?"""
    if item.doc_id != anchor.doc_id or item.page_index != anchor.page_index:
        return False
    if not 0 < item.char_start - anchor.char_start <= PARAGRAPH_REACH:
        return False
    page = pool.page(item.doc_id, item.page_index)
    between = page.text[anchor.char_start - page.char_start: item.char_start - page.char_start]
    if _heading(anchor):
        between = between[len(anchor.text):].lstrip("\n")
    return "\n" not in between.strip()


def _heading(item: EvidenceItem) -> bool:
    """Does the sentence end with a heading line ("Document 4:\nArthur Conan Doyle")?"""
    last = item.text.strip().split("\n")[-1].strip()
    return 0 < len(last.split()) <= HEADING_WORDS and last[-1:] not in ".!?:;,"


def _read_paragraph_under(pool: EvidencePool, heading: EvidenceItem) -> None:
    page = pool.page(heading.doc_id, heading.page_index)
    start = heading.char_start - page.char_start + len(heading.text)
    rest = page.text[start:]
    body = rest.lstrip("\n")
    if len(rest) - len(body) > 2 or not body:
        return  # a blank line and more: the heading stands over nothing here
    line = body.split("\n", 1)[0][:PARAGRAPH_REACH]
    pool.add_text(heading.doc_id, line, page.char_start + start + (len(rest) - len(body)), "read")


def lookup(plan: QuestionPlan, pool: EvidencePool, runner: Runner | None) -> Reading:
    """One fact: read from all the evidence; the subject's idf weight ranks sentences about it first."""
    return extractive(pool, plan, runner)


def lookup_each(plan: QuestionPlan, pool: EvidencePool, context: AgentContext, runner: Runner | None) -> Reading:
    """The same question for each subject: one answer per subject, each cited."""
    parts, citations, missing = [], [], []
    for subject in plan.subjects:
        single = replace(plan, intent="lookup", subjects=(subject,), options=())
        focused = about(pool, subject)
        if not focused.items:
            # the seeded searches favoured other subjects: look this one up on its own
            context.progress(Progress("search", subject))
            observe(context.use_tool("grep", {"pattern": subject, "literal": True}), pool, "grep")
            focused = about(pool, subject)
        reading = extractive(focused, single, runner) if focused.items else not_found("")
        if not reading.found:
            nearby = about(pool, subject, nearby=True)  # "Its final keeper, ...": the sentence after the name
            reading = extractive(nearby, single, runner) if nearby.items else reading
        if reading.found:
            parts.append(f"{subject}: {reading.text}")
            citations.extend(c for c in reading.citations if c not in citations)
        else:
            missing.append(subject)
    context.trace.note("lookup each", {"subjects": list(plan.subjects), "answered": parts, "missing": missing})
    if not parts:
        return not_found(f"nothing found for {', '.join(missing)}")
    text = "; ".join(parts + [f"{m}: not found" for m in missing])
    share = len(parts) / len(plan.subjects)
    return Reading(text, citations, note=f"one answer per subject ({len(parts)} of {len(plan.subjects)} found)",
                   confidence=share)


def all_values(plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading:
    """Every value the document gives for the subject, each from its own sentence, deduplicated."""
    if plan.subjects:
        subject = plan.subjects[0]
        context.progress(Progress("grep", subject))
        observe(context.use_tool("grep", {"pattern": subject, "literal": True}), pool, "grep")
        focused = about(pool, subject)
    else:
        focused = pool
    best = focused.best_score()
    sentences: list[EvidenceItem] = [item for item in focused.ranked(60) if item.score > 0 and item.score >= 0.5 * best]
    picks: list[Candidate] = []
    single = replace(plan, intent="lookup")
    for item in sentences:
        options = typed_candidates([item], single)
        if options and options[0].text not in {p.text for p in picks}:
            picks.append(options[0])
    if not picks:
        return not_found("no sentence about the subject held a value of the asked type")
    picks.sort(key=lambda c: (c.item.doc_id, c.item.char_start))
    return Reading(", ".join(c.text for c in picks), [cite(c.item) for c in picks],
                   note=f"{len(picks)} values from sentences naming the subject")
