"""Tokenize and chunk a long document on several threads, with exactly the tokens and chunks of
the one-thread path (tiktoken releases the GIL while it encodes, so threads run in parallel).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Sequence

from lcagent.chunking import ChunkSettings, TokenBoundaries, chunk_text
from lcagent.records import Chunk

# Pieces per thread: more than one, so a thread slowed by other work on its core holds no one up.
PIECES_PER_THREAD = 4


def ingest_threads() -> int:
    """Threads for tokenizing at ingest: ``$LCAGENT_INGEST_THREADS``, else the cores (at most 4)."""
    configured = os.environ.get("LCAGENT_INGEST_THREADS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


def document_boundaries(page_texts: Sequence[str], encoding, threads: int | None = None) -> TokenBoundaries:
    """Token boundaries of ``"\\n".join(page_texts)``, encoded in pieces on ``threads`` threads.

    A piece ends with the newline that joins two pages, and only where the next page starts
    with a letter or digit: tiktoken's pre-tokenizer (cl100k and o200k) always splits after
    such a newline, so encoding the pieces apart gives the same tokens as encoding the whole.
    """
    text = "\n".join(page_texts)
    threads = threads or ingest_threads()
    if threads == 1 or len(page_texts) < 2:
        return TokenBoundaries(text, encoding)
    pieces = _pieces(page_texts, target=max(1, len(text) // (threads * PIECES_PER_THREAD)))
    tokens: list[int] = []
    for encoded in encoding.encode_ordinary_batch(pieces, num_threads=threads):
        tokens.extend(encoded)
    return TokenBoundaries(text, encoding, tokens)


def _pieces(page_texts: Sequence[str], target: int) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    last = len(page_texts) - 1
    for index, page in enumerate(page_texts):
        current.append(page if index == last else page + "\n")
        size += len(page) + 1
        following = page_texts[index + 1] if index < last else ""
        if size >= target and following[:1].isalnum():
            pieces.append("".join(current))
            current, size = [], 0
    if current:
        pieces.append("".join(current))
    return pieces


def chunk_document(text: str, encoding, settings: ChunkSettings, *, doc_id: str, page_starts: Sequence[int],
                   bounds: TokenBoundaries, threads: int | None = None) -> list[Chunk]:
    """``chunk_text``'s chunks, with every chunk's own token count computed in one threaded batch.

    ``chunk_text`` counts each chunk alone, one after another, because a span can take more
    tokens alone than in context; that happens rarely. So the chunks are cut first as if each
    fitted, then counted together; only if one does not fit are they cut again the exact way
    (which then gives what it always gives: with every count fitting, both cut the same).
    """
    threads = threads or ingest_threads()
    if threads == 1:
        return chunk_text(text, encoding, settings, doc_id=doc_id, page_starts=page_starts, bounds=bounds)
    draft = chunk_text(text, encoding, settings, doc_id=doc_id, page_starts=page_starts, bounds=bounds,
                       count_tokens=lambda _piece: 0)
    counts = [len(tokens) for tokens in encoding.encode_ordinary_batch([c.text for c in draft], num_threads=threads)]
    if all(count <= settings.size for count in counts):
        return [replace(chunk, tokens=count) for chunk, count in zip(draft, counts)]
    return chunk_text(text, encoding, settings, doc_id=doc_id, page_starts=page_starts, bounds=bounds)
