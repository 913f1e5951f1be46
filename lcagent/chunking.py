"""Token-budgeted chunks with exact character offsets, page spans and line spans.

The document is encoded once; cut points are token boundaries that fall on whitespace, so
no word is split unless a single word is longer than the budget (then it is cut at a
character boundary: the only way to keep the budget). Each chunk's token count is checked
by encoding the chunk alone, so ``count_tokens(chunk.text) <= size`` always holds.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from lcagent.records import Chunk


@dataclass(frozen=True)
class ChunkSettings:
    size: int = 512  # tokens per chunk, at most
    overlap: int = 64  # tokens shared with the previous chunk, about

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f"chunk size must be at least 8 tokens, got {self.size}")
        if not 0 <= self.overlap < self.size // 2:
            raise ValueError(f"chunk overlap must be between 0 and half the size, got {self.overlap}")


class TokenBoundaries:
    """Char offsets of every token boundary of ``text`` under ``encoding`` (tiktoken).

    ``tokens``: ``encoding.encode_ordinary(text)`` when the caller has it already (ingest
    encodes a long document in pieces on several threads)."""

    def __init__(self, text: str, encoding, tokens: "Sequence[int] | None" = None) -> None:
        self.text = text
        raw = text.encode("utf-8", "surrogatepass")
        tokens = encoding.encode_ordinary(text) if tokens is None else tokens
        token_lengths = _token_byte_lengths(encoding)[np.asarray(tokens, dtype=np.int64)]
        byte_ends = np.cumsum(token_lengths)
        byte_bounds = np.concatenate(([0], byte_ends)).astype(np.int64)
        if len(raw) and byte_bounds[-1] != len(raw):
            raise AssertionError("token byte lengths do not add up to the text length")
        as_array = np.frombuffer(raw, dtype=np.uint8)
        is_char_start = (as_array & 0xC0) != 0x80
        # char index of each byte position; position len(raw) maps to len(text)
        char_of_byte = np.concatenate((np.cumsum(is_char_start) - 1, [len(text)])).astype(np.int64)
        on_char = np.concatenate((is_char_start, [True]))[byte_bounds]
        self.char_bounds = char_of_byte[byte_bounds]  # char offset of boundary i (token i starts there)
        self.on_char_boundary = on_char
        self.n_tokens = len(tokens)


_LENGTH_CACHE: dict[str, np.ndarray] = {}


def _token_byte_lengths(encoding) -> np.ndarray:
    cached = _LENGTH_CACHE.get(encoding.name)
    if cached is None:
        lengths = np.zeros(encoding.n_vocab, dtype=np.int64)
        for token in range(encoding.max_token_value + 1):
            try:
                lengths[token] = len(encoding.decode_single_token_bytes(token))
            except KeyError:
                pass
        _LENGTH_CACHE[encoding.name] = cached = lengths
    return cached


# Every code point for which str.isspace() is true.
_SPACE_CODEPOINTS = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _whitespace_cuts(text: str, bounds: TokenBoundaries) -> np.ndarray:
    """Token-boundary indices (0..n) where cutting splits no word."""
    n = bounds.n_tokens
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    is_space = np.concatenate(([True], np.isin(codepoints, _SPACE_CODEPOINTS), [True]))
    chars = bounds.char_bounds
    # boundary at char c is safe when the char before (index c) or at (c + 1) is whitespace
    ok = bounds.on_char_boundary & (is_space[chars] | is_space[chars + 1])
    ok[0] = ok[n] = True
    return np.flatnonzero(ok)


def _char_cuts(bounds: TokenBoundaries) -> np.ndarray:
    return np.flatnonzero(bounds.on_char_boundary)


def chunk_text(
    text: str,
    encoding,
    settings: ChunkSettings = ChunkSettings(),
    *,
    doc_id: str = "",
    page_starts: Sequence[int] = (0,),
    count_tokens: Callable[[str], int] | None = None,
    bounds: "TokenBoundaries | None" = None,
) -> list[Chunk]:
    """Cut ``text`` into chunks of at most ``settings.size`` tokens.

    ``page_starts`` are the char offsets where each page begins (page 1 first).
    """
    if not text:
        return []
    count = count_tokens or (lambda s: len(encoding.encode_ordinary(s)))
    bounds = bounds or TokenBoundaries(text, encoding)
    word_cuts = _whitespace_cuts(text, bounds)
    char_cuts: np.ndarray | None = None
    newline_offsets = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    chars = bounds.char_bounds
    n = bounds.n_tokens
    chunks: list[Chunk] = []
    start = 0
    while start < n:
        limit = min(start + settings.size, n)
        end = _last_cut_at_most(word_cuts, limit, start)
        if end is None:  # one word longer than the budget: cut inside it, at a character boundary
            if char_cuts is None:
                char_cuts = _char_cuts(bounds)
            end = _last_cut_at_most(char_cuts, limit, start)
            if end is None:
                end = limit
        # the chunk alone may tokenize differently from the same span in context; shrink until it fits
        while True:
            piece = text[chars[start] : chars[end]]
            tokens = count(piece)
            if tokens <= settings.size:
                break
            smaller = _last_cut_at_most(word_cuts, end - 1, start)
            if smaller is None:
                if char_cuts is None:
                    char_cuts = _char_cuts(bounds)
                smaller = _last_cut_at_most(char_cuts, end - 1, start)
            end = smaller if smaller is not None else end - 1
        char_start, char_end = int(chars[start]), int(chars[end])
        chunks.append(
            Chunk(
                doc_id=doc_id,
                ordinal=len(chunks),
                char_start=char_start,
                char_end=char_end,
                page_start=bisect_right(page_starts, char_start),
                page_end=bisect_right(page_starts, max(char_start, char_end - 1)),
                line_start=int(np.searchsorted(newline_offsets, char_start, side="left")) + 1,
                line_end=int(np.searchsorted(newline_offsets, max(char_start, char_end - 1), side="left")) + 1,
                tokens=tokens,
                text=piece,
            )
        )
        if end >= n:
            break
        next_start = end
        if settings.overlap:
            back = _last_cut_at_most(word_cuts, end - settings.overlap, start)
            if back is not None and back > start:
                next_start = back
        start = next_start
    return chunks


def _last_cut_at_most(cuts: np.ndarray, limit: int, start: int) -> int | None:
    """The largest cut index in ``cuts`` that is <= limit and > start, or None."""
    position = int(np.searchsorted(cuts, limit, side="right")) - 1
    if position >= 0 and cuts[position] > start:
        return int(cuts[position])
    return None
