"""The wording suite's documents: RULER's facts (needles, a chain, a word list, QA paragraphs)
written in the variant's template and haystack, fitted to a token length like RULER's own."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from functools import lru_cache

from lcagent.bench.reference import qa_dataset
from lcagent.bench.ruler.common_words import SHORT_LENGTH, CommonWordsConfig, numbered, vocabulary
from lcagent.bench.ruler.fitting import count_tokens, fit_units
# RULER's own recipes for the coded-word stream and the QA top-up, reused so the wording
# suite draws the same distributions as the standard tasks.
from lcagent.bench.ruler.freq_words import FreqWordsConfig, _text, _vocabulary
from lcagent.bench.ruler.haystacks import haystack
from lcagent.bench.ruler.niah import DEPTHS, NiahConfig, random_value
from lcagent.bench.ruler.prompt import PromptParts, sample_rng
from lcagent.bench.ruler.qa import TOP_UP_CANDIDATES, QAConfig, _top_up
from lcagent.bench.ruler.variable_tracking import VariableTrackingConfig
from lcagent.bench.ruler.wording_tables import CHAIN_STYLES, COORDINATIONS, NEEDLE_TEMPLATES, Wording
from lcagent.bench.sample import Needle

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine", 10: "ten", 12: "twelve", 20: "twenty"}
FWE_ANSWERS = 3  # RULER asks fwe for "the three most frequently appeared words"


@dataclass(frozen=True)
class Variant:
    wording: Wording
    template: str  # a needle template or chain style id; "" where the task plants no sentence
    haystack: str  # a prose haystack, or the form of a word list or of the QA documents


@dataclass(frozen=True)
class Where:
    """Which sample is being built; every random stream is derived from it."""

    seed: int
    task: str
    length: int
    index: int
    tokens_to_generate: int

    def rng(self, stream: str) -> random.Random:
        return sample_rng(self.seed, self.task, self.length, self.index, f"wording-{stream}")

    def label(self, stream: str) -> str:
        return f"lcagent-wording|{self.seed}|{self.task}|{self.length}|{self.index}|{stream}"


@dataclass(frozen=True)
class Built:
    context: str
    parts: PromptParts
    answers: list[str]
    metric: str
    tokens: int
    needles: list[Needle]


def coordinate(keys: list[str], style: str) -> str:
    """Several keys joined the way ``style`` (one of COORDINATIONS) says."""
    if style and style not in COORDINATIONS:
        raise ValueError(f"unknown coordination {style!r}; choose from {', '.join(COORDINATIONS)}")
    if len(keys) < 2 or not style:
        return ", ".join(keys)
    head, last = ", ".join(keys[:-1]), keys[-1]
    return {
        "and": f"{head} and {last}",
        "oxford": f"{head}, and {last}",
        "as_well_as": " and ".join([", ".join(keys[:-2]), keys[-2]] if len(keys) > 2 else keys[:1])
        + f" as well as {last}",
        "bullets": "".join(f"\n- {key}" for key in keys),
        "numbered": "".join(f"\n{number}. {key}" for number, key in enumerate(keys, 1)),
        "slash": " / ".join(keys),
        "semicolons": "; ".join(keys),
        "plus": f"{head}, plus {last}",
    }[style]


def render_question(wording: Wording, *, keys: list[str] | tuple[str, ...] = (), value: str = "",
                    k: int = 0, question: str = "") -> str:
    return wording.text.format(
        key=keys[0] if keys else "", keys=coordinate(list(keys), wording.coordination), value=value,
        k=k, k_words=NUMBER_WORDS.get(k, str(k)), question=question,
    )


def person_prompt(question: str) -> PromptParts:
    """A bare model's prompt: the document, then the question as a person asked it."""
    return PromptParts(prefix="", suffix=f"\n\n{question}\n", answer_prefix="Answer:", question=question)


def _fit(build, parts: PromptParts, where: Where, **bounds):
    return fit_units(build, lambda context: parts.measure(context, where.tokens_to_generate),
                     where.length, **bounds)


def _locate(context: str, texts: list[str]) -> list[Needle]:
    needles = [Needle(text, context.find(text), 100 * context.find(text) / max(len(context), 1))
               for text in texts]
    return sorted(needles, key=lambda needle: needle.char_start)


@lru_cache(maxsize=None)
def _tokens_per_unit(name: str) -> float:
    stack = haystack(name)
    return max(count_tokens(stack.join(stack.units(200))) / 200, 1.0)


def _plant(units: list[str], texts: list[str], rng: random.Random) -> list[str]:
    """``units`` with each text put at one of RULER's depths (a share of the units)."""
    cuts = sorted(int(len(units) * depth / 100) for depth in rng.sample(DEPTHS, len(texts)))
    planted = list(units)
    for offset, (cut, text) in enumerate(zip(cuts, texts)):
        planted.insert(cut + offset, text)
    return planted


def build_niah(config: NiahConfig, variant: Variant, where: Where) -> Built:
    template = {entry.id: entry.text for entry in NEEDLE_TEMPLATES}[variant.template]
    rng = where.rng("needles")
    keys: list[str] = []
    values: list[list[str]] = []
    for _ in range(max(config.num_keys, config.num_queries)):
        key = random_value(config.key_type, rng)
        while key in keys:  # two needles under one key would make the answer ambiguous
            key = random_value(config.key_type, rng)
        keys.append(key)
        values.append([random_value(config.value_type, rng) for _ in range(config.num_values)])
    needles = [template.format(key=key, value=value, value_kind=config.value_type)
               for key, key_values in zip(keys, values) for value in key_values]
    rng.shuffle(needles)
    queried = rng.sample(range(len(keys)), config.num_queries)
    parts = person_prompt(render_question(variant.wording, keys=[keys[i] for i in queried]))
    stack = haystack(variant.haystack)

    def build(units: int) -> str:
        placement = where.rng("placement")
        if config.haystack != "needle":
            filler = stack.units(units)
        else:  # RULER's look-alikes (other keys, same template) after every unit of prose;
            # each counts as a unit of its own, so the fit can stop after either
            filler = [stack.planted(_lookalike(config, template, keys, placement)) if position % 2 else unit
                      for position, unit in enumerate(unit for unit in stack.units((units + 1) // 2)
                                                      for _ in range(2))][:units]
        return stack.join(_plant(filler, [stack.planted(needle) for needle in needles], placement))

    per_unit = _tokens_per_unit(variant.haystack)
    if config.haystack == "needle":
        per_unit = (per_unit + count_tokens(_lookalike(config, template, keys, random.Random(0)))) / 2
    fitted = _fit(build, parts, where, first_guess=int(where.length / per_unit), minimum=1)
    return Built(fitted.built, parts, [value for i in queried for value in values[i]],
                 "string_match_all", fitted.tokens, _locate(fitted.built, needles))


def _lookalike(config: NiahConfig, template: str, keys: list[str], rng: random.Random) -> str:
    key = random_value(config.key_type, rng)
    while key in keys:  # a look-alike must never answer the question
        key = random_value(config.key_type, rng)
    return template.format(key=key, value=random_value(config.value_type, rng), value_kind=config.value_type)


def build_vt(config: VariableTrackingConfig, variant: Variant, where: Where) -> Built:
    style = {entry.id: entry for entry in CHAIN_STYLES}[variant.template]
    rng = where.rng("chain")
    names: list[str] = []
    while len(names) < (config.num_hops + 1) * config.num_chains:
        name = "".join(rng.choices(string.ascii_uppercase, k=5))
        if name not in names:  # one name in two chains would merge them
            names.append(name)
    chains, values, statements = [], [], []
    for start in range(0, len(names), config.num_hops + 1):
        chain = names[start:start + config.num_hops + 1]
        value = str(rng.randint(10000, 99998))
        lines = [rng.choice(style.assignments).format(name=chain[0], value=value)]
        lines += [rng.choice(style.copies).format(name=target, source=source)
                  for source, target in zip(chain, chain[1:])]
        chains.append(chain)
        values.append(value)
        statements.append(lines)
    parts = person_prompt(render_question(variant.wording, value=values[0]))
    stack = haystack(variant.haystack)

    def build(units: int) -> str:
        placement = where.rng("placement")
        filler = stack.units(units)
        for lines in statements:  # in order, at random places, as RULER places them
            positions = sorted(placement.sample(range(len(filler)), len(lines)))
            for offset, (position, line) in enumerate(zip(positions, lines)):
                filler.insert(position + offset, stack.planted(line))
        return stack.join(filler)

    fitted = _fit(build, parts, where, first_guess=int(where.length / _tokens_per_unit(variant.haystack)),
                  minimum=config.num_hops + 1)
    return Built(fitted.built, parts, list(chains[0]), "string_match_all", fitted.tokens,
                 _locate(fitted.built, statements[0]))


def render_list(words: list[str], form: str, ruler_form) -> str:
    if form == "ruler":
        return ruler_form(words)
    if form == "numbered_lines":
        return "\n".join(f"{number}. {word}" for number, word in enumerate(words, 1))
    if form == "comma":
        return ", ".join(words)
    raise ValueError(f"unknown word list form {form!r}; choose ruler, numbered_lines or comma")


def build_common_words(config: CommonWordsConfig, variant: Variant, where: Where) -> Built:
    pool = list(vocabulary())
    where.rng("words").shuffle(pool)
    repeats = (6, 1) if where.length < SHORT_LENGTH else (config.freq_common, config.freq_uncommon)
    parts = person_prompt(render_question(variant.wording, k=config.num_common))

    def build(units: int) -> str:
        common, uncommon = pool[:config.num_common], pool[config.num_common:units]
        words = common * repeats[0] + uncommon * repeats[1]
        where.rng("order").shuffle(words)
        return render_list(words, variant.haystack, numbered)

    fitted = _fit(build, parts, where,
                  first_guess=max(where.length // (4 * repeats[1]) - config.num_common, config.num_common + 1),
                  minimum=config.num_common + 1, maximum=len(pool))
    return Built(fitted.built, parts, pool[:config.num_common], "string_match_all", fitted.tokens, [])


def build_freq_words(config: FreqWordsConfig, variant: Variant, where: Where) -> Built:
    size = where.length // 50 if config.vocab_size == -1 else config.vocab_size
    words = _vocabulary(size, config.coded_word_length, where.rng("vocabulary"))
    parts = person_prompt(render_question(variant.wording, k=FWE_ANSWERS))

    def build(units: int) -> str:
        text = _text(words, units, config.alpha, where.rng("order"))
        return render_list(text.split(" "), variant.haystack, " ".join)

    fitted = _fit(build, parts, where, first_guess=where.length // config.coded_word_length, minimum=1)
    return Built(fitted.built, parts, words[1:1 + FWE_ANSWERS], "string_match_all", fitted.tokens, [])


def render_documents(docs: list[str], form: str, order_label: str) -> str:
    docs = list(docs)
    random.Random(order_label).shuffle(docs)
    pattern = {"ruler": "Document {i}:\n{doc}", "plain": "{doc}", "markdown": "## Source {i}\n\n{doc}"}
    if form not in pattern:
        raise ValueError(f"unknown document form {form!r}; choose {', '.join(pattern)}")
    return "\n\n".join(pattern[form].format(i=number, doc=doc) for number, doc in enumerate(docs, 1))


def build_qa(config: QAConfig, variant: Variant, where: Where) -> Built:
    dataset = qa_dataset(config.dataset)
    if where.index >= len(dataset.items):
        raise ValueError(f"{where.task} has {len(dataset.items)} questions; sample index {where.index} "
                         "is past the end")
    item = dataset.items[where.index]  # sample i asks question i, as in RULER
    rng = where.rng("distractors")
    related = list(item.related_docs)
    rng.shuffle(related)
    taken = set(item.gold_docs) | set(related)
    others = [doc for doc in range(len(dataset.docs)) if doc not in taken]
    rng.shuffle(others)
    order = related + others
    gold = [dataset.docs[doc] for doc in item.gold_docs]
    parts = person_prompt(render_question(variant.wording, question=item.query))

    def measure(docs: list[str]) -> int:
        return parts.measure(render_documents(docs, variant.haystack, where.label("order")),
                             where.tokens_to_generate)

    fitted = fit_units(lambda units: gold + [dataset.docs[doc] for doc in order[:units]], measure,
                       where.length, first_guess=where.length // 200, minimum=0, maximum=len(order))
    docs, tokens = fitted.built, fitted.tokens
    if not fitted.capped:
        docs, tokens = _top_up(docs, tokens, order[fitted.units:fitted.units + TOP_UP_CANDIDATES],
                               dataset.docs, where.length, measure)
    context = render_documents(docs, variant.haystack, where.label("order"))
    return Built(context, parts, list(item.answers), "string_match_part", tokens,
                 _locate(context, [dataset.docs[doc] for doc in item.supporting_docs]))
