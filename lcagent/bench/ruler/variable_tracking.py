"""Variable tracking (vt): chains ``VAR B = VAR A`` hidden in repeated noise; name every
variable that ends up holding the chain's number. RULER prepends one solved example."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from lcagent.bench.ruler.fitting import fit_units
from lcagent.bench.ruler.prompt import PromptParts, family_prompt, sample_rng, with_examples
from lcagent.bench.sample import Needle, Sample

NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.\n"
# RULER fits its in-context example to 500 tokens, with 3-letter variable names.
EXAMPLE_LENGTH = 500
EXAMPLE_NAME_LENGTH = 3


@dataclass(frozen=True)
class VariableTrackingConfig:
    num_chains: int = 1
    num_hops: int = 4


@dataclass(frozen=True)
class _Chains:
    names: list[list[str]]
    statements: list[list[str]]

    @property
    def value(self) -> str:
        return self.statements[0][0].split("=")[-1].strip()


def _chains(config: VariableTrackingConfig, name_length: int, rng: random.Random) -> _Chains:
    needed = (config.num_hops + 1) * config.num_chains
    names: list[str] = []
    while len(names) < needed:  # distinct names, or one variable would sit in two chains
        name = "".join(rng.choices(string.ascii_uppercase, k=name_length))
        if name not in names:
            names.append(name)
    grouped, statements = [], []
    for start in range(0, needed, config.num_hops + 1):
        chain = names[start:start + config.num_hops + 1]
        grouped.append(chain)
        # numpy.random.randint(10000, 99999) in RULER: the upper bound is exclusive.
        lines = [f"VAR {chain[0]} = {rng.randint(10000, 99998)}"]
        lines += [f"VAR {chain[hop + 1]} = VAR {chain[hop]} " for hop in range(config.num_hops)]
        statements.append(lines)
    return _Chains(grouped, statements)


def _context(chains: _Chains, num_noises: int, rng: random.Random) -> str:
    sentences = [NOISE] * num_noises
    for chain in chains.statements:
        positions = sorted(rng.sample(range(len(sentences)), len(chain)))
        for offset, (position, statement) in enumerate(zip(positions, chain)):
            sentences.insert(position + offset, statement)
    return " ".join(sentences).replace(". \n", ".\n")


def _fit(chains: _Chains, parts: PromptParts, budget: int, tokens_to_generate: int,
         placement_seed: str):
    return fit_units(
        lambda units: _context(chains, units, random.Random(placement_seed)),
        lambda context: parts.measure(context, tokens_to_generate),
        budget,
        first_guess=max(budget // 24, 1),
        minimum=len(chains.statements[0]) + 1,
    )


def _example(config: VariableTrackingConfig, rng: random.Random, placement_seed: str,
             tokens_to_generate: int) -> str:
    """RULER's solved example, with its variable names re-drawn as RULER does per sample."""
    example_config = VariableTrackingConfig(config.num_chains, min(10, config.num_hops))
    chains = _chains(example_config, EXAMPLE_NAME_LENGTH, rng)
    parts = family_prompt("variable_tracking", query=chains.value, num_v=example_config.num_hops + 1)
    fitted = _fit(chains, parts, EXAMPLE_LENGTH, tokens_to_generate, placement_seed)
    example = parts.prefix + fitted.built + parts.suffix + parts.answer_prefix
    example += " " + " ".join(chains.names[0]) + "\n\n"
    for name in chains.names[0]:
        example = example.replace(name, "".join(rng.choices(string.ascii_uppercase, k=len(name))))
    return example


def generate_variable_tracking(task: str, config: VariableTrackingConfig, length: int, index: int,
                               seed: int, tokens_to_generate: int) -> Sample:
    chains = _chains(config, 5, sample_rng(seed, task, length, index, "chains"))
    example = _example(config, sample_rng(seed, task, length, index, "example"),
                       f"{seed}|{task}|{length}|{index}|example-placement", tokens_to_generate)
    parts = family_prompt("variable_tracking", query=chains.value, num_v=config.num_hops + 1)
    # RULER puts the example first, after a space, then a blank line.
    parts = with_examples(parts, " " + example + "\n\n")
    fitted = _fit(chains, parts, length, tokens_to_generate, f"{seed}|{task}|{length}|{index}|placement")
    context = fitted.built
    needles = []
    for statement in chains.statements[0]:
        start = context.find(statement)
        needles.append(Needle(statement, start, 100 * start / max(len(context), 1)))
    return Sample(
        task=task, length=length, index=index, seed=seed, context=context,
        question=parts.question, answers=list(chains.names[0]), metric="string_match_all",
        tokens=fitted.tokens, tokens_to_generate=tokens_to_generate,
        prompt_prefix=parts.prefix, prompt_suffix=parts.suffix, answer_prefix=parts.answer_prefix,
        needles=needles,
    )
