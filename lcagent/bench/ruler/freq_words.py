"""Frequent words extraction (fwe): random six-letter "coded" words drawn from a Zipf
(zeta) distribution; name the three most frequent, ignoring the '...' noise word."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from lcagent.bench.ruler.fitting import fit_units
from lcagent.bench.ruler.prompt import family_prompt, sample_rng
from lcagent.bench.sample import Sample


@dataclass(frozen=True)
class FreqWordsConfig:
    alpha: float = 2.0
    coded_word_length: int = 6
    vocab_size: int = -1  # RULER's default: length // 50


def riemann_zeta(s: float) -> float:
    """zeta(s) for s > 1 by Euler-Maclaurin summation (what scipy.special.zeta gives RULER)."""
    if s <= 1:
        raise ValueError(f"zeta diverges for s <= 1 (got {s}); RULER's alpha must exceed 1")
    terms = 20
    total = sum(k ** -s for k in range(1, terms))
    n = float(terms)
    # Tail from n to infinity: integral + half the first term + Bernoulli corrections.
    total += n ** (1 - s) / (s - 1) + 0.5 * n ** -s + s * n ** (-s - 1) / 12
    total -= s * (s + 1) * (s + 2) * n ** (-s - 3) / 720
    total += s * (s + 1) * (s + 2) * (s + 3) * (s + 4) * n ** (-s - 5) / 30240
    return total


def _vocabulary(size: int, word_length: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(string.ascii_lowercase, k=word_length)))
    vocabulary = sorted(words)
    rng.shuffle(vocabulary)
    vocabulary[0] = "..."  # RULER makes the most frequent rank pure noise
    return vocabulary


def _text(vocabulary: list[str], num_words: int, alpha: float, rng: random.Random) -> str:
    normaliser = riemann_zeta(alpha)
    words: list[str] = []
    for rank, word in enumerate(vocabulary, start=1):
        words.extend([word] * int(num_words * rank ** -alpha / normaliser))
    rng.shuffle(words)
    return " ".join(words)


def generate_freq_words(task: str, config: FreqWordsConfig, length: int, index: int, seed: int,
                        tokens_to_generate: int) -> Sample:
    size = length // 50 if config.vocab_size == -1 else config.vocab_size
    vocabulary = _vocabulary(size, config.coded_word_length,
                             sample_rng(seed, task, length, index, "vocabulary"))
    parts = family_prompt("freq_words_extraction", query="")
    fitted = fit_units(
        lambda units: _text(vocabulary, units, config.alpha,
                            sample_rng(seed, task, length, index, "order")),
        lambda context: parts.measure(context, tokens_to_generate),
        length,
        first_guess=length // config.coded_word_length,
        minimum=1,
    )
    return Sample(
        task=task, length=length, index=index, seed=seed, context=fitted.built,
        question=parts.question, answers=vocabulary[1:4], metric="string_match_all",
        tokens=fitted.tokens, tokens_to_generate=tokens_to_generate,
        prompt_prefix=parts.prefix, prompt_suffix=parts.suffix, answer_prefix=parts.answer_prefix,
    )
