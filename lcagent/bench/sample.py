"""The benchmark's unit of work: one long document, one question, its reference answers.

A RULER sample keeps the long context apart from the question, so lcagent can ingest the
context as a document; ``full_prompt()`` puts them back together exactly as RULER does.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

METRICS = ("string_match_all", "string_match_part", "f1")


@dataclass(frozen=True)
class Needle:
    """Where one planted fact sits in the document.

    ``requested_depth`` is RULER's chosen depth (percent of the haystack's sentences) when the
    recipe chooses one; ``depth`` is where the needle actually starts, in percent of the
    context's characters. PDF sets also record the page it landed on.
    """

    text: str
    char_start: int
    depth: float
    requested_depth: float | None = None
    page_index: int | None = None  # 1-based, as lcagent's records count pages
    page_label: str | None = None


@dataclass(frozen=True)
class Sample:
    """One benchmark question over one long document.

    ``length`` is the target the sample was fitted to; ``tokens`` is what it measures, counted
    the way RULER does: cl100k tokens of ``full_prompt()`` plus ``tokens_to_generate``.
    Real documents (LooGLE, PDF sets) are not fitted: ``tokens`` is the document's own
    count and ``length`` the power-of-two bucket that holds it.
    ``question`` is RULER's instruction without the document (and without in-context
    examples): what an agent that has ingested ``context`` is asked.
    """

    task: str
    length: int
    index: int
    context: str
    question: str
    answers: list[str]
    metric: str
    seed: int = 42
    tokens: int = 0
    tokens_to_generate: int = 0
    prompt_prefix: str = ""  # everything RULER puts before the context, few-shot included
    prompt_suffix: str = ""  # everything between the context and the answer prefix
    answer_prefix: str = ""
    needles: list[Needle] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # real-document sets: gold sentences
    document_path: str | None = None  # set when the document already exists (PDF sets)
    title: str = ""
    # The wording suite (ruler/wording.py): which wording, needle template and haystack it uses.
    wording: str = ""
    needle_template: str = ""
    haystack: str = ""

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; use one of {', '.join(METRICS)}")

    @property
    def key(self) -> str:
        """A stable name for file names and progress lines."""
        return f"{self.task}-{self.length}-{self.index}"

    def user_question(self) -> str:
        """What a user would ask lcagent, without RULER's instructions to a bare model ("Make
        sure to memorize it", "Only give me the answer"): the text after the last "Question:"
        (else the last line), narrowed to its last question sentence when it has one.
        Real-document sets (LooGLE, scored by F1) ask their question as written, options and all;
        wording-suite samples ask theirs exactly as written, line breaks included."""
        if self.wording:
            return self.question.strip()
        if self.metric == "f1":
            return " ".join(self.question.split())
        text = self.question.rsplit("Question:", 1)[1] if "Question:" in self.question else self.question.strip().split("\n")[-1]
        text = " ".join(text.split())
        asked = re.findall(r"[^.?!]*\?", text)
        return asked[-1].strip() if asked else text

    def full_prompt(self) -> str:
        """The exact single-prompt input RULER would give a base model."""
        return self.prompt_prefix + self.context + self.prompt_suffix + self.answer_prefix

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Sample":
        fields = dict(data)
        fields["needles"] = [Needle(**needle) for needle in fields.get("needles", [])]
        return cls(**fields)


_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


def parse_length(text: str | int) -> int:
    """``"128k"`` -> 131072, ``"1m"`` -> 1048576, ``"5000"`` -> 5000 (RULER's binary k)."""
    if isinstance(text, int):
        return text
    match = _LENGTH.match(text)
    if not match:
        raise ValueError(f"cannot read length {text!r}: write a token count like 4k, 128k, 1m or 5000")
    number, unit = float(match.group(1)), match.group(2).lower()
    scale = {"": 1, "k": 1024, "m": 1024 * 1024}[unit]
    value = int(number * scale)
    if value <= 0:
        raise ValueError(f"length {text!r} must be positive")
    return value


def format_length(tokens: int) -> str:
    """The inverse of ``parse_length`` for round sizes: 131072 -> ``"128k"``."""
    if tokens % (1024 * 1024) == 0:
        return f"{tokens // (1024 * 1024)}m"
    if tokens % 1024 == 0:
        return f"{tokens // 1024}k"
    return str(tokens)
