"""RULER's prompt around a context, split so the context can travel as a separate document.

Also the helpers every task shares: per-sample random streams and the token measure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lcagent.bench.reference import task_templates
from lcagent.bench.ruler.fitting import count_tokens


@dataclass(frozen=True)
class PromptParts:
    """``prefix + context + suffix + answer_prefix`` is RULER's input for the 'base' model
    template; ``question`` is the instruction an agent gets instead (no document)."""

    prefix: str
    suffix: str
    answer_prefix: str
    question: str

    def measure(self, context: str, tokens_to_generate: int) -> int:
        """RULER's sample length: prompt tokens plus the tokens reserved for the answer."""
        return count_tokens(self.prefix + context + self.suffix + self.answer_prefix) + tokens_to_generate


def fill_template(template: str, answer_prefix: str, **fields: object) -> PromptParts:
    """Format a RULER template everywhere except ``{context}``."""
    before, after = template.split("{context}")
    prefix = before.format(**fields)
    suffix = after.format(**fields)
    return PromptParts(
        prefix=prefix,
        suffix=suffix,
        answer_prefix=answer_prefix.format(**fields),
        question=(prefix.strip() + "\n" + suffix.strip()).strip(),
    )


def family_prompt(family: str, **fields: object) -> PromptParts:
    template = task_templates()[family]
    return fill_template(template.template, template.answer_prefix, **fields)


def with_examples(parts: PromptParts, examples: str) -> PromptParts:
    """Put in-context examples before the prompt, leaving the agent's question unchanged."""
    return PromptParts(examples + parts.prefix, parts.suffix, parts.answer_prefix, parts.question)


def sample_rng(seed: int, task: str, length: int, index: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per sample and purpose.

    Separate streams keep a sample's needles identical however large its haystack grows
    while it is being fitted (RULER draws both from one global stream).
    """
    return random.Random(f"lcagent-ruler|{seed}|{task}|{length}|{index}|{stream}")
