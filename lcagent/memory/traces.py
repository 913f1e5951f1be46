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
from typing import Any

from lcagent.memory.processes import ProcessIdentity, current_process, is_gone
from lcagent.memory.workspace import Workspace, WorkspaceError

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


class RunTrace:
    """Appends the steps of one run. Thread-safe: map-style workers record concurrently."""

    def __init__(self, workspace: Workspace, run_id: str, *, claim: bool = True) -> None:
        """Continue appending to ``run_id``; ``claim`` records this process as the one running it."""
        self.workspace = workspace
        self.run_id = run_id
        self._lock = threading.Lock()
        row = workspace.db.execute("SELECT coalesce(max(seq), 0) FROM trace_steps WHERE run_id = ?", [run_id]).fetchone()
        self._seq = row[0]
        if claim:
            workspace.db["runs"].update(run_id, _owner_columns(current_process()))

    @classmethod
    def start(
        cls, workspace: Workspace, *, question: str, doc_ids: list[str], model: str, strategy: str, reason: str,
        run_id: str | None = None,
    ) -> "RunTrace":
        run_id = run_id or uuid.uuid4().hex[:12]
        workspace.db["runs"].insert(
            {
                "id": run_id, "question": question, "doc_ids": json.dumps(doc_ids), "model": model,
                "strategy": strategy, "strategy_reason": reason, "status": "running", "answer": None,
                "started_at": _now(), "finished_at": None, **_owner_columns(current_process()),
            }
        )
        return cls(workspace, run_id, claim=False)

    def step(self, kind: str, name: str, input: Any, output: Any, *, prompt_tokens: int = 0,
             completion_tokens: int = 0, seconds: float = 0.0) -> None:
        with self._lock:
            self._seq += 1
            self.workspace.db["trace_steps"].insert(
                {
                    "run_id": self.run_id, "seq": self._seq, "kind": kind, "name": name,
                    "input": json.dumps(input, ensure_ascii=False, default=str),
                    "output": json.dumps(output, ensure_ascii=False, default=str),
                    "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                    "seconds": seconds, "created_at": _now(),
                }
            )

    def note(self, name: str, detail: Any) -> None:
        self.step("note", name, {}, detail)

    def set_strategy(self, strategy: str, reason: str) -> None:
        with self._lock:
            self.workspace.db["runs"].update(self.run_id, {"strategy": strategy, "strategy_reason": reason})

    def finish(self, status: str, answer: dict | None = None) -> None:
        with self._lock:
            self.workspace.db["runs"].update(
                self.run_id, {"status": status, "answer": json.dumps(answer, default=str) if answer else None, "finished_at": _now()}
            )


def load_run(workspace: Workspace, run_id: str) -> tuple[RunRecord, list[TraceStep]]:
    rows = list(workspace.db.query("SELECT * FROM runs WHERE id = ? OR id LIKE ? || '%'", [run_id, run_id]))
    if not rows:
        raise WorkspaceError(f"no run {run_id!r} in {workspace.path}; `lcagent trace` lists recent runs")
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
        for r in workspace.db.query("SELECT * FROM trace_steps WHERE run_id = ? ORDER BY seq", [record.id])
    ]
    return record, steps


def _owner_columns(owner: ProcessIdentity) -> dict[str, Any]:
    return {"owner_host": owner.host, "owner_pid": owner.pid, "owner_started": owner.started}


def _status(row: dict) -> str:
    if row["status"] != "running" or row.get("owner_pid") is None:
        return row["status"]
    owner = ProcessIdentity(row["owner_host"], row["owner_pid"], row["owner_started"])
    return ABANDONED if is_gone(owner) else "running"


def recent_runs(workspace: Workspace, limit: int = 20) -> list[RunRecord]:
    ids = [r["id"] for r in workspace.db.query("SELECT id FROM runs ORDER BY started_at DESC LIMIT ?", [limit])]
    return [load_run(workspace, run_id)[0] for run_id in ids]
