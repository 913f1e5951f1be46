"""Two-level retrieval over a collection: choose the documents a question is about, then the
strategy reads pages within them.

Each document is scored by the search lists (its passages' reciprocal ranks, summed over the
plan's queries), by whether it names the question's subjects at all, and by its title. A question
about several things keeps the best document for each, so a comparison across two reports cites
both. The cost of a question then grows with the documents chosen, not with the collection.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from lcagent.memory.workspace import Workspace
from lcagent.query.extract import terms
from lcagent.query.plan import QuestionPlan
from lcagent.records import Document

# A collection at most this large is read whole: choosing would save nothing.
READ_ALL_UP_TO = 3
DOCUMENTS_PER_QUESTION = 4
RRF_K = 10
PASSAGES_PER_QUERY = 40
KEEP_SHARE = 0.3  # documents scoring below this share of the best are dropped
SUBJECT_BONUS = 1.0  # a document naming every subject, relative to the best search score
TITLE_BONUS = 0.5


@dataclass
class Selection:
    chosen: list[str]
    searched: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    reason: str = ""


def select_documents(plan: QuestionPlan, workspace: Workspace, documents: Sequence[Document], *,
                     limit: int = DOCUMENTS_PER_QUESTION) -> Selection:
    ids = [d.id for d in documents]
    if len(ids) <= READ_ALL_UP_TO:
        return Selection(ids, ids, reason=f"all {len(ids)} documents read")
    votes: Counter = Counter()
    for query in plan.search_queries()[:4] or [plan.question]:
        for rank, hit in enumerate(workspace.search(query, doc_ids=ids, k=PASSAGES_PER_QUERY), start=1):
            votes[hit.chunk.doc_id] += 1.0 / (RRF_K + rank)
    top = max(votes.values(), default=1.0) or 1.0
    scores = {doc_id: votes.get(doc_id, 0.0) / top for doc_id in ids}
    asked = set(plan.key_terms())
    for document in documents:
        title = set(terms(f"{document.title or ''} {re.sub(r'[_.-]+', ' ', document.name)}"))
        if asked and title & asked:
            scores[document.id] += TITLE_BONUS * len(title & asked) / len(asked)
    named = [s for s in plan.subjects if len(s) >= 2]
    per_subject: dict[str, list[str]] = {}
    for subject in named:
        # the subject's words in a row (a phrase query): a document saying "big" here and
        # "choosing" there does not name the key big-choosing
        named_by = workspace.documents_containing(subject, ids)
        holders = [doc_id for doc_id in ids if doc_id in named_by]
        per_subject[subject] = holders
        for doc_id in holders:
            scores[doc_id] += SUBJECT_BONUS / len(named)
    ranked = sorted(ids, key=lambda doc_id: -scores[doc_id])
    best = scores[ranked[0]] if ranked else 0.0
    chosen = [doc_id for doc_id in ranked if best > 0 and scores[doc_id] >= KEEP_SHARE * best][:limit]
    # a question about several things: the best document for each of them stays in
    for subject, holders in per_subject.items():
        if holders and not set(holders) & set(chosen):
            chosen.append(max(holders, key=lambda doc_id: scores[doc_id]))
    chosen = chosen or ranked[:1]
    reason = f"{len(chosen)} of {len(ids)} documents chosen by their passages' ranks, subjects and titles"
    return Selection(chosen, ids, {d: round(s, 3) for d, s in scores.items()}, reason)

