"""Operators execute a question plan whatever the document's wording.

``absent_subjects`` answers "not found" when the document never names what the question is
about; ``compute`` runs the operators that work on the text itself (counting, top-k, chains);
``read_plan`` reads an answer from gathered evidence by the plan's intent.
"""

from __future__ import annotations

import re

from lcagent.agents.base import AgentContext
from lcagent.agents.evidence import EvidencePool
from lcagent.agents.operators.bridge import bridge
from lcagent.agents.operators.compare import compare, same_nationality, shared
from lcagent.agents.operators.counting import count, top_k
from lcagent.agents.operators.links import follow_chain
from lcagent.agents.operators.lookup import all_values, lookup, lookup_each
from lcagent.agents.operators.overview import overview
from lcagent.agents.operators.tables import read_table
from lcagent.agents.reader import Reading, extractive, not_found
from lcagent.query.lexicon import STOPWORDS
from lcagent.query.plan import QuestionPlan
from lcagent.runners.base import Runner

# intents whose subjects must be in the document for any answer to exist
_NEEDS_SUBJECTS = ("lookup", "multi_lookup", "all_values", "chain", "bridge")


def absent_subjects(plan: QuestionPlan, context: AgentContext) -> Reading | None:
    """"not found" when the document never mentions the question's subject (for several subjects:
    when it mentions none of them), or none of the years its qualifiers restrict it to."""
    workspace, doc_ids = context.workspace, context.doc_ids
    if plan.intent in _NEEDS_SUBJECTS and plan.subjects:
        missing = [s for s in plan.subjects if not mentions(workspace, s, doc_ids)]
        opening = [s for s in missing if _opens_sentence(plan.question, s)]
        if opening and len(opening) < len(plan.subjects) and len(missing) == len(opening):
            # "Somewhere in here there's a number for X", "Cross-referencing IDs here. For X, ...":
            # capitalised only because it opens a sentence, and not in the text: no subject
            context.trace.note("ignored sentence openers", opening)
            missing = []
        if missing and (plan.intent != "multi_lookup" or len(missing) == len(plan.subjects)):
            context.trace.note("absent subjects", missing)
            return not_found(f"the document never mentions {', '.join(repr(m) for m in missing)}")
    years = [y for q in plan.qualifiers for y in _years(q)]
    if years and plan.intent in _NEEDS_SUBJECTS and not any(mentions(workspace, y, doc_ids) for y in years):
        context.trace.note("absent qualifiers", years)
        return not_found(f"the document never mentions {' or '.join(years)}")
    return None


def _opens_sentence(question: str, subject: str) -> bool:
    at = question.find(subject)
    return at == 0 or (at > 0 and question[:at].rstrip()[-1:] in (".", "!", "?", ":"))


def mentions(workspace, text: str, doc_ids) -> bool:
    """Does the document hold every word of ``text`` (not necessarily together)?"""
    words = [w for w in re.findall(r"\w+", text) if w.lower() not in STOPWORDS] or re.findall(r"\w+", text)
    return all(workspace.document_frequency(word, doc_ids)[0] > 0 for word in words)


def _years(qualifier: str) -> list[str]:
    return re.findall(r"(?:1[5-9]|20)\d\d", qualifier)


def compute(plan: QuestionPlan, context: AgentContext) -> Reading | None:
    """Operators that compute the answer from the text itself; None when the plan needs evidence reading."""
    if plan.intent == "count":
        return count(plan, context)
    if plan.intent == "top_k":
        return top_k(plan, context)
    if plan.intent == "chain":
        return follow_chain(plan, context)
    if plan.intent == "summary":
        return overview(plan, context)
    return None


def read_plan(plan: QuestionPlan, pool: EvidencePool, context: AgentContext, *, runner: Runner | None) -> Reading:
    if plan.intent == "multi_lookup":
        return lookup_each(plan, pool, context, runner)
    if plan.intent == "all_values":
        return all_values(plan, pool, context)
    if plan.intent == "lookup":
        table = read_table(plan, pool, context)
        if table is not None:
            return table
    if plan.intent in ("choose", "yes_no"):
        compared = compare(plan, pool, context) or same_nationality(plan, pool, context) or shared(plan, pool, context)
        if compared is not None:
            return compared
    if plan.intent == "bridge":
        return bridge(plan, pool, context, runner) or lookup(plan, pool, runner)
    if plan.intent in ("lookup", "chain"):
        return lookup(plan, pool, runner)  # a chain the text does not state: its subject's value, looked up
    return extractive(pool, plan, runner)


__all__ = ["absent_subjects", "compute", "read_plan"]
