"""Needle in a haystack, RULER's eight variants: keys and values planted in essay text,
in repeated noise, or among look-alike needles; the question asks for the values of keys."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from functools import lru_cache

from lcagent.bench.reference import task_templates, wonderwords_lists
from lcagent.bench.ruler.essay import essay_haystack
from lcagent.bench.ruler.fitting import fit_units
from lcagent.bench.ruler.prompt import PromptParts, fill_template, sample_rng
from lcagent.bench.sample import Needle, Sample

NEEDLE = "One of the special magic {type_needle_v} for {key} is: {value}."
NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."
# RULER's depths: 40 evenly spaced percentages, rounded (numpy.linspace(0, 100, 40)).
DEPTHS = [round(step * 100 / 39) for step in range(40)]


@dataclass(frozen=True)
class NiahConfig:
    haystack: str  # "essay", "repeat" (noise sentences) or "needle" (look-alike needles)
    key_type: str  # "words", "numbers" or "uuids"
    value_type: str
    num_keys: int = 1
    num_values: int = 1
    num_queries: int = 1


def random_value(kind: str, rng: random.Random) -> str:
    if kind == "numbers":
        return str(rng.randint(10**6, 10**7 - 1))  # seven digits
    if kind == "uuids":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if kind == "words":
        # RULER picks uniformly from the sorted set of all "adjective-noun" pairs; picking
        # each part uniformly is the same distribution (but for the rare pair spelled two
        # ways) without building 6M strings.
        adjectives, nouns = _key_words()
        return f"{rng.choice(adjectives)}-{rng.choice(nouns)}"
    raise ValueError(f"unknown needle type {kind!r}; RULER uses words, numbers or uuids")


@lru_cache(maxsize=1)
def _key_words() -> tuple[list[str], list[str]]:
    nouns, adjectives, _ = wonderwords_lists()
    return sorted(set(adjectives)), sorted(set(nouns))


@dataclass(frozen=True)
class _Planted:
    keys: list[str]
    values: list[list[str]]
    needles: list[str]  # in insertion order
    answers: list[str]
    query: str


def _plant(config: NiahConfig, rng: random.Random) -> _Planted:
    num_keys = max(config.num_keys, config.num_queries)
    keys: list[str] = []
    values: list[list[str]] = []
    needles: list[str] = []
    for _ in range(num_keys):
        key = random_value(config.key_type, rng)
        while key in keys:  # two needles under one key would make the answer ambiguous
            key = random_value(config.key_type, rng)
        keys.append(key)
        values.append([])
        for _ in range(config.num_values):
            value = random_value(config.value_type, rng)
            values[-1].append(value)
            needles.append(NEEDLE.format(type_needle_v=config.value_type, key=key, value=value))
    rng.shuffle(needles)
    queried = rng.sample(range(num_keys), config.num_queries)
    queries = [keys[i] for i in queried]
    query = ", ".join(queries[:-1]) + ", and " + queries[-1] if len(queries) > 1 else queries[0]
    return _Planted(keys, values, needles, [v for i in queried for v in values[i]], query)


def niah_prompt(config: NiahConfig, query: str) -> PromptParts:
    template = task_templates()["niah"]
    text, answer_prefix = template.template, template.answer_prefix
    type_needle_v = config.value_type
    if config.num_queries * config.num_values == 1:
        # RULER's wording for a single answer, applied the same way it does.
        for old, new in (("Some", "A"), ("are all", "is"), ("are", "is"), ("answers", "answer")):
            text, answer_prefix = text.replace(old, new), answer_prefix.replace(old, new)
        type_needle_v = type_needle_v[:-1]
    return fill_template(text, answer_prefix, type_needle_v=type_needle_v, query=query)


def _essay_context(n_words: int, needles: list[str], rng: random.Random) -> tuple[str, list[float]]:
    sentences = essay_haystack().sentences(n_words)
    depths = rng.sample(DEPTHS, len(needles))
    cuts = [0] + sorted(int(len(sentences) * (depth / 100)) for depth in depths) + [len(sentences)]
    pieces: list[str] = []
    for position in range(1, len(cuts)):
        pieces.append(" ".join(sentences[cuts[position - 1]:cuts[position]]))
        if position - 1 < len(needles):
            pieces.append(needles[position - 1])
    return " ".join(pieces), sorted(float(depth) for depth in depths)


def _line_context(
    config: NiahConfig, n_lines: int, needles: list[str], keys: list[str], rng: random.Random
) -> tuple[str, list[float]]:
    if config.haystack == "repeat":
        lines = [NOISE] * n_lines
    else:
        lines = []
        for _ in range(n_lines):
            key = random_value(config.key_type, rng)
            while key in keys:  # a look-alike must never answer the question
                key = random_value(config.key_type, rng)
            value = random_value(config.value_type, rng)
            lines.append(NEEDLE.format(type_needle_v=config.value_type, key=key, value=value))
    slots = sorted(rng.sample(range(n_lines), len(needles)), reverse=True)
    for slot, needle in zip(slots, needles):
        lines.insert(slot, needle)
    return "\n".join(lines), sorted(slot * 100 / n_lines for slot in slots)


def generate_niah(task: str, config: NiahConfig, length: int, index: int, seed: int,
                  tokens_to_generate: int) -> Sample:
    planted = _plant(config, sample_rng(seed, task, length, index, "needles"))
    parts = niah_prompt(config, planted.query)

    def build(units: int) -> tuple[str, list[float]]:
        placement = sample_rng(seed, task, length, index, "placement")
        if config.haystack == "essay":
            return _essay_context(units, planted.needles, placement)
        return _line_context(config, units, planted.needles, planted.keys, placement)

    # Rough units per token, only to start the search near the answer.
    per_token = {"essay": 0.75, "repeat": 1 / 22, "needle": 1 / 22}[config.haystack]
    fitted = fit_units(
        build,
        lambda built: parts.measure(built[0], tokens_to_generate),
        length,
        first_guess=int(length * per_token),
        minimum=max(len(planted.needles), 1),
    )
    context, requested = fitted.built
    return Sample(
        task=task, length=length, index=index, seed=seed, context=context,
        question=parts.question, answers=planted.answers, metric="string_match_all",
        tokens=fitted.tokens, tokens_to_generate=tokens_to_generate,
        prompt_prefix=parts.prefix, prompt_suffix=parts.suffix, answer_prefix=parts.answer_prefix,
        needles=_locate(context, planted.needles, requested),
    )


def _locate(context: str, needles: list[str], requested: list[float]) -> list[Needle]:
    located = []
    for text in needles:
        start = context.find(text)
        located.append(Needle(text=text, char_start=start, depth=100 * start / max(len(context), 1)))
    located.sort(key=lambda needle: needle.char_start)
    return [
        Needle(n.text, n.char_start, n.depth, requested_depth=depth)
        for n, depth in zip(located, requested)
    ]
