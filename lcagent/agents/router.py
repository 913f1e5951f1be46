"""``--strategy auto``: pick a strategy from the document's size against the runner's window
and from the kind of question, and say why."""

from __future__ import annotations

from dataclasses import dataclass

from lcagent.agents.analysis import QueryAnalysis

STRATEGIES = ("auto", "tools", "chain", "mapreduce", "full", "rag", "memex", "hypergraph")


@dataclass(frozen=True)
class Route:
    strategy: str
    reason: str


def choose(analysis: QueryAnalysis, *, document_tokens: int, context_window: int, reader: str,
           explored: bool = False) -> Route:
    """``explored``: the indexed experience memory already holds entries for the document."""
    fits = document_tokens + 800 < context_window
    size = f"{document_tokens:,} tokens against a {context_window:,}-token window"
    if analysis.kind == "summary":
        if fits:
            return Route("full", f"a summary of a document that fits the window ({size})")
        return Route("mapreduce", f"a summary needs every part of the document, read in windows ({size})")
    if analysis.kind == "aggregate":
        return Route("tools", f"an aggregate over the whole text is counted exactly by tools ({size})")
    if fits and reader == "generative":
        return Route("full", f"the whole document fits the window ({size})")
    if analysis.kind == "chain" and analysis.plural:
        return Route("tools", f"lists every entity linked through a chain: followed hop by hop with grep ({size})")
    if analysis.kind == "chain" and not fits:
        return Route("hypergraph", f"a multi-hop question: entities found in each hop steer the next retrieval ({size})")
    if analysis.spread and not fits:
        return Route("hypergraph", f"draws on several places in the document: each aspect becomes a memory unit and "
                                   f"uncovered aspects are searched next ({size})")
    if explored and analysis.kind == "fact" and not fits:
        return Route("memex", f"a follow-up on a document already explored: reuse the archived findings ({size})")
    if analysis.kind == "chain":
        return Route("tools", f"a chain of facts is followed hop by hop with search and grep ({size})")
    if fits:
        return Route("tools", f"a specific fact: retrieval and extraction beat reading it all with a small model ({size})")
    return Route("tools", f"a specific fact in a document larger than the window: retrieve first ({size})")
