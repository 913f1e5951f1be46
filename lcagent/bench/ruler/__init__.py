"""RULER's 13 synthetic tasks, regenerated from NVIDIA's recipes at any length from 4k to 1M.

``generate("niah_single_2", "16k", n=5)`` returns five fitted, seeded Samples. The task
settings below restate RULER's ``synthetic.yaml``; the tests compare them with the file.
"""

from __future__ import annotations

import warnings
from typing import Callable, Union

from lcagent.bench.reference import task_templates
from lcagent.bench.ruler.common_words import CommonWordsConfig, generate_common_words
from lcagent.bench.ruler.freq_words import FreqWordsConfig, generate_freq_words
from lcagent.bench.ruler.niah import NiahConfig, generate_niah
from lcagent.bench.ruler.qa import QAConfig, generate_qa
from lcagent.bench.ruler.variable_tracking import VariableTrackingConfig, generate_variable_tracking
from lcagent.bench.sample import Sample, parse_length

TaskConfig = Union[NiahConfig, VariableTrackingConfig, CommonWordsConfig, FreqWordsConfig, QAConfig]

TASKS: dict[str, TaskConfig] = {
    "niah_single_1": NiahConfig("repeat", "words", "numbers"),
    "niah_single_2": NiahConfig("essay", "words", "numbers"),
    "niah_single_3": NiahConfig("essay", "words", "uuids"),
    "niah_multikey_1": NiahConfig("essay", "words", "numbers", num_keys=4),
    "niah_multikey_2": NiahConfig("needle", "words", "numbers"),
    "niah_multikey_3": NiahConfig("needle", "uuids", "uuids"),
    "niah_multivalue": NiahConfig("essay", "words", "numbers", num_values=4),
    "niah_multiquery": NiahConfig("essay", "words", "numbers", num_queries=4),
    "vt": VariableTrackingConfig(num_chains=1, num_hops=4),
    "cwe": CommonWordsConfig(freq_common=30, freq_uncommon=3, num_common=10),
    "fwe": FreqWordsConfig(alpha=2.0),
    "qa_1": QAConfig("squad"),
    "qa_2": QAConfig("hotpotqa"),
}

# RULER's template family for each kind of config.
FAMILY: dict[type, tuple[str, Callable[..., Sample]]] = {
    NiahConfig: ("niah", generate_niah),
    VariableTrackingConfig: ("variable_tracking", generate_variable_tracking),
    CommonWordsConfig: ("common_words_extraction", generate_common_words),
    FreqWordsConfig: ("freq_words_extraction", generate_freq_words),
    QAConfig: ("qa", generate_qa),
}

# Below this share of the target a sample is reported as short (RULER's haystack ran out).
FIT_TOLERANCE = 0.02


def family_of(task: str) -> str:
    return FAMILY[type(_config(task))][0]


def _config(task: str) -> TaskConfig:
    if task not in TASKS:
        raise ValueError(f"unknown RULER task {task!r}; choose from {', '.join(TASKS)}")
    return TASKS[task]


def generate_one(task: str, length: int | str, index: int, seed: int = 42) -> Sample:
    """Sample ``index`` of ``task`` at ``length``; the same arguments give the same sample."""
    config = _config(task)
    tokens = parse_length(length)
    family, make = FAMILY[type(config)]
    sample = make(task, config, tokens, index, seed, task_templates()[family].tokens_to_generate)
    if sample.tokens < tokens * (1 - FIT_TOLERANCE):
        warnings.warn(
            f"{task} sample {index} reached {sample.tokens} of the {tokens} tokens asked: "
            "RULER's source data for this task runs out before that length",
            stacklevel=2,
        )
    return sample


def generate(task: str, length: int | str, n: int, seed: int = 42, start: int = 0) -> list[Sample]:
    """``n`` samples of ``task`` (a RULER task name) fitted to ``length`` tokens (``"128k"`` or 131072),
    from sample ``start`` on (a slice kept apart for tuning: ``start=100`` never overlaps ``n=50``)."""
    if n < 0 or start < 0:
        raise ValueError(f"n and start must be zero or more, got n={n}, start={start}")
    return [generate_one(task, length, index, seed) for index in range(start, start + n)]


# The wording suite builds on TASKS above, so it is imported last.
from lcagent.bench.ruler.wording import generate_wording, generate_wording_one  # noqa: E402

__all__ = ["TASKS", "generate", "generate_one", "family_of", "generate_wording", "generate_wording_one"]
