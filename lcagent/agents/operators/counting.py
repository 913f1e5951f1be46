"""Aggregates computed over the document's own units, never guessed: occurrences of a term,
the number of a document's units (pages, chapters), and the k most frequent words."""

from __future__ import annotations

import re

from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.reader import Reading, not_found
from lcagent.query.extract import content_terms
from lcagent.query.lexicon import DOCUMENT_UNITS
from lcagent.query.plan import QuestionPlan

DEFAULT_K = 10
# verbs and nouns that say "count it" rather than name what is counted
_COUNTING_WORDS = frozenset("times often occur occurs occurrences appear appears appearances mentioned mentions "
                            "mention used number count word term phrase".split())


def count(plan: QuestionPlan, context: AgentContext) -> Reading | None:
    target = plan.subjects[0] if plan.subjects else _target(plan)
    docs = context.tools.documents()
    if target is None or len(docs) != 1:
        return None
    unit = target.lower()
    if unit in DOCUMENT_UNITS and unit in ("pages", "page"):
        return Reading(f"{docs[0].pages} pages", [], note="the document's page count", confidence=1.0)
    context.progress(Progress("count", target))
    result = context.use_tool("count", {"pattern": target, "doc": docs[0].id})
    if not result.ok:
        return None
    total = result.data["total"]
    first = context.first_line_citation(target, docs[0].id) if total else None
    return Reading(f"{total} times", [first] if first else [], note=result.text, confidence=1.0)


def _target(plan: QuestionPlan) -> str | None:
    words = [t for t in content_terms(plan.question) if t not in _COUNTING_WORDS and not t.isdigit()]
    return words[0] if len(words) == 1 else (" ".join(words) if words and len(words) <= 3 else None)


def top_k(plan: QuestionPlan, context: AgentContext) -> Reading | None:
    docs = context.tools.documents()
    if not docs:
        return None
    k = plan.k or DEFAULT_K
    context.progress(Progress("count", f"top {k} words"))
    counts: dict[str, int] = {}
    for doc in docs:
        result = context.use_tool("word_frequencies", {"top": min(200, k + 50), "doc": doc.id, "skip_stopwords": True})
        if not result.ok or not result.data:
            return not_found(f"could not count words: {result.text}")
        for word, n in result.data:
            if not re.fullmatch(r"\d+", word):
                counts[word] = counts.get(word, 0) + n
    ranked = sorted(counts.items(), key=lambda pair: -pair[1])[:k]
    words = [word for word, _ in ranked]
    citations = [c for c in (context.first_line_citation(word, docs[0].id) for word in words[:3]) if c]
    listed = ", ".join(f"{w} ({n})" for w, n in ranked)
    return Reading(", ".join(words), citations, note=f"counted with word_frequencies: {listed}", confidence=1.0)
