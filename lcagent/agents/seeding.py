"""The first evidence of every evidence strategy, from the plan alone: searches for each
subject with the relation and for all the question's terms, and greps for its exact strings."""

from __future__ import annotations

from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.query.plan import QuestionPlan
from lcagent.records import GrepHit, SearchHit
from lcagent.tools.base import ToolResult

SEARCHES = 4
PASSAGES_PER_SEARCH = 6
GREPS = 4


def seed_evidence(plan: QuestionPlan, context: AgentContext) -> EvidencePool:
    pool = EvidencePool(context.workspace, TermWeights.for_question(context.workspace, plan, context.doc_ids))
    for query in plan.search_queries()[:SEARCHES]:
        context.progress(Progress("search", query))
        observe(context.use_tool("search", {"query": query, "k": PASSAGES_PER_SEARCH}), pool, "search")
    for pattern in plan.exact_patterns()[:GREPS]:
        context.progress(Progress("grep", pattern))
        observe(context.use_tool("grep", {"pattern": pattern, "literal": True}), pool, "grep")
    return pool


def observe(result: ToolResult, pool: EvidencePool, source: str) -> int:
    """Add what a tool returned (passages, lines, pages) to the pool; return how many sentences were new."""
    if not result.ok or not isinstance(result.data, list):
        return 0
    added = 0
    for item in result.data:
        if isinstance(item, SearchHit):
            added += pool.add_chunk(item.chunk, source)
        elif isinstance(item, GrepHit):
            page = pool.workspace.page(item.doc_id, item.page_index)
            added += pool.add_line(item.doc_id, page, item.line, source)
        elif hasattr(item, "char_start") and hasattr(item, "label"):  # a Page from read
            added += pool.add_page(item, source)
    return added
