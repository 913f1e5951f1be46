"""Generated samples: lengths, needle counts and depths, determinism, and where the text comes from."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources

import pytest

pytest.importorskip("long_context_eval", reason='needs the [bench] extra: pip install "lcagent[bench]"')

from lcagent.bench.ruler import TASKS, generate, generate_one  # noqa: E402
from lcagent.bench.ruler.essay import split_sentences  # noqa: E402
from lcagent.bench.ruler.fitting import count_tokens  # noqa: E402
from lcagent.bench.ruler.niah import NiahConfig  # noqa: E402
from lcagent.bench.sample import Sample, parse_length  # noqa: E402

NIAH = [name for name, config in TASKS.items() if isinstance(config, NiahConfig)]


def test_parse_length():
    assert parse_length("4k") == 4096
    assert parse_length("128k") == 131072
    assert parse_length("1m") == parse_length("1M") == 1048576
    assert parse_length("5000") == 5000
    with pytest.raises(ValueError, match="write a token count"):
        parse_length("lots")


@pytest.mark.parametrize("task", list(TASKS))
def test_4k_samples_fill_the_target_within_two_percent(task):
    sample = generate_one(task, "4k", 0)
    # Counted as RULER counts: prompt tokens plus the tokens reserved for the answer.
    measured = count_tokens(sample.full_prompt()) + sample.tokens_to_generate
    assert measured == sample.tokens
    assert 4096 * 0.98 <= sample.tokens <= 4096


@pytest.mark.parametrize("task", ["niah_single_1", "niah_multikey_3", "niah_multivalue", "vt", "cwe", "fwe", "qa_1", "qa_2"])
def test_16k_samples_fill_the_target_within_two_percent(task):
    sample = generate_one(task, "16k", 1)
    assert 16384 * 0.98 <= sample.tokens <= 16384


@pytest.mark.parametrize("task", NIAH)
def test_needle_counts_follow_the_task_config(task):
    config = TASKS[task]
    sample = generate_one(task, "4k", 0)
    num_keys = max(config.num_keys, config.num_queries)
    assert len(sample.needles) == num_keys * config.num_values
    assert len(sample.answers) == config.num_queries * config.num_values
    for needle in sample.needles:
        assert sample.context[needle.char_start:].startswith(needle.text)
        assert needle.text.startswith(f"One of the special magic {config.value_type} for ")
    # Every answer is in the context, inside its needle.
    for answer in sample.answers:
        assert any(needle.text.endswith(f" is: {answer}.") for needle in sample.needles)
        assert answer in sample.context


@pytest.mark.parametrize("task", ["niah_single_2", "niah_multikey_1", "niah_multiquery"])
def test_essay_needles_sit_at_the_requested_depth(task):
    sample = generate_one(task, "16k", 2)
    sentences = split_sentences(" ".join(sample.context.split()))
    for needle in sample.needles:
        # RULER's depth is a share of sentences; characters track it closely.
        assert needle.requested_depth is not None
        assert abs(needle.depth - needle.requested_depth) <= 5
        before = sample.context[: needle.char_start]
        sentences_before = len(split_sentences(" ".join(before.split()))) if before.strip() else 0
        share = 100 * sentences_before / len(sentences)
        assert abs(share - needle.requested_depth) <= 2.5


@pytest.mark.parametrize("task", ["niah_single_1", "niah_multikey_2"])
def test_line_haystack_needle_depths_are_recorded(task):
    sample = generate_one(task, "4k", 0)
    for needle in sample.needles:
        assert abs(needle.depth - needle.requested_depth) <= 3


def test_same_seed_same_samples_and_different_seed_different():
    for task in ("niah_multikey_2", "vt", "cwe", "fwe", "qa_1"):
        first = generate(task, "4k", 2, seed=7)
        again = generate(task, "4k", 2, seed=7)
        other = generate(task, "4k", 2, seed=8)
        assert [s.to_dict() for s in first] == [s.to_dict() for s in again]
        assert first[0].context != other[0].context
        assert first[0].context != first[1].context  # samples differ from each other too


def test_start_gives_a_later_slice_that_never_overlaps_the_first():
    tuning = generate("qa_2", "4k", 2, seed=42, start=5)
    measured = generate("qa_2", "4k", 5, seed=42)
    assert [s.index for s in tuning] == [5, 6]
    assert tuning[0].to_dict() == generate_one("qa_2", "4k", 5, seed=42).to_dict()
    assert {s.user_question() for s in tuning}.isdisjoint(s.user_question() for s in measured)
    with pytest.raises(ValueError):
        generate("qa_2", "4k", 1, start=-1)


def test_sample_round_trips_through_dict():
    sample = generate_one("niah_multivalue", "4k", 0)
    assert Sample.from_dict(json.loads(json.dumps(sample.to_dict()))) == sample


def test_essay_haystack_is_the_reference_essays():
    raw = json.loads(resources.files("long_context_eval.data.synthetic").joinpath(
        "json", "PaulGrahamEssays.json").read_text(encoding="utf-8"))["text"]
    essay_words = raw.split()
    sample = generate_one("niah_multikey_1", "4k", 0)
    text = sample.context
    for needle in sample.needles:
        text = text.replace(needle.text, " ")
    words = text.split()
    assert len(words) > 1500
    assert words == essay_words[: len(words)]


def test_noise_haystacks_are_ruler_noise():
    sample = generate_one("niah_single_1", "4k", 0)
    lines = sample.context.split("\n")
    noise = [line for line in lines if not line.startswith("One of the special magic")]
    assert set(noise) == {"The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."}
    assert len(lines) == len(noise) + 1

    distractors = generate_one("niah_multikey_3", "4k", 0)
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    pattern = re.compile(rf"One of the special magic uuids for {uuid} is: {uuid}\.")
    assert all(pattern.fullmatch(line) for line in distractors.context.split("\n"))


def test_vt_answers_are_the_chain_and_in_the_context():
    sample = generate_one("vt", "4k", 3)
    assert len(sample.answers) == 5
    value = sample.needles[0].text.split("=")[-1].strip()
    assert re.fullmatch(r"\d{5}", value)
    assert f"the value {value}" in sample.question
    # Follow the chain through the context itself.
    holders = {re.search(rf"VAR (\w+) = {value}", sample.context).group(1)}
    changed = True
    while changed:
        changed = False
        for target, source in re.findall(r"VAR (\w+) = VAR (\w+)", sample.context):
            if source in holders and target not in holders:
                holders.add(target)
                changed = True
    assert holders == set(sample.answers)


def test_cwe_answers_are_the_most_common_words():
    sample = generate_one("cwe", "4k", 0)
    words = re.findall(r"\d+\. (\S+)", sample.context)
    counts = Counter(words)
    top = {word for word, _ in counts.most_common(10)}
    assert top == set(sample.answers)
    assert {counts[word] for word in sample.answers} == {30}
    assert max(count for word, count in counts.items() if word not in top) == 3


def test_fwe_answers_are_the_most_frequent_coded_words():
    sample = generate_one("fwe", "4k", 0)
    counts = Counter(sample.context.split())
    ranked = [word for word, _ in counts.most_common()]
    assert ranked[0] == "..."
    assert ranked[1:4] == sample.answers
    assert counts[ranked[1]] > counts[ranked[2]] > counts[ranked[3]] > counts[ranked[4]]


def test_qa_gold_paragraph_is_in_the_context_with_its_answer():
    for task in ("qa_1", "qa_2"):
        sample = generate_one(task, "4k", 1)
        assert sample.needles, "the supporting paragraph must be recorded"
        for needle in sample.needles:
            assert sample.context[needle.char_start:].startswith(needle.text)
        assert sample.metric == "string_match_part"
        documents = re.findall(r"^Document (\d+):$", sample.context, re.MULTILINE)
        assert [int(number) for number in documents] == list(range(1, len(documents) + 1))


def test_unknown_task_says_what_exists():
    with pytest.raises(ValueError, match="niah_single_1"):
        generate("niah_single_9", "4k", 1)
