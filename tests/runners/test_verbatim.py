"""The verbatim-copy constraint allows exactly the tokens that keep the output a span of a source."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcagent.runners.base import Verbatim, system, user
from lcagent.runners.verbatim import VerbatimMatcher

EOS = 0
SPECIAL = 1  # a control token: decodes to nothing, so it is never allowed


def _brute_force_allowed(output: bytes, vocabulary: list[bytes], sources: list[bytes]) -> set[int]:
    return {
        token_id
        for token_id, data in enumerate(vocabulary)
        if data and any(output + data in source for source in sources)
    }


@st.composite
def sources_and_vocabulary(draw):
    alphabet = st.sampled_from("ab c.é漢\n")  # few symbols, so repeats and multi-byte splits are common
    sources = draw(st.lists(st.text(alphabet, min_size=1, max_size=30), min_size=1, max_size=3))
    encoded = [s.encode("utf-8") for s in sources]
    slices = []
    for _ in range(draw(st.integers(5, 40))):
        source = draw(st.sampled_from(encoded))
        start = draw(st.integers(0, len(source) - 1))
        length = draw(st.integers(1, 6))
        slices.append(source[start : start + length])
    noise = draw(st.lists(st.binary(min_size=1, max_size=3), max_size=15))
    vocabulary = [b"", b""] + slices + noise  # ids 0 (EOS) and 1 (SPECIAL) decode to nothing
    return sources, vocabulary


@settings(max_examples=150, deadline=None)
@given(case=sources_and_vocabulary(), seed=st.integers(0, 2**32 - 1))
def test_random_walks_stay_inside_a_source_and_allow_everything_that_does(case, seed):
    sources, vocabulary = case
    encoded = [s.encode("utf-8") for s in sources]
    matcher = VerbatimMatcher(sources, vocabulary, [EOS])
    rng = random.Random(seed)
    generated: list[int] = []
    output = b""
    for _ in range(25):
        allowed = matcher.allowed_tokens(generated)
        assert (EOS in allowed) == bool(generated)
        assert SPECIAL not in allowed
        assert set(allowed) - {EOS} == _brute_force_allowed(output, vocabulary, encoded)
        choices = [t for t in allowed if t != EOS]
        if not choices:
            break
        token = rng.choice(choices)
        generated.append(token)
        output += vocabulary[token]
        assert any(output in source for source in encoded)
        text = output.decode("utf-8", errors="strict") if _complete_utf8(output) else None
        if text is not None:
            assert matcher.is_valid(text)


def _complete_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(case=sources_and_vocabulary(), data=st.data())
def test_rolling_back_gives_the_same_answer_as_a_fresh_matcher(case, data):
    sources, vocabulary = case
    matcher = VerbatimMatcher(sources, vocabulary, [EOS])
    token_ids = st.integers(2, len(vocabulary) - 1)
    first = data.draw(st.lists(token_ids, max_size=5))
    second = data.draw(st.lists(token_ids, max_size=5))
    for prefix in (first, second, first[:1], second):
        fresh = VerbatimMatcher(sources, vocabulary, [EOS])
        assert matcher.allowed_tokens(prefix) == fresh.allowed_tokens(prefix)


@given(
    sources=st.lists(st.text(st.sampled_from("ab é"), min_size=1, max_size=12), min_size=1, max_size=3),
    text=st.text(st.sampled_from("ab é"), max_size=6),
)
def test_is_valid_is_substring_of_some_source(sources, text):
    matcher = VerbatimMatcher(sources, [b"a"], [EOS])
    assert matcher.is_valid(text) == any(text in source for source in sources)


def test_a_token_cannot_bridge_two_sources():
    matcher = VerbatimMatcher(["abc", "xyz"], [b"", b"c", b"x", b"cx", b"abc"], [EOS])
    assert 3 not in matcher.allowed_tokens([])
    assert matcher.allowed_tokens([4]) == [EOS]  # "abc" ends its source: only stopping is left
    assert not matcher.is_valid("cx")


def test_output_that_already_left_the_sources_can_only_stop():
    matcher = VerbatimMatcher(["abc"], [b"", b"a", b"z"], [EOS])
    assert matcher.allowed_tokens([2]) == [EOS]
    assert matcher.allowed_tokens([1, EOS]) == [EOS]


def test_needs_a_non_empty_source():
    with pytest.raises(ValueError, match="non-empty source"):
        VerbatimMatcher(["", ""], [b"a"], [EOS])


# --- with the real model ------------------------------------------------------------------------

PASSAGE = (
    "The Harbor Street bridge opened in 1932 and was repainted green in 1987. "
    "Its main span is 214 metres long. "
    "Trams stopped crossing it in 1961, when the city switched to buses."
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["When did the bridge open?", "How long is the main span?", "Why did trams stop crossing it?"],
)
def test_local_model_quotes_only_from_the_sources(local_runner, question):
    other = "Opening hours: the museum opens at 9 am and closes at 5 pm."
    completion = local_runner.complete(
        [
            system("Copy the sentence from the passage that answers the question."),
            user(f"Passage: {PASSAGE}\n\nQuestion: {question}"),
        ],
        max_tokens=30,
        constraint=Verbatim((PASSAGE, other)),
    )
    assert completion.text.strip()
    assert completion.text in PASSAGE or completion.text in other
    assert completion.completion_tokens <= 30
