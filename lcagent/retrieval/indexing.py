"""Embed a stored document's chunks into the workspace: only chunks without a vector from
this model, in batches that each commit whole, reporting progress after every batch.

Interrupting (Ctrl-C) loses at most the batch in flight; running again continues.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

from lcagent.memory.vectors import ChunkVector
from lcagent.memory.workspace import Workspace
from lcagent.records import Chunk
from lcagent.retrieval.embeddings import (
    MODEL_TAG,
    Embedder,
    EmbeddingUnavailable,
    default_embedder,
    unavailable_reason,
)

# At ingest, documents with more chunks than this are stored without vectors (bm25 still works)
# and `lcagent embed DOC` embeds them: at about 5-10 chunks/s on 2 cores, 1,000 chunks (a
# 300-page filing) take 2-3 minutes, and a 2,400-page manual would take 5-10.
INGEST_EMBED_LIMIT = 1000
# `lcagent ask` on a file it has not seen embeds it only this far (16 chunks of 512 tokens, about 8k
# tokens, 2-3 s on 2 cores): on the needle, chain, word-list and multi-hop benchmarks at 32k the
# answers were the same without embeddings, and a question took 0.4 s instead of 9.2 s (median;
# benchmarks/README.md). Larger documents are searched lexically until `lcagent ingest` (up to
# INGEST_EMBED_LIMIT) or `lcagent embed` adds their vectors.
ASK_EMBED_LIMIT = 16
BATCH_CHUNKS = 8  # about 40 windows, 2-5 s of work: the most an interruption throws away


@dataclass(frozen=True)
class EmbedProgress:
    """Told after each committed batch (and once before the first, with ``done=0``)."""

    doc_id: str
    done: int  # chunks embedded by this run so far
    total: int  # chunks this run will embed


@dataclass(frozen=True)
class EmbedReport:
    """What one embedding run did for one document."""

    doc_id: str
    model: str
    embedded: int  # chunks embedded by this run
    already: int  # chunks that had vectors from this model before
    remaining: int  # chunks still without vectors
    windows: int  # vectors written
    seconds: float
    skipped: str | None = None  # why nothing was embedded at all, when that was a decision

    @property
    def complete(self) -> bool:
        return self.remaining == 0 and self.skipped is None

    def chunks_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class EmbedOptions:
    """How ``ingest_file`` embeds what it stored."""

    # documents with more chunks than this (still without vectors) are left to `lcagent embed`
    limit: int | None = INGEST_EMBED_LIMIT
    embedder: Embedder | None = None  # default: the bundled all-MiniLM-L6-v2
    progress: Callable[[EmbedProgress], None] | None = None
    batch_chunks: int = BATCH_CHUNKS


def embed_document(
    workspace: Workspace,
    doc_id: str,
    embedder: Embedder | None = None,
    *,
    limit: int | None = None,
    batch_chunks: int = BATCH_CHUNKS,
    progress: Callable[[EmbedProgress], None] | None = None,
) -> EmbedReport:
    """Embed up to ``limit`` (default: all) of the document's chunks that lack a vector."""
    started = time.perf_counter()
    embedder = embedder or default_embedder()
    model = embedder.model_tag
    store = workspace.vectors
    have = store.embedded_chunks(doc_id, model)
    chunks = workspace.chunks(doc_id)
    missing = [chunk for chunk in chunks if chunk.ordinal not in have]
    covered_until = _covered_until(chunks)
    todo = missing if limit is None else missing[: max(limit, 0)]
    tell = progress or (lambda _event: None)
    tell(EmbedProgress(doc_id, 0, len(todo)))
    done = windows = 0
    for first in range(0, len(todo), max(batch_chunks, 1)):
        batch = todo[first : first + batch_chunks]
        # computed before taking the write lock: other writers wait only for the insert
        rows = chunk_vectors(embedder, batch, covered_until)
        with workspace.transaction():
            store.add(doc_id, model, rows)
        done += len(batch)
        windows += len(rows)
        tell(EmbedProgress(doc_id, done, len(todo)))
    return EmbedReport(doc_id, model, done, len(have), len(missing) - done, windows, time.perf_counter() - started)


def _covered_until(chunks: Sequence[Chunk]) -> dict[int, int]:
    # Neighbouring chunks overlap; a chunk's windows start where the previous chunk ended, so
    # the shared text is embedded once (with the earlier chunk) and no text is left out.
    return {chunk.ordinal: previous.char_end for previous, chunk in zip(chunks, chunks[1:])}


def chunk_vectors(embedder: Embedder, batch: Sequence[Chunk], covered_until: dict[int, int]) -> list[ChunkVector]:
    """The vectors of ``batch``'s windows; ``covered_until``: ``_covered_until`` of all the document's chunks."""
    pieces = []
    for chunk in batch:
        start = min(max(covered_until.get(chunk.ordinal, chunk.char_start), chunk.char_start), chunk.char_end)
        own_text = chunk.text[start - chunk.char_start :]
        pieces += [(chunk, part, start, window) for part, window in enumerate(embedder.split(own_text))]
    vectors = embedder.embed_windows([window for *_, window in pieces])
    return [
        ChunkVector(chunk.ordinal, part, start + window.char_start, start + window.char_end, vector)
        for (chunk, part, start, window), vector in zip(pieces, vectors)
    ]


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk]) -> list[ChunkVector]:
    """Vectors for every chunk of a document not stored yet (all of ``chunks``, in order): what a
    cluster worker computes before the driver stores the document."""
    return chunk_vectors(embedder, chunks, _covered_until(chunks))


def embed_after_ingest(workspace: Workspace, doc_id: str, options: EmbedOptions) -> EmbedReport:
    """The ingest policy: embed every chunk still missing a vector, unless there are more than
    ``options.limit`` of them (then none: ``lcagent embed`` does it, resumably) or the
    embedding extra is not installed (then none, and the report says how to install it)."""
    embedder = options.embedder
    model = embedder.model_tag if embedder else MODEL_TAG
    store = workspace.vectors
    have = store.embedded_chunks(doc_id, model)
    document = workspace.get(doc_id)
    total = document.chunks if document else 0
    missing = total - len(have)
    if missing <= 0:
        return EmbedReport(doc_id, model, 0, len(have), 0, 0, 0.0)
    if options.limit is not None and missing > options.limit:
        return EmbedReport(
            doc_id, model, 0, len(have), missing, 0, 0.0,
            skipped=f"{missing:,} chunks to embed is over the ingest limit of {options.limit:,}; "
            "run `lcagent embed DOCUMENT` to embed them (it can be interrupted and resumed)",
        )
    if embedder is None:
        reason = unavailable_reason()
        if reason:
            return EmbedReport(doc_id, model, 0, len(have), missing, 0, 0.0, skipped=reason)
    try:
        return embed_document(workspace, doc_id, embedder, batch_chunks=options.batch_chunks,
                              progress=options.progress)
    except EmbeddingUnavailable as problem:
        return EmbedReport(doc_id, model, 0, len(have), missing, 0, 0.0, skipped=str(problem))

