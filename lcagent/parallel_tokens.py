"""Tokenize and chunk a long document on several threads, with exactly the tokens and chunks of
the one-thread path (tiktoken releases the GIL while it encodes, so threads run in parallel).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Sequence

import numpy as np

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
    """``chunk_text``'s chunks, each chunk's own token count found without encoding it all again.

    ``chunk_text`` encodes each chunk alone, one after another, because a span can take more
    tokens alone than in context; that happens rarely. So the chunks are cut first as if each
    fitted, then counted (``standalone_counts``); only if one does not fit are they cut again
    the exact way (which then gives what it always gives: with every count fitting, both cut
    the same).
    """
    draft = chunk_text(text, encoding, settings, doc_id=doc_id, page_starts=page_starts, bounds=bounds,
                       count_tokens=lambda _piece: 0)
    counts = standalone_counts(text, encoding, bounds, [(c.char_start, c.char_end) for c in draft], threads)
    if all(count <= settings.size for count in counts):
        return [replace(chunk, tokens=count) for chunk, count in zip(draft, counts)]
    return chunk_text(text, encoding, settings, doc_id=doc_id, page_starts=page_starts, bounds=bounds)


def standalone_counts(text: str, encoding, bounds: TokenBoundaries, spans: Sequence[tuple[int, int]],
                      threads: int | None = None) -> list[int]:
    """``len(encoding.encode_ordinary(text[start:end]))`` for each span, encoding only its edges.

    tiktoken always splits after a newline followed by a letter or digit (see
    ``document_boundaries``), whatever comes before. Between the first and the last such point
    of a span, the span alone has the document's own tokens, which ``bounds`` has counted; only
    the text before the first and after the last is encoded again.
    """
    safe = _safe_splits(text)
    char_bounds = bounds.char_bounds
    edges: list[str] = []
    middles: list[int] = []
    for start, end in spans:
        first = int(np.searchsorted(safe, start, side="left"))
        last = int(np.searchsorted(safe, end, side="right")) - 1
        middle = -1
        if first <= last:
            left, right = int(safe[first]), int(safe[last])
            left_index = int(np.searchsorted(char_bounds, left, side="left"))
            right_index = int(np.searchsorted(char_bounds, right, side="left"))
            if left_index < len(char_bounds) and right_index < len(char_bounds) \
                    and char_bounds[left_index] == left and char_bounds[right_index] == right:
                middle = right_index - left_index
        if middle < 0:  # no safe point inside: encode the whole span
            edges += [text[start:end], ""]
        else:
            edges += [text[start:left], text[right:end]]
        middles.append(max(middle, 0))
    threads = threads or ingest_threads()
    lengths = [len(tokens) for tokens in encoding.encode_ordinary_batch(edges, num_threads=threads)]
    return [lengths[2 * i] + middles[i] + lengths[2 * i + 1] for i in range(len(spans))]


def _safe_splits(text: str) -> np.ndarray:
    """Char offsets right after a newline, where a letter or digit follows: sorted."""
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    after_newline = np.flatnonzero(codepoints[:-1] == 10) + 1
    return np.array([offset for offset in after_newline.tolist() if text[offset].isalnum()], dtype=np.int64)
