"""LooGLE's real long documents (post-2022 Wikipedia) with questions and evidence sentences.

Answers are scored with SQuAD F1 and citations with evidence recall. The files live outside
the repository: ``$LCAGENT_LOOGLE_DIR`` or ``../shared/data/loogle`` beside the checkout.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

from lcagent.bench.ruler.fitting import count_tokens
from lcagent.bench.sample import Sample

SPLITS = {"shortdep": "shortdep_qa.jsonl", "longdep": "longdep_qa.jsonl"}
ENV_VAR = "LCAGENT_LOOGLE_DIR"
_OPTION = re.compile(r"^\s*(\d+)\.\s*(.+?)\s*$", re.MULTILINE)


def default_loogle_dir() -> Path:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "data" / "loogle"


def length_bucket(tokens: int) -> int:
    """The smallest power-of-two length (4k at least) that holds ``tokens``, so real
    documents line up with RULER's columns in the summary."""
    bucket = 4096
    while bucket < tokens:
        bucket *= 2
    return bucket


def _references(question: str, answer: str) -> list[str]:
    """The answer, plus the option's text when a multiple-choice answer is just its number."""
    references = [answer]
    if answer.strip().isdigit():
        for number, text in _OPTION.findall(question):
            if number == answer.strip():
                references.append(text)
    return references


def _evidence(raw: object) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [str(item).strip() for item in items if str(item).strip()]


def load_loogle(split: str = "shortdep", directory: str | Path | None = None,
                limit: int | None = None) -> list[Sample]:
    """Questions of one LooGLE split as Samples (task ``loogle_<split>``), in file order."""
    if split not in SPLITS:
        raise ValueError(f"unknown LooGLE split {split!r}; use {' or '.join(SPLITS)}")
    folder = Path(directory) if directory is not None else default_loogle_dir()
    path = folder / SPLITS[split]
    if not path.is_file():
        raise FileNotFoundError(
            f"LooGLE file {path} not found: set {ENV_VAR} to the folder holding "
            f"{' and '.join(SPLITS.values())}")
    samples: list[Sample] = []
    task = f"loogle_{split}"
    with path.open(encoding="utf-8") as lines:
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            pairs = row["qa_pairs"]
            if isinstance(pairs, str):
                # The files store the list as a Python literal, not JSON.
                pairs = ast.literal_eval(pairs)
            document = row["input"]
            tokens = count_tokens(document)
            for pair in pairs:
                if limit is not None and len(samples) >= limit:
                    return samples
                samples.append(Sample(
                    task=task, length=length_bucket(tokens), index=len(samples),
                    context=document, question=pair["Q"].strip(),
                    answers=_references(pair["Q"], str(pair["A"]).strip()), metric="f1",
                    seed=0, tokens=tokens, evidence=_evidence(pair.get("S", [])),
                    title=row.get("title", f"line {line_number}"),
                ))
    return samples
