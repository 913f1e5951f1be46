"""Generated documents for the collection suite: essay-text PDFs and text files, each holding at
most one RULER needle and one comparison fact on known pages, plus plain essay distractors.

The text is RULER's Paul Graham essay haystack (read from the installed reference package), each
document starting at its own place in it; text files separate pages with form feeds, so a text
document's page numbers are as certain as a PDF's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from lcagent.bench.reference import essay_words, wonderwords_lists
from lcagent.bench.ruler.essay import split_sentences
from lcagent.bench.ruler.fitting import count_tokens
from lcagent.bench.ruler.niah import NEEDLE, random_value

WORDS_PER_PAGE = 400


@dataclass(frozen=True)
class ComparisonTemplate:
    """Two documents each state one value of the same measure about a different subject; the
    question names both subjects and asks which one wins."""

    name: str
    noun: str  # ends every subject's name: "Rough Harbor Society"
    fact: str  # with {subject} and {value}
    question: str  # with {first} and {second}
    low: int
    high: int
    smaller_wins: bool


COMPARISONS = (
    ComparisonTemplate("founded", "Society", "The {subject} was founded in {value}.",
                       "Which was founded first, the {first} or the {second}?", 1820, 1990, True),
    ComparisonTemplate("height", "Tower", "The {subject} is {value} metres tall.",
                       "Which is taller, the {first} or the {second}?", 40, 400, False),
    ComparisonTemplate("passengers", "Ferry Line", "The {subject} carried {value} passengers in its first year.",
                       "Which carried more passengers in its first year, the {first} or the {second}?",
                       1000, 90000, False),
)


@dataclass(frozen=True)
class PlantedNeedle:
    key: str
    value: str
    page: int  # 1-based


@dataclass(frozen=True)
class PlantedFact:
    template: str  # a ComparisonTemplate's name
    subject: str
    value: int
    page: int  # 1-based


@dataclass(frozen=True)
class GeneratedDocument:
    path: Path
    pages: int
    tokens: int
    needle: PlantedNeedle | None = None
    fact: PlantedFact | None = None


def pages_for_tokens(tokens: int, words_per_page: int = WORDS_PER_PAGE) -> int:
    """How many essay pages make about ``tokens`` cl100k tokens (measured on the essays' first pages)."""
    sample = " ".join(essay_words()[:words_per_page * 20])
    per_page = count_tokens(sample) / 20
    return max(1, math.ceil(tokens / per_page))


def _essay_pages(start: int, pages: int, words_per_page: int) -> list[str]:
    words = essay_words()
    texts = []
    for page in range(pages):
        first = (start + page * words_per_page) % len(words)
        chunk = [words[(first + offset) % len(words)] for offset in range(words_per_page)]
        texts.append(" ".join(word for word in chunk if word))
    return texts


def _plant(page_text: str, sentence: str, rng: random.Random) -> str:
    sentences = split_sentences(page_text)
    cut = rng.randint(0, len(sentences))
    return " ".join(sentences[:cut] + [sentence] + sentences[cut:])


@lru_cache(maxsize=1)
def _name_words() -> tuple[list[str], list[str]]:
    """Single-word adjectives and nouns (no "ice-cream"), so a subject's name is plain words."""
    nouns, adjectives, _verbs = wonderwords_lists()
    return sorted({w for w in adjectives if w.isalpha()}), sorted({w for w in nouns if w.isalpha()})


def subject_name(template: ComparisonTemplate, rng: random.Random) -> str:
    adjectives, nouns = _name_words()
    return f"{rng.choice(adjectives).capitalize()} {rng.choice(nouns).capitalize()} {template.noun}"


def fact_values(template: ComparisonTemplate, rng: random.Random) -> tuple[int, int]:
    """Two different values, far enough apart that neither is a near miss of the other."""
    first = rng.randint(template.low, template.high)
    second = first
    while abs(second - first) < (template.high - template.low) // 20:
        second = rng.randint(template.low, template.high)
    return first, second


def write_documents(out_dir: str | Path, count: int, *, pages: int = 16, words_per_page: int = WORDS_PER_PAGE,
                    seed: int = 42, prefix: str = "essay", needles: bool = True, facts: bool = True,
                    pdf_every: int = 2, used_keys: set[str] | None = None) -> list[GeneratedDocument]:
    """Write ``count`` documents to ``out_dir`` (every ``pdf_every``-th one a PDF with roman front
    matter, the others text): each with a needle when ``needles``, and with ``facts`` documents
    2i and 2i+1 state the two sides of comparison i. Same arguments, same bytes."""
    from lcagent.pdfgen import render_text_pdf

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keys = used_keys if used_keys is not None else set()
    documents = []
    comparison_values: dict[int, tuple[tuple[str, str], tuple[int, int]]] = {}
    for index in range(count):
        rng = random.Random(f"lcagent-collection|{seed}|{prefix}|{pages}|{index}")
        texts = _essay_pages(rng.randrange(len(essay_words())), pages, words_per_page)
        needle = fact = None
        if needles:
            key = random_value("words", rng)
            while key in keys:  # one key, one document: the question must have one answer
                key = random_value("words", rng)
            keys.add(key)
            needle = PlantedNeedle(key, random_value("numbers", rng), rng.randrange(pages) + 1)
            sentence = NEEDLE.format(type_needle_v="numbers", key=needle.key, value=needle.value)
            texts[needle.page - 1] = _plant(texts[needle.page - 1], sentence, rng)
        if facts and index - index % 2 + 1 < count:  # only whole pairs
            pair = index // 2
            template = COMPARISONS[pair % len(COMPARISONS)]
            if pair not in comparison_values:
                pair_rng = random.Random(f"lcagent-collection|{seed}|{prefix}|pair|{pair}")
                names = (subject_name(template, pair_rng), subject_name(template, pair_rng))
                while names[1] == names[0]:
                    names = (names[0], subject_name(template, pair_rng))
                comparison_values[pair] = names, fact_values(template, pair_rng)
            names, values = comparison_values[pair]
            side = index % 2
            fact = PlantedFact(template.name, names[side], values[side], rng.randrange(pages) + 1)
            sentence = template.fact.format(subject=fact.subject, value=fact.value)
            texts[fact.page - 1] = _plant(texts[fact.page - 1], sentence, rng)
        pdf = pdf_every > 0 and index % pdf_every == pdf_every - 1
        path = out / f"{prefix}-{index:03d}.{'pdf' if pdf else 'txt'}"
        if pdf:
            front = min(2, pages - 1)
            labels = [(0, "r", ""), (front, "D", "")] if front else None
            render_text_pdf(texts, path, page_labels=labels, title=f"Essays, volume {index + 1}")
        else:
            # one sentence a line, pages apart by form feeds
            path.write_text("\f".join("\n".join(split_sentences(text)) for text in texts) + "\n", encoding="utf-8")
        documents.append(GeneratedDocument(path, pages, sum(count_tokens(text) for text in texts), needle, fact))
    return documents


def comparison_pairs(documents: list[GeneratedDocument]) -> Iterator[tuple[str, str, GeneratedDocument, GeneratedDocument]]:
    """(question, right answer, first document, second document) for each pair of documents that
    state the two sides of one comparison; the random values decide which one wins."""
    by_template = {template.name: template for template in COMPARISONS}
    for first, second in zip(documents[0::2], documents[1::2]):
        if not (first.fact and second.fact and first.fact.template == second.fact.template):
            continue
        template = by_template[first.fact.template]
        winner = min if template.smaller_wins else max
        right = winner((first.fact, second.fact), key=lambda fact: fact.value).subject
        question = template.question.format(first=first.fact.subject, second=second.fact.subject)
        yield question, right, first, second
