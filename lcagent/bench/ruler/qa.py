"""Question answering (qa_1 SQuAD, qa_2 HotpotQA): the question's own paragraphs hidden
among distractor paragraphs, numbered "Document i:"; any reference answer counts."""

from __future__ import annotations

import random
from dataclasses import dataclass

from lcagent.bench.reference import qa_dataset
from lcagent.bench.ruler.fitting import count_tokens, fit_units
from lcagent.bench.ruler.prompt import family_prompt, sample_rng
from lcagent.bench.sample import Needle, Sample

DOCUMENT = "Document {i}:\n{document}"
# After the largest whole prefix of distractors fits, look this far down the distractor
# order for shorter paragraphs that still fit: it closes the last one-paragraph gap
# (up to 7% of a 4k prompt) that RULER leaves open.
TOP_UP_CANDIDATES = 2000


@dataclass(frozen=True)
class QAConfig:
    dataset: str  # "squad" or "hotpotqa"


def _render(docs: list[str], shuffle_seed: str) -> str:
    docs = list(docs)
    random.Random(shuffle_seed).shuffle(docs)
    return "\n\n".join(DOCUMENT.format(i=number, document=doc) for number, doc in enumerate(docs, 1))


def generate_qa(task: str, config: QAConfig, length: int, index: int, seed: int,
                tokens_to_generate: int) -> Sample:
    dataset = qa_dataset(config.dataset)
    if index >= len(dataset.items):
        raise ValueError(
            f"{task} has {len(dataset.items)} questions; sample index {index} is past the end")
    # RULER asks the questions in file order: sample i is question i.
    item = dataset.items[index]
    rng = sample_rng(seed, task, length, index, "distractors")
    # RULER draws distractors from the question's own article first, then from the rest.
    related = list(item.related_docs)
    rng.shuffle(related)
    taken = set(item.gold_docs) | set(related)
    others = [doc for doc in range(len(dataset.docs)) if doc not in taken]
    rng.shuffle(others)
    order = related + others
    gold = [dataset.docs[doc] for doc in item.gold_docs]
    shuffle_seed = f"{seed}|{task}|{length}|{index}|order"
    parts = family_prompt("qa", query=item.query)

    def build(units: int) -> list[str]:
        return gold + [dataset.docs[doc] for doc in order[:units]]

    def measure(docs: list[str]) -> int:
        return parts.measure(_render(docs, shuffle_seed), tokens_to_generate)

    fitted = fit_units(build, measure, length, first_guess=length // 200, minimum=0,
                       maximum=len(order))
    docs, tokens = fitted.built, fitted.tokens
    if not fitted.capped:
        docs, tokens = _top_up(docs, tokens, order[fitted.units:fitted.units + TOP_UP_CANDIDATES],
                               dataset.docs, length, measure)
    context = _render(docs, shuffle_seed)
    needles = []
    for doc in item.supporting_docs:
        start = context.find(dataset.docs[doc])
        needles.append(Needle(dataset.docs[doc], start, 100 * start / max(len(context), 1)))
    needles.sort(key=lambda needle: needle.char_start)
    return Sample(
        task=task, length=length, index=index, seed=seed, context=context,
        question=parts.question, answers=list(item.answers), metric="string_match_part",
        tokens=tokens, tokens_to_generate=tokens_to_generate,
        prompt_prefix=parts.prefix, prompt_suffix=parts.suffix, answer_prefix=parts.answer_prefix,
        needles=needles,
    )


def _top_up(docs: list[str], tokens: int, candidates: list[int], pool: list[str], budget: int,
            measure) -> tuple[list[str], int]:
    remaining = budget - tokens
    extra: list[str] = []
    for doc in candidates:
        if remaining < budget * 0.002:
            break
        # "\n\nDocument 123:\n" costs about six tokens on top of the paragraph itself.
        cost = count_tokens(pool[doc]) + 6
        if cost <= remaining:
            extra.append(pool[doc])
            remaining -= cost
    while extra:
        topped = docs + extra
        topped_tokens = measure(topped)
        if topped_tokens <= budget:
            return topped, topped_tokens
        extra.pop()
    return docs, tokens
