"""``--strategy auto``: pick a strategy from the question's plan and the document's size against
the runner's window, and say why."""

from __future__ import annotations

from dataclasses import dataclass

from lcagent.query.plan import QuestionPlan

# the names ``--strategy`` accepts; lcagent.agents.registry maps each (but auto) to its class
STRATEGIES = ("auto", "tools", "chain", "mapreduce", "full", "rag", "memex", "hypergraph")


@dataclass(frozen=True)
class Route:
    strategy: str
    reason: str


def choose(plan: QuestionPlan, *, document_tokens: int, context_window: int, reader: str,
           explored: bool = False) -> Route:
    """``explored``: the indexed experience memory already holds entries for the document."""
    fits = document_tokens + 800 < context_window
    size = f"{document_tokens:,} tokens against a {context_window:,}-token window"
    if plan.intent == "summary":
        if fits:
            return Route("full", f"a summary of a document that fits the window ({size})")
        if reader == "generative":
            return Route("mapreduce", f"a summary needs every part of the document, read in windows ({size})")
        return Route("tools", f"a summary with a small model: built from the title, outline and section leads ({size})")
    if plan.intent in ("count", "top_k"):
        return Route("tools", f"an aggregate over the whole text is counted exactly by tools ({size})")
    if plan.intent == "chain":
        return Route("tools", f"a chain of links between named things, followed hop by hop with grep ({size})")
    if fits and reader == "generative":
        return Route("full", f"the whole document fits the window ({size})")
    if plan.intent == "bridge" and not fits and reader == "generative":
        return Route("hypergraph", f"a multi-hop question: entities found in each hop steer the next retrieval ({size})")
    if plan.intent == "bridge":
        # a small model cannot steer a memory; the bridge operator greps each hop itself
        return Route("tools", f"a multi-hop question: the entity the first hop names is looked up in a second ({size})")
    # a change or comparison told in prose ("how did prices change from 2019 to 2023?"); yes/no and
    # choices about several things stay with tools, whose seeding searches each thing and whose
    # reader sees evidence about each
    spread = plan.intent == "lookup" and plan.answer_type == "sentence"
    if spread and len(plan.aspects()) >= 2 and not fits:
        return Route("hypergraph", f"draws on several places in the document (options, subjects or periods): each "
                                   f"becomes a memory unit and uncovered ones are searched next ({size})")
    if explored and plan.intent == "lookup" and not fits:
        return Route("memex", f"a follow-up on a document already explored: reuse the archived findings ({size})")
    if plan.intent == "multi_lookup":
        return Route("tools", f"the same question for {len(plan.subjects)} subjects: one lookup each ({size})")
    if fits:
        return Route("tools", f"a specific fact: retrieval and extraction beat reading it all with a small model ({size})")
    return Route("tools", f"a specific fact in a document larger than the window: retrieve first ({size})")
