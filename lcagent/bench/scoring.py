"""Scores for one prediction, each in [0, 1].

``string_match_all`` / ``string_match_part`` are RULER's per-sample metrics (RULER reports
them times 100); ``f1`` is SQuAD's token F1; ``evidence_recall`` and ``page_accuracy``
judge the citations rather than the answer text.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Iterable, Sequence

from lcagent.records import Citation

_CONTROL = re.compile(r"[\x00-\x1f]")


def clean_prediction(prediction: str | None) -> str:
    """RULER's post-processing: strip, turn control characters into newlines, strip again."""
    if prediction is None:
        return ""
    return _CONTROL.sub("\n", prediction.strip()).strip()


def string_match_all(prediction: str, references: Sequence[str]) -> float:
    """Share of the references found (case-insensitive substring) in the prediction."""
    if not references:
        raise ValueError("string_match_all needs at least one reference answer")
    text = clean_prediction(prediction).lower()
    return sum(1.0 for reference in references if reference.lower() in text) / len(references)


def string_match_part(prediction: str, references: Sequence[str]) -> float:
    """1 if any reference is found (case-insensitive substring) in the prediction."""
    if not references:
        raise ValueError("string_match_part needs at least one reference answer")
    text = clean_prediction(prediction).lower()
    return max(1.0 if reference.lower() in text else 0.0 for reference in references)


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lowercase, drop punctuation and articles, collapse whitespace."""
    text = "".join(char for char in text.lower() if char not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, reference: str) -> float:
    predicted, expected = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not predicted or not expected:
        # SQuAD's rule: both empty is a match, one empty is not.
        return float(predicted == expected)
    common = Counter(predicted) & Counter(expected)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(predicted), overlap / len(expected)
    return 2 * precision * recall / (precision + recall)


def f1(prediction: str, references: Sequence[str]) -> float:
    """Best token F1 against any reference answer."""
    if not references:
        raise ValueError("f1 needs at least one reference answer")
    return max(token_f1(prediction, reference) for reference in references)


METRIC_FUNCTIONS = {"string_match_all": string_match_all, "string_match_part": string_match_part, "f1": f1}


def score(metric: str, prediction: str, references: Sequence[str]) -> float:
    if metric not in METRIC_FUNCTIONS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRIC_FUNCTIONS)}")
    return METRIC_FUNCTIONS[metric](prediction, references)


# A sentence counts as cited when a quote covers at least this share of its tokens.
EVIDENCE_COVERAGE = 0.5
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def sentence_covered(sentence: str, quotes: Iterable[str]) -> bool:
    """True when some quote shares a contiguous run of words with the sentence that is at
    least half the sentence's length in words.

    Words are lowercased ``\\w+`` runs, so whitespace, line breaks and punctuation from PDF
    extraction do not matter; a contiguous run (not a bag of words) keeps an unrelated quote
    that happens to share "the" and "of" from counting.
    """
    target = _words(sentence)
    if not target:
        return False
    return any(_longest_common_run(target, _words(quote)) / len(target) >= EVIDENCE_COVERAGE
               for quote in quotes)


def _longest_common_run(first: list[str], second: list[str]) -> int:
    best = 0
    previous = [0] * (len(second) + 1)
    for word in first:
        current = [0] * (len(second) + 1)
        for position, other in enumerate(second, start=1):
            if word == other:
                current[position] = previous[position - 1] + 1
                best = max(best, current[position])
        previous = current
    return best


def evidence_recall(evidence: Sequence[str], quotes: Sequence[str]) -> float | None:
    """Share of gold evidence sentences covered by some cited quote; None without evidence."""
    sentences = [sentence for sentence in evidence if _words(sentence)]
    if not sentences:
        return None
    return sum(1 for sentence in sentences if sentence_covered(sentence, quotes)) / len(sentences)


def page_accuracy(citations: Sequence[Citation], needle_pages: Iterable[int]) -> bool:
    """Did any citation point at a page (1-based index) that holds a needle?"""
    pages = set(needle_pages)
    return any(citation.page_index in pages for citation in citations)
