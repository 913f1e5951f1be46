"""The questions file of ``lcagent batch``: one JSON object a line, checked before any work starts.

    {"id": "q1", "question": "Who audits the company?", "documents": ["10k.pdf"]}
    {"question": "What changed in 2023?", "tag": "filings", "options": {"strategy": "tools"}}

A question without an ``id`` gets one from its content, so a rerun finds it again even if the
lines were reordered; two lines with the same id are an error (answers are keyed by it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lcagent.agents.router import STRATEGIES
from lcagent.memory.errors import WorkspaceError


class BatchFileError(WorkspaceError):
    """The questions file cannot be read as questions; the message names the file and line."""


class AskOptions(BaseModel):
    """Per-question settings of ``lcagent.ask``; those not given come from the command line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strategy: str | None = Field(None, description=f"one of {', '.join(STRATEGIES)}")
    reader: Literal["auto", "extractive", "generative"] | None = None
    max_steps: int | None = Field(None, ge=1)
    budget_tokens: int | None = Field(None, ge=1)
    budget_calls: int | None = Field(None, ge=1)
    budget_seconds: float | None = Field(None, gt=0)
    min_confidence: float | None = Field(None, ge=0, le=1)

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str | None) -> str | None:
        if value is not None and value not in STRATEGIES:
            raise ValueError(f"unknown strategy {value!r}; choose one of {', '.join(STRATEGIES)}")
        return value

    def over(self, defaults: "AskOptions") -> "AskOptions":
        """These options, with ``defaults`` where these give none."""
        return AskOptions(**{**defaults.model_dump(exclude_none=True), **self.model_dump(exclude_none=True)})


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | None = Field(None, min_length=1)
    question: str = Field(min_length=1)
    documents: list[str] | str = Field(default_factory=list, description="files, folders, globs or stored names")
    tag: str | None = None
    all_documents: bool = Field(False, alias="all")
    options: AskOptions = AskOptions()


@dataclass(frozen=True)
class BatchQuestion:
    """One question of the batch, as its line gave it."""

    id: str
    question: str
    documents: tuple[str, ...]
    tag: str | None
    all_documents: bool
    options: AskOptions
    line: int  # 1-based line in the questions file

    @property
    def targets_key(self) -> tuple:
        """What the documents are resolved from: questions with the same key share the resolution."""
        return (self.documents, self.tag, self.all_documents)


def read_questions(path: Path) -> list[BatchQuestion]:
    """Every question in ``path``; BatchFileError names the first bad line and how to fix it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BatchFileError(f"cannot read {path} ({error.strerror}); check the path") from None
    except UnicodeDecodeError:
        raise BatchFileError(f"{path} is not UTF-8 text; save it as UTF-8 JSON lines") from None
    questions: list[BatchQuestion] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            parsed = _Line.model_validate(json.loads(raw))
        except json.JSONDecodeError as error:
            raise BatchFileError(f"{where} is not JSON ({error.msg}); write one JSON object a line") from None
        except ValidationError as error:
            problem = error.errors()[0]
            field = ".".join(str(part) for part in problem["loc"]) or "the line"
            raise BatchFileError(f"{where}: {field}: {problem['msg']}; a line looks like "
                                 '{"id": "q1", "question": "...", "documents": ["report.pdf"]}') from None
        documents = (parsed.documents,) if isinstance(parsed.documents, str) else tuple(parsed.documents)
        if not (documents or parsed.tag or parsed.all_documents):
            raise BatchFileError(f'{where}: name what to ask with "documents", "tag" or "all": true')
        question = BatchQuestion(
            id=parsed.id or _content_id(parsed.question, documents, parsed.tag, parsed.all_documents, parsed.options),
            question=parsed.question.strip(), documents=documents, tag=parsed.tag,
            all_documents=parsed.all_documents, options=parsed.options, line=number,
        )
        if question.id in first_line_of:
            same = "has the same id" if parsed.id else "asks the same question of the same documents"
            raise BatchFileError(f"{where} {same} as line {first_line_of[question.id]}; "
                                 "give each question its own id, or remove one")
        first_line_of[question.id] = number
        questions.append(question)
    if not questions:
        raise BatchFileError(f"{path} holds no questions; write one JSON object a line")
    return questions


def _content_id(question: str, documents: tuple[str, ...], tag: str | None, all_documents: bool,
                options: AskOptions) -> str:
    content = json.dumps([question.strip(), list(documents), tag, all_documents, options.model_dump(exclude_none=True)],
                         sort_keys=True, ensure_ascii=False)
    return "q-" + hashlib.sha256(content.encode()).hexdigest()[:12]
