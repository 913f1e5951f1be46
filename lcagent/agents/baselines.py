"""Baselines every other strategy is measured against.

``full``: the document, truncated to the runner's window (head and tail), in one call.
``rag``: plain bm25 top-k chunks that fit the same window, in one call.
"""

from __future__ import annotations

from lcagent.query import analyse
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.agents.reader import NOT_FOUND, Reading, cite, is_not_found
from lcagent.agents.fitting import truncate_middle
from lcagent.prompts import ANSWER_FROM_EVIDENCE, FULL_CONTEXT
from lcagent.records import Citation

ANSWER_TOKENS = 120


def _answer_tokens_room(context: AgentContext, overhead_text: str) -> int:
    runner = context.runner
    overhead = runner.prompt_tokens(FULL_CONTEXT.render(document="", question=overhead_text))
    return max(256, runner.context_window - overhead - ANSWER_TOKENS - 32)


def _cite_answer(context: AgentContext, answer: str) -> list[Citation]:
    """The first stored line that contains the answer, if any: a checkable pointer for a free answer."""
    if len(answer) < 4 or answer == NOT_FOUND:  # a short answer ("12") matches lines that say nothing about it
        return []
    first = context.first_line_citation(answer[:80])
    return [first] if first else []


def _finish(text: str) -> str:
    cleaned = text.strip().split("\n")[0].strip()
    return cleaned


class FullContext:
    name = "full"

    def answer(self, question: str, context: AgentContext) -> Reading:
        runner = context.runner
        text = "\n\n".join(context.workspace.text(doc_id) for doc_id in context.doc_ids)
        budget = _answer_tokens_room(context, question)
        context.progress(Progress("read", f"whole document, up to {budget} tokens"))
        shown = truncate_middle(text, budget, runner.count_tokens)
        context.trace.note("full context", {"document_chars": len(text), "shown_chars": len(shown), "budget_tokens": budget})
        completion = runner.complete(FULL_CONTEXT.render(document=shown, question=question), max_tokens=ANSWER_TOKENS)
        answer = _finish(completion.text)
        if is_not_found(answer):
            return Reading(NOT_FOUND, found=False)
        return Reading(answer, _cite_answer(context, answer))


class BM25Rag:
    name = "rag"

    def __init__(self, k: int = 20) -> None:
        self.k = k

    def answer(self, question: str, context: AgentContext) -> Reading:
        runner = context.runner
        context.progress(Progress("search", question))
        result = context.use_tool("search", {"query": question, "k": self.k})
        hits = result.data if result.ok and result.data else []
        budget = _answer_tokens_room(context, question)
        chosen, used = [], 0
        for hit in hits:
            cost = runner.count_tokens(hit.chunk.text) + 12
            if used + cost > budget:
                break
            chosen.append(hit)
            used += cost
        if not chosen:
            return Reading(NOT_FOUND, found=False, note="bm25 found no passage")
        evidence = "\n\n".join(f"[{n}] p. {h.chunk.page_start}: {h.chunk.text}" for n, h in enumerate(chosen, start=1))
        completion = runner.complete(ANSWER_FROM_EVIDENCE.render(evidence=evidence, question=question), max_tokens=ANSWER_TOKENS)
        answer = _finish(completion.text)
        if is_not_found(answer):
            return Reading(NOT_FOUND, found=False)
        # cite the retrieved sentence that best matches the answer and question
        analysis = analyse(question + " " + answer)
        pool = EvidencePool(context.workspace, TermWeights.for_question(context.workspace, analysis, context.doc_ids))
        for hit in chosen:
            pool.add_chunk(hit.chunk)
        best = pool.ranked(1)
        citations = [cite(b) for b in best]
        return Reading(answer, citations)
