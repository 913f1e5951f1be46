"""The answers file of ``lcagent batch``: one JSON row per question, appended and fsynced one at a
time, so a crash or Ctrl-C loses at most the rows being computed, and a rerun skips what is done.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lcagent.records import Answer


@dataclass(frozen=True)
class AnswerRow:
    """What one question got: the answer and its evidence, or the error that stopped it."""

    id: str
    question: str
    line: int  # of the question in the questions file
    answer: str | None = None
    found: bool = False
    confidence: float | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # ids of the documents read
    strategy: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None  # `lcagent trace RUN_ID` shows every step
    partial: str = ""  # why the answer is partial (a budget stopped the run), "" when complete
    error: str | None = None  # None when answered
    seconds: float = 0.0
    worker: str = ""  # host:pid of the worker that answered

    @classmethod
    def answered(cls, question_id: str, question: str, line: int, answer: Answer, seconds: float,
                 worker: str) -> "AnswerRow":
        citations = [{"doc_id": c.doc_id, "doc_name": c.doc_name, "page": c.page_index, "page_label": c.page_label,
                      "quote": c.quote} for c in answer.citations]
        usage = {**asdict(answer.usage), "total_tokens": answer.usage.total_tokens}
        return cls(question_id, question, line, answer.text, answer.found, round(answer.confidence, 4), citations,
                   list(answer.doc_ids), answer.strategy, usage, answer.run_id, answer.partial, None, round(seconds, 3),
                   worker)

    @classmethod
    def failed(cls, question_id: str, question: str, line: int, error: str, seconds: float = 0.0,
               worker: str = "") -> "AnswerRow":
        return cls(question_id, question, line, error=error, seconds=round(seconds, 3), worker=worker)


class AnswersFile:
    """Rows already in the file (``finished`` ids) and an append-only writer for new ones.

    Opening it drops rows that are to be done again: error rows (a rerun retries them) and a
    last line cut short by a crash; the file is then rewritten whole, atomically.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.finished: dict[str, dict[str, Any]] = {}
        kept: list[str] = []
        dropped = 0
        if path.exists():
            for raw in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(raw)
                except json.JSONDecodeError:  # cut short by a crash while it was written
                    dropped += 1
                    continue
                if not isinstance(row, dict) or "id" not in row or row.get("error"):
                    dropped += 1
                    continue
                self.finished[row["id"]] = row
                kept.append(raw)
        self.retried = dropped
        if dropped:
            _replace_atomically(path, kept)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8")

    def write(self, row: AnswerRow) -> None:
        self._file.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "AnswersFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _replace_atomically(path: Path, lines: list[str]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("".join(line + "\n" for line in lines))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
