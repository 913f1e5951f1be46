"""Run traces: every question asked, every LLM call and tool call made for it, with usage.

Stored in the workspace database (tables ``runs`` and ``trace_steps``) so ``lcagent trace
RUN_ID`` can show any past run. A run records the process that runs it: a run still marked
"running" whose process is gone reads as "abandoned".
"""

from __future__ import annotations

import datetime as _dt
import json
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lcagent.memory.errors import WorkspaceError
from lcagent.memory.processes import ProcessIdentity, current_process, is_gone
from lcagent.memory.sql import SqlHandle

if TYPE_CHECKING:
    from lcagent.memory.workspace import Workspace

ABANDONED = "abandoned"  # shown, never stored: "running", but its process is gone


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class TraceStep:
    seq: int
    kind: str  # "llm", "tool", "note"
    name: str
    input: Any
    output: Any
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class RunRecord:
    id: str
    question: str
    doc_ids: list[str]
    model: str
    strategy: str
    strategy_reason: str
    status: str  # running, done, failed, interrupted, budget exceeded; or abandoned (see load_run)
    answer: dict | None
    started_at: str
    finished_at: str | None


class RunStore:
    """Runs and their steps in the workspace (``workspace.runs``); takes the workspace's SQL handle."""

    _RUN_COLUMNS = ("question", "doc_ids", "model", "strategy", "strategy_reason", "status", "answer",
                    "started_at", "finished_at", "owner_host", "owner_pid", "owner_started")

    def __init__(self, db: SqlHandle, location: str = "the workspace") -> None:
        self.db, self.location = db, location

    def start(self, run_id: str, *, question: str, doc_ids: list[str], model: str, strategy: str, reason: str) -> None:
        """Record a new run, owned by this process, as running."""
        self.db.execute(
            "INSERT INTO runs (id, question, doc_ids, model, strategy, strategy_reason, status, answer, started_at, "
            "finished_at, owner_host, owner_pid, owner_started) VALUES (?, ?, ?, ?, ?, ?, 'running', NULL, ?, NULL, ?, ?, ?)",
            [run_id, question, json.dumps(doc_ids), model, strategy, reason, _now(), *_owner_values(current_process())],
        )

    def claim(self, run_id: str) -> None:
        """Record this process as the one running ``run_id`` (a resumed run)."""
        self.db.execute("UPDATE runs SET owner_host = ?, owner_pid = ?, owner_started = ? WHERE id = ?",
                        [*_owner_values(current_process()), run_id])

    def update(self, run_id: str, **columns: Any) -> None:
        """Set columns of a run (status, answer, strategy, strategy_reason, finished_at)."""
        unknown = set(columns) - set(self._RUN_COLUMNS)
        if unknown:
            raise ValueError(f"runs has no columns {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(f"UPDATE runs SET {assignments} WHERE id = ?", [*columns.values(), run_id])

    def last_seq(self, run_id: str) -> int:
        return self.db.execute("SELECT coalesce(max(seq), 0) FROM trace_steps WHERE run_id = ?", [run_id]).fetchone()[0]

    def append(self, run_id: str, step: TraceStep) -> None:
        self.db.execute(
            "INSERT INTO trace_steps (run_id, seq, kind, name, input, output, prompt_tokens, completion_tokens, "
            "seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, step.seq, step.kind, step.name, json.dumps(step.input, ensure_ascii=False, default=str),
             json.dumps(step.output, ensure_ascii=False, default=str), step.prompt_tokens, step.completion_tokens,
             step.seconds, _now()],
        )

    def load(self, run_id: str) -> tuple[RunRecord, list[TraceStep]]:
        """A run named by its id or an id prefix, and its steps in order."""
        rows = self.db.query("SELECT * FROM runs WHERE id = ? OR id LIKE ? || '%'", [run_id, run_id])
        if not rows:
            raise WorkspaceError(f"no run {run_id!r} in {self.location}; `lcagent trace` lists recent runs")
        if len(rows) > 1:
            raise WorkspaceError(f"run id prefix {run_id!r} is ambiguous; give more characters")
        row = rows[0]
        record = RunRecord(
            id=row["id"], question=row["question"], doc_ids=json.loads(row["doc_ids"]), model=row["model"],
            strategy=row["strategy"], strategy_reason=row["strategy_reason"], status=_status(row),
            answer=json.loads(row["answer"]) if row["answer"] else None, started_at=row["started_at"],
            finished_at=row["finished_at"],
        )
        steps = [
            TraceStep(r["seq"], r["kind"], r["name"], json.loads(r["input"]), json.loads(r["output"]),
                      r["prompt_tokens"], r["completion_tokens"], r["seconds"])
            for r in self.db.query("SELECT * FROM trace_steps WHERE run_id = ? ORDER BY seq", [record.id])
        ]
        return record, steps

    def recent(self, limit: int = 20) -> list[RunRecord]:
        ids = [r["id"] for r in self.db.query("SELECT id FROM runs ORDER BY started_at DESC LIMIT ?", [limit])]
        return [self.load(run_id)[0] for run_id in ids]


class RunTrace:
    """Appends the steps of one run. Thread-safe: map-style workers record concurrently."""

    def __init__(self, workspace: "Workspace", run_id: str, *, claim: bool = True) -> None:
        """Continue appending to ``run_id``; ``claim`` records this process as the one running it."""
        self.workspace = workspace
        self.run_id = run_id
        self._lock = threading.Lock()
        self._seq = workspace.runs.last_seq(run_id)
        if claim:
            workspace.runs.claim(run_id)

    @classmethod
    def start(
        cls, workspace: "Workspace", *, question: str, doc_ids: list[str], model: str, strategy: str, reason: str,
        run_id: str | None = None,
    ) -> "RunTrace":
        run_id = run_id or uuid.uuid4().hex[:12]
        workspace.runs.start(run_id, question=question, doc_ids=doc_ids, model=model, strategy=strategy, reason=reason)
        return cls(workspace, run_id, claim=False)

    def step(self, kind: str, name: str, input: Any, output: Any, *, prompt_tokens: int = 0,
             completion_tokens: int = 0, seconds: float = 0.0) -> None:
        with self._lock:
            self._seq += 1
            self.workspace.runs.append(
                self.run_id, TraceStep(self._seq, kind, name, input, output, prompt_tokens, completion_tokens, seconds)
            )

    def note(self, name: str, detail: Any) -> None:
        self.step("note", name, {}, detail)

    def set_strategy(self, strategy: str, reason: str) -> None:
        with self._lock:
            self.workspace.runs.update(self.run_id, strategy=strategy, strategy_reason=reason)

    def finish(self, status: str, answer: dict | None = None) -> None:
        with self._lock:
            self.workspace.runs.update(
                self.run_id, status=status, answer=json.dumps(answer, default=str) if answer else None, finished_at=_now()
            )


def load_run(workspace: "Workspace", run_id: str) -> tuple[RunRecord, list[TraceStep]]:
    return workspace.runs.load(run_id)


def recent_runs(workspace: "Workspace", limit: int = 20) -> list[RunRecord]:
    return workspace.runs.recent(limit)


def _owner_values(owner: ProcessIdentity) -> list[Any]:
    return [owner.host, owner.pid, owner.started]


def _status(row: dict) -> str:
    if row["status"] != "running" or row.get("owner_pid") is None:
        return row["status"]
    owner = ProcessIdentity(row["owner_host"], row["owner_pid"], row["owner_started"])
    return ABANDONED if is_gone(owner) else "running"
