"""The first evidence of every evidence strategy, from the plan alone.

Searches for each subject with the relation and for all the question's terms, greps for its
exact strings, and ranks pages: the search lists vote for the pages their passages sit on, and
pages whose tables name what is asked (a row label, a table title a hint points at) gain votes.
The best pages go to the reader whole, so a statement's rows and headers are seen together.
"""

from __future__ import annotations

from collections import Counter

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.loaders.table_lookup import _same_word, row_score, words
from lcagent.query.plan import QuestionPlan
from lcagent.records import GrepHit, SearchHit
from lcagent.tools.base import ToolResult

SEARCHES = 4
EXPANDED_SEARCHES = 2  # searches for the line item's other names ("purchases of property and equipment")
PASSAGES_PER_SEARCH = 6
GREPS = 4


def seed_evidence(plan: QuestionPlan, context: AgentContext) -> EvidencePool:
    pool = EvidencePool(context.workspace, TermWeights.for_question(context.workspace, plan, context.doc_ids))
    votes: Counter = Counter()
    for query in [*plan.search_queries()[:SEARCHES], *plan.relation_names()[:EXPANDED_SEARCHES]]:
        context.progress(Progress("search", query))
        result = context.use_tool("search", {"query": query, "k": PASSAGES_PER_SEARCH})
        observe(result, pool, "search")
        for rank, hit in enumerate(result.data if result.ok and isinstance(result.data, list) else [], start=1):
            votes[(hit.chunk.doc_id, hit.chunk.page_start)] += 1.0 / (W.PAGE_RRF_K + rank)
    for pattern in plan.exact_patterns()[:GREPS]:
        context.progress(Progress("grep", pattern))
        observe(context.use_tool("grep", {"pattern": pattern, "literal": True}), pool, "grep")
    for page, vote in table_votes(plan, context, {doc for doc, _ in votes} or set(context.doc_ids)).items():
        votes[page] += vote
    read_whole_pages(pool, votes, context)
    return pool


def read_whole_pages(pool: EvidencePool, votes: Counter, context: AgentContext) -> None:
    """Give every page its share of the votes as a prior, and hand the best pages to the reader whole."""
    if not votes:
        return
    best = max(votes.values())
    pool.set_prior({page: vote / best for page, vote in votes.items()})
    for doc_id, index in [page for page, _ in votes.most_common(W.WHOLE_PAGES)]:
        page = context.workspace.page(doc_id, index)
        if len(page.text) <= W.MAX_WHOLE_PAGE_CHARS:
            pool.add_page(page, "page")
    context.trace.note("pages", [f"{doc[:8]}:{index} {vote:.3f}" for (doc, index), vote in votes.most_common(8)])


def table_votes(plan: QuestionPlan, context: AgentContext, doc_ids) -> dict[tuple[str, int], float]:
    """Pages whose tables hold a row named like the question's relation, or whose title carries
    the words of a hint ("... from the cash flow statement")."""
    relation = relation_terms(plan)
    others = [words(name) for name in plan.relation_names()]
    hints = plan.hint_terms()
    if not relation and not hints:
        return {}
    store = context.workspace.tables
    found: dict[tuple[str, int], float] = {}
    for doc_id in doc_ids:
        for table in store.tables(doc_id):
            row_fit = max((row_score(table, row, phrase) for phrase in [relation, *others] if phrase
                           for row in table.rows), default=0.0)
            title = words(table.title or "")
            title_fit = len([w for w in hints if any(_same_word(w, t) for t in title)]) / len(hints) if hints else 0.0
            vote = W.TABLE_VOTE * min(row_fit, 1.0) + W.TITLE_HINT_VOTE * title_fit * (0.5 + 0.5 * min(row_fit, 1.0))
            if vote > 0:
                key = (doc_id, table.page_index)
                found[key] = max(found.get(key, 0.0), vote)
    return found


# words of a relation that say how a figure is given, not which row holds it
_NOT_ROW_WORDS = frozenset("amount value figure number fy usd eur gbp millions million billions billion "
                           "thousands thousand dollars percent reported company record recorded report generate "
                           "generated bring brought carry carried earn earned spend spent post posted book booked make "
                           "made have had hold held show shown see get take end beginning".split())


def relation_terms(plan: QuestionPlan) -> list[str]:
    subject_words = {w for s in plan.subjects for w in words(s)}
    return [w for w in words(plan.relation or "") if w not in _NOT_ROW_WORDS and w not in subject_words
            and not w.isdigit()]


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
