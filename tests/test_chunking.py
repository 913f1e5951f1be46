"""Chunks: exact offsets, token budgets, no split words, page and line spans."""

from bisect import bisect_right

import pytest
from hypothesis import given, settings, strategies as st

from lcagent.chunking import ChunkSettings, chunk_text
from lcagent.tokens import get_encoding

ENCODING = get_encoding()


def count(text: str) -> int:
    return len(ENCODING.encode_ordinary(text))


def check_invariants(text: str, chunks, size: int, page_starts=(0,)) -> None:
    if not text:
        assert chunks == []
        return
    assert chunks[0].char_start == 0
    assert chunks[-1].char_end == len(text)
    for previous, current in zip(chunks, chunks[1:]):
        assert previous.char_start < current.char_start <= previous.char_end, "chunks must cover the text in order"
    for chunk in chunks:
        assert text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.tokens == count(chunk.text) <= size
        assert chunk.page_start == bisect_right(page_starts, chunk.char_start)
        assert chunk.line_start == text.count("\n", 0, chunk.char_start) + 1
        assert chunk.line_end == text.count("\n", 0, max(chunk.char_start, chunk.char_end - 1)) + 1
        end = chunk.char_end
        if 0 < end < len(text) and not (text[end - 1].isspace() or text[end].isspace()):
            # a word was split: allowed only when no whitespace boundary fit in the budget
            assert not any(ch.isspace() for ch in chunk.text.strip()), chunk.text


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=600),
    size=st.integers(min_value=8, max_value=40),
    overlap_fraction=st.floats(min_value=0, max_value=0.45),
)
def test_offsets_and_budgets_hold_on_arbitrary_unicode(text, size, overlap_fraction):
    overlap = min(int(size * overlap_fraction), size // 2 - 1)
    chunks = chunk_text(text, ENCODING, ChunkSettings(size, overlap))
    check_invariants(text, chunks, size)


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.text(st.characters(blacklist_categories=("Zs", "Cc", "Cs")), min_size=1, max_size=8), max_size=150),
    separators=st.lists(st.sampled_from([" ", "\n", "  ", "\n\n", "\t"]), min_size=1),
    # a word of 8 characters is at most 32 byte-level tokens, so it always fits a budget of 40+
    size=st.integers(min_value=40, max_value=80),
)
def test_short_words_are_never_split(words, separators, size):
    text = "".join(word + separators[i % len(separators)] for i, word in enumerate(words))
    chunks = chunk_text(text, ENCODING, ChunkSettings(size, 4))
    check_invariants(text, chunks, size)
    for chunk in chunks[:-1]:
        end = chunk.char_end
        assert text[end - 1].isspace() or text[end].isspace()


def test_page_spans_and_overlap_on_realistic_text():
    pages = [f"Page {n}. " + "The keeper logged the storm and trimmed the wick. " * 30 for n in range(1, 6)]
    text = "\n".join(pages)
    starts = []
    offset = 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 1
    chunks = chunk_text(text, ENCODING, ChunkSettings(120, 20), doc_id="d", page_starts=starts)
    check_invariants(text, chunks, 120, starts)
    assert {c.page_start for c in chunks} == {1, 2, 3, 4, 5}
    assert any(c.page_end > c.page_start for c in chunks), "some chunk should span a page break"
    overlaps = [prev.char_end - cur.char_start for prev, cur in zip(chunks, chunks[1:])]
    assert all(o > 0 for o in overlaps), "neighbouring chunks share text when overlap > 0"
    assert all(c.doc_id == "d" for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_word_longer_than_budget_is_cut_at_character_boundaries():
    text = "start " + "é" * 400 + " end"
    chunks = chunk_text(text, ENCODING, ChunkSettings(16, 0))
    check_invariants(text, chunks, 16)
    assert len(chunks) > 3


def test_bad_settings_explain_themselves():
    with pytest.raises(ValueError, match="at least 8"):
        ChunkSettings(4, 0)
    with pytest.raises(ValueError, match="overlap"):
        ChunkSettings(100, 60)
