"""Threaded tokenizing and chunking at ingest give exactly what the one-thread path gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcagent.chunking import ChunkSettings, TokenBoundaries, chunk_text
from lcagent.parallel_tokens import _pieces, chunk_document, document_boundaries, standalone_counts
from lcagent.tokens import get_encoding

ENCODING = get_encoding()

# Page texts that stress the joins: pages ending in punctuation, spaces or digits, pages starting
# with spaces, newlines, punctuation, a slash, an apostrophe or a letter.
page_text = st.lists(st.sampled_from(list("ab Z9.,'/\n\t-é\u00a0") + ["  ", "word", "'s", "12"]), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(page_text, min_size=2, max_size=12))
def test_tokens_encoded_in_pieces_are_the_tokens_of_the_whole(pages):
    whole = TokenBoundaries("\n".join(pages), ENCODING)
    threaded = document_boundaries(pages, ENCODING, threads=2)
    assert threaded.n_tokens == whole.n_tokens
    assert np.array_equal(threaded.char_bounds, whole.char_bounds)


def test_pieces_split_only_before_a_page_that_starts_with_a_letter_or_digit():
    pages = ["one.", " two", "\nthree", "Four", "5 five", "six"]
    pieces = _pieces(pages, target=1)
    assert "".join(pieces) == "\n".join(pages)
    assert pieces == ["one.\n two\n\nthree\n", "Four\n", "5 five\n", "six"]


def test_a_long_document_is_split_into_several_pieces():
    pages = [f"Page {n} says the lighthouse at Harrow Point was automated in 1987." for n in range(200)]
    assert len(_pieces(pages, target=len("\n".join(pages)) // 8)) >= 8


@pytest.mark.parametrize("size,overlap", [(64, 8), (16, 0), (512, 64)])
def test_chunks_counted_in_a_batch_equal_chunks_counted_one_by_one(size, overlap):
    pages = [f"Keeper {n} logged {n * 7} storms; the lens came from the Aubreuil workshop in 18{n % 100:02d}.\n"
             "Supercalifragilisticexpialidocious" * (n % 3) for n in range(60)]
    text = "\n".join(pages)
    starts = np.cumsum([0] + [len(page) + 1 for page in pages[:-1]]).tolist()
    bounds = TokenBoundaries(text, ENCODING)
    one_by_one = chunk_text(text, ENCODING, ChunkSettings(size, overlap), doc_id="d", page_starts=starts, bounds=bounds)
    batched = chunk_document(text, ENCODING, ChunkSettings(size, overlap), doc_id="d", page_starts=starts,
                             bounds=bounds, threads=2)
    assert batched == one_by_one
    assert all(chunk.tokens == len(ENCODING.encode_ordinary(chunk.text)) <= size for chunk in batched)


@settings(max_examples=300, deadline=None)
@given(st.lists(page_text, min_size=1, max_size=12), st.data())
def test_counts_from_edges_equal_encoding_each_span_alone(pages, data):
    text = "\n".join(pages)
    bounds = TokenBoundaries(text, ENCODING)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=8)))
    spans = list(zip(cuts, cuts[1:]))
    assert standalone_counts(text, ENCODING, bounds, spans, threads=2) == \
        [len(ENCODING.encode_ordinary(text[start:end])) for start, end in spans]
