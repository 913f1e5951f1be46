"""One pipeline for the evidence strategies: plan → seed evidence → gather → read → check.

``EvidenceStrategy.answer`` is the template; a strategy (tools, memex, hypergraph) supplies only
``gather``, the step that differs: how it looks for more evidence once the seeded evidence is in
the pool. Operators that work on the text itself (counting, chains) run before any evidence is
gathered; the reading step dispatches on the plan's intent; the check step types the answer,
scores how well the evidence supports it, and names the closest pages.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from lcagent.agents import operators
from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.candidates import fits_type
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.agents.generative import generative
from lcagent.agents.operators.lookup import prominent
from lcagent.agents.reader import Reading, not_found
from lcagent.agents.seeding import seed_evidence
from lcagent.query import analyse
from lcagent.query.plan import QuestionPlan
from lcagent.runners.tracing import BudgetExceeded


class Strategy:
    """What every strategy is: a name, a one-line description, and ``answer``."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def answer(self, question: str, context: AgentContext) -> Reading:
        raise NotImplementedError


class EvidenceStrategy(Strategy):
    """The template method. Subclasses override ``gather`` (and rarely ``seed`` or ``read``)."""

    def answer(self, question: str, context: AgentContext) -> Reading:
        plan = context.plan or analyse(question)
        context.trace.note("plan", plan.to_dict())
        absent = operators.absent_subjects(plan, context)
        if absent is not None:
            return absent
        computed = operators.compute(plan, context)
        if computed is not None:
            return computed
        pool = self.seed(plan, context)
        self.gather(plan, pool, context)
        context.trace.note("evidence", {"items": len(pool.items), "best_score": round(pool.best_score(), 3),
                                        "pages": [f"{d[:8]}:{p}" for d, p in pool.pages(8)]})
        context.progress(Progress("answer", "reading the evidence"))
        try:
            reading = self.read(plan, pool, context)
        except BudgetExceeded as spent:
            # the partial answer: what the evidence gathered so far gives without the model
            context.trace.note("budget spent", str(spent))
            reading = operators.read_plan(plan, pool, context, runner=None)
        return check(plan, reading, pool, typed=context.reader_mode() != "generative")

    def seed(self, plan: QuestionPlan, context: AgentContext) -> EvidencePool:
        """The first evidence, from the plan alone (searches per subject, greps for exact strings)."""
        return seed_evidence(plan, context)

    def gather(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> None:
        """Look for more evidence beyond the seeded pool (the step strategies differ in)."""

    def read(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading:
        if context.reader_mode() == "generative" and plan.intent not in ("multi_lookup", "all_values"):
            return generative(pool, plan, context.runner)
        return operators.read_plan(plan, pool, context, runner=context.runner)


def check(plan: QuestionPlan, reading: Reading, pool: EvidencePool | None, *, typed: bool = True) -> Reading:
    """Type the answer, score its support, and attach the pages that were read.

    Confidence is the share of the question's weight the cited sentences cover, raised when
    they also name the plan's subjects; the caller turns a low confidence into "not found".
    ``typed``: check the answer's type (extracted spans; a model writing a sentence is not checked).
    """
    pages = pool.pages(10) if pool is not None else []
    if typed and reading.found and not plan.plural and plan.intent not in ("choose", "yes_no", "summary") \
            and not fits_type(reading.text, plan.answer_type):
        reading = not_found(f"the answer {reading.text!r} is not a {plan.answer_type.replace('_', ' ')}")
    if reading.confidence is None:
        reading.confidence = support(plan, reading, pool) if reading.found else 0.0
    reading.evidence_pages = pages
    return reading


def support(plan: QuestionPlan, reading: Reading, pool: EvidencePool | None) -> float:
    """How well the cited sentences support the answer, 0-1."""
    if pool is None or not reading.citations:
        return 0.5
    quotes = " ".join(c.quote for c in reading.citations)
    coverage = pool.weights.coverage(quotes)
    named = [s for s in plan.subjects if len(s) >= 2]
    if not named:
        return coverage
    lowered = quotes.lower()
    cited_pages = " ".join(pool.page_text(c.doc_id, c.page_index) for c in reading.citations if c.doc_id).lower()
    docs = {c.doc_id for c in reading.citations if c.doc_id}
    # a subject named in the quote counts fully; on the cited page (a heading, a table title)
    # mostly; a subject the document is about (a company's name all over its own filing) half;
    # one it mentions only in passing, away from the answer, not at all ("Lyft" in Uber's 10-K)
    named_score = sum(1.0 if s.lower() in lowered else W.SUBJECT_ON_PAGE if s.lower() in cited_pages
                      else W.SUBJECT_MISSING if any(prominent(pool.workspace, s, doc) for doc in docs) else 0.0
                      for s in named) / len(named)
    return 0.5 * named_score + 0.5 * coverage


def plan_for(question: str, context: AgentContext) -> QuestionPlan:
    """The run's plan (analysed once by the caller), or a fresh one for a strategy run alone."""
    return context.plan or analyse(question)


def weights_for(plan: QuestionPlan, context: AgentContext) -> TermWeights:
    return TermWeights.for_question(context.workspace, plan, context.doc_ids)


__all__ = ["Strategy", "EvidenceStrategy", "check", "support", "plan_for", "replace"]
