"""Hybrid search: FTS5 bm25 and dense cosine similarity, fused by reciprocal rank fusion.

Falls back to bm25 alone when the documents have no vectors or the embedder cannot run, so
a workspace ingested with ``--no-embed`` (or without the ``embed`` extra) works unchanged.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

import numpy as np

from lcagent.memory.vectors import DenseHit
from lcagent.memory.workspace import Workspace
from lcagent.records import SearchHit
from lcagent.retrieval.embeddings import MODEL_TAG, Embedder, EmbeddingUnavailable, default_embedder

# Reciprocal rank fusion: score = 1/(RRF_K + bm25 rank) + 1/(RRF_K + dense rank). The common
# K=60 rewards agreement so much that a passage only one list finds (a paraphrase bm25 misses)
# sinks below every passage both lists rank middling. With K=1 a list's first hit ranks with
# a passage both lists put third, so each list's best reach the reader. Measured (recall@5,
# chunks): LooGLE short-dependency 0.95 bm25 / 0.95 K=1 / 0.95 K=60; realdocs dev pages 0.91 /
# 0.91 / 0.94 (67 questions); a paraphrase bm25 misses: 3rd with K=1, 7th with K=60 (10 chunks).
RRF_K = 1.0
# How deep each list is read before fusing: a passage bm25 ranks 40th can still win.
CANDIDATES = 50
SNIPPET_WORDS = 24


def hybrid_search(
    workspace: Workspace,
    query: str,
    doc_ids: Sequence[str] | None = None,
    k: int = 10,
    *,
    embedder: Embedder | None = None,
    mode: str = "any",
    candidates: int = CANDIDATES,
    dense_weight: float = 1.0,
) -> list[SearchHit]:
    """The ``k`` best chunks for ``query``; ``SearchHit.score`` is the fused score.

    A chunk that has no vector (its document was not embedded, or not yet completely) takes
    its bm25 rank in place of the missing dense rank, so embedded documents and chunks do
    not crowd out the others just for having two signals.
    """
    depth = max(candidates, k)
    lexical = workspace.search(query, doc_ids=doc_ids, k=depth, mode=mode)
    scope = list(doc_ids) if doc_ids else workspace.document_ids()
    model = embedder.model_tag if embedder else MODEL_TAG
    store = workspace.vectors
    embedded = {doc_id: store.load(doc_id, model) for doc_id in scope if store.has(doc_id, model)}
    if not embedded:
        return lexical[:k]
    try:
        query_vector = (embedder or default_embedder()).embed_query(query)
    except EmbeddingUnavailable:
        return lexical[:k]
    dense = store.top_k(query_vector, list(embedded), model, depth)
    has_vector = {(doc_id, int(o)) for doc_id, vectors in embedded.items() for o in set(vectors.chunk_ordinals.tolist())}

    fused: dict[tuple[str, int], float] = {}
    for rank, hit in enumerate(lexical, start=1):
        key = (hit.chunk.doc_id, hit.chunk.ordinal)
        share = 1.0 / (RRF_K + rank)
        fused[key] = share if key in has_vector else share * (1.0 + dense_weight)
    for rank, hit in enumerate(dense, start=1):
        key = (hit.doc_id, hit.chunk_ordinal)
        fused[key] = fused.get(key, 0.0) + dense_weight / (RRF_K + rank)
    best = sorted(fused, key=lambda key: -fused[key])[:k]

    by_key = {(hit.chunk.doc_id, hit.chunk.ordinal): hit for hit in lexical}
    dense_by_key = {(hit.doc_id, hit.chunk_ordinal): hit for hit in dense}
    loaded = _dense_only_hits(workspace, [key for key in best if key not in by_key], dense_by_key)
    results = []
    for key in best:
        hit = by_key.get(key) or loaded.get(key)
        if hit is not None:
            results.append(replace(hit, score=fused[key]))
    return results


def dense_search(
    workspace: Workspace, query: str, doc_ids: Sequence[str], k: int = 10, *, embedder: Embedder | None = None
) -> list[DenseHit]:
    """Chunks by cosine similarity alone ([] when there are no vectors or no embedder)."""
    embedder = embedder or default_embedder()
    store = workspace.vectors
    scope = [doc_id for doc_id in doc_ids if store.has(doc_id, embedder.model_tag)]
    if not scope:
        return []
    try:
        query_vector = embedder.embed_query(query)
    except EmbeddingUnavailable:
        return []
    return store.top_k(np.asarray(query_vector), scope, embedder.model_tag, k)


def _dense_only_hits(
    workspace: Workspace, keys: list[tuple[str, int]], dense_by_key: dict[tuple[str, int], DenseHit]
) -> dict[tuple[str, int], SearchHit]:
    """SearchHits for chunks only the dense list found; the snippet is their best window."""
    hits: dict[tuple[str, int], SearchHit] = {}
    for doc_id, ordinal in keys:
        found = workspace.chunk_hit(doc_id, ordinal)
        if found is None:  # removed since the vectors were read
            continue
        chunk, page_label, doc_name = found
        window = dense_by_key[(doc_id, ordinal)]
        text = chunk.text[max(window.char_start - chunk.char_start, 0) : window.char_end - chunk.char_start]
        hits[(doc_id, ordinal)] = SearchHit(chunk, 0.0, _snippet(text), page_label, doc_name)
    return hits


def _snippet(text: str) -> str:
    """The window's opening words, verbatim (so the text can be found in the chunk again) and
    unmarked: no query term needs to occur in it."""
    words = list(re.finditer(r"\S+", text))
    if len(words) <= SNIPPET_WORDS:
        return text.strip()
    return text[words[0].start() : words[SNIPPET_WORDS - 1].end()] + "…"
