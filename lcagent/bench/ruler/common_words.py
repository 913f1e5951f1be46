"""Common words extraction (cwe): a numbered list where ten words repeat 30 times and the
rest 3 times; name the ten. RULER prepends one small solved example."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from lcagent.bench.reference import wonderwords_lists
from lcagent.bench.ruler.fitting import fit_units
from lcagent.bench.ruler.prompt import family_prompt, sample_rng, with_examples
from lcagent.bench.sample import Sample

# Below 4k tokens RULER shrinks both the example and the repetition counts.
SHORT_LENGTH = 4096


@dataclass(frozen=True)
class CommonWordsConfig:
    freq_common: int = 30
    freq_uncommon: int = 3
    num_common: int = 10


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """RULER's pool: wonderwords' nouns, adjectives and verbs, deduplicated and sorted."""
    nouns, adjectives, verbs = wonderwords_lists()
    return tuple(sorted(set(nouns + adjectives + verbs)))


def numbered(words: list[str]) -> str:
    return " ".join(f"{number}. {word}" for number, word in enumerate(words, start=1))


def _word_list(chosen: list[str], num_common: int, common_repeats: int, uncommon_repeats: int,
               rng: random.Random) -> tuple[str, list[str]]:
    common, uncommon = chosen[:num_common], chosen[num_common:]
    words = common * common_repeats + uncommon * uncommon_repeats
    rng.shuffle(words)
    return numbered(words), common


def generate_common_words(task: str, config: CommonWordsConfig, length: int, index: int, seed: int,
                          tokens_to_generate: int) -> Sample:
    pool = list(vocabulary())
    # One permutation per sample; the first n words are RULER's random.sample(words, n).
    sample_rng(seed, task, length, index, "words").shuffle(pool)
    if length < SHORT_LENGTH:
        example_shape, repeats = (20, 3, 1), (6, 1)
    else:
        example_shape, repeats = (40, 10, 3), (config.freq_common, config.freq_uncommon)

    example_rng = sample_rng(seed, task, length, index, "example")
    example_words = example_rng.sample(pool, example_shape[0])
    example_context, example_answer = _word_list(
        example_words, config.num_common, example_shape[1], example_shape[2], example_rng)
    parts = family_prompt("common_words_extraction", query="")
    # RULER glues the example's answer straight onto the prefix ("are:1. word"), no space.
    example = (parts.prefix + example_context + parts.suffix + parts.answer_prefix
               + numbered(example_answer) + "\n")
    parts = with_examples(parts, example)

    def build(units: int) -> tuple[str, list[str]]:
        shuffle_rng = sample_rng(seed, task, length, index, "order")
        return _word_list(pool[:units], config.num_common, repeats[0], repeats[1], shuffle_rng)

    fitted = fit_units(
        build,
        lambda built: parts.measure(built[0], tokens_to_generate),
        length,
        first_guess=max(length // (4 * repeats[1]) - config.num_common, config.num_common + 1),
        minimum=config.num_common + 1,
        maximum=len(pool),
    )
    context, common = fitted.built
    return Sample(
        task=task, length=length, index=index, seed=seed, context=context,
        question=parts.question, answers=common, metric="string_match_all",
        tokens=fitted.tokens, tokens_to_generate=tokens_to_generate,
        prompt_prefix=parts.prefix, prompt_suffix=parts.suffix, answer_prefix=parts.answer_prefix,
    )
