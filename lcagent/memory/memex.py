"""Indexed experience memory (after Memex): full-fidelity records archived under stable indices.

An agent's working context keeps only a compact index map (``- [m12] what it holds``); the
exact text of any entry comes back with :meth:`MemexStore.recall`. Entries persist per
document in the workspace database (table ``memex_entries``), so later questions reuse them.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from typing import Literal, Sequence

from lcagent.memory.errors import WorkspaceError
from lcagent.memory.sql import SqlHandle, as_handle

Source = Literal["tool", "span", "page", "finding"]
_INDEX = re.compile(r"^m(\d+)$")
DESCRIPTION_CHARS = 120


class MemexError(WorkspaceError):
    """A bad index or anchor: said so the agent (or user) can correct it."""


@dataclass(frozen=True)
class TextRef:
    """Where archived content came from in a document: a chunk, a page, or one line of a page."""

    doc_id: str
    kind: Literal["chunk", "page", "line"]
    number: int  # chunk ordinal or page index
    line: int = 0  # 1-based line within the page, for kind "line"


@dataclass(frozen=True)
class MemexEntry:
    index: str  # "m12"
    doc_id: str
    description: str
    content: str
    source: str
    key: str | None
    refs: tuple[TextRef, ...]
    created_at: str

    def map_line(self) -> str:
        return f"- [{self.index}] {self.description}"


class MemexStore:
    """Archive, recall and list entries; takes the workspace's SQL handle (``workspace.memex``)."""

    def __init__(self, db: SqlHandle) -> None:
        self.db = as_handle(db)

    def archive(self, doc_id: str, description: str, content: str, *, source: Source = "finding",
                key: str | None = None, refs: Sequence[TextRef] = ()) -> str:
        """Store ``content`` exactly; return its index (``m<id>``)."""
        line = " ".join(description.split())
        if len(line) > DESCRIPTION_CHARS:
            line = line[: DESCRIPTION_CHARS - 1] + "…"
        entry_id = self.db.execute(
            "INSERT INTO memex_entries (doc_id, description, content, source, key, refs, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [doc_id, line or "(no description)", content, source, key,
             json.dumps([[r.doc_id, r.kind, r.number, r.line] for r in refs]),
             _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")],
        ).fetchone()[0]
        return f"m{entry_id}"

    def archive_span(self, doc_id: str, conversation: str, start_anchor: str, end_anchor: str,
                     description: str) -> str:
        """Archive the exact span of ``conversation`` from the first ``start_anchor`` through the
        first ``end_anchor`` after it (both included)."""
        start = conversation.find(start_anchor) if start_anchor else -1
        if start < 0:
            raise MemexError(f"start anchor {start_anchor[:60]!r} is not in the conversation; copy it exactly")
        end = conversation.find(end_anchor, start) if end_anchor else -1
        if end < 0:
            raise MemexError(f"end anchor {end_anchor[:60]!r} does not follow the start anchor; copy it exactly")
        span = conversation[start : end + len(end_anchor)]
        return self.archive(doc_id, description, span, source="span")

    def entry(self, index: str) -> MemexEntry:
        match = _INDEX.match(index.strip().strip("[]"))
        if not match:
            raise MemexError(f"{index!r} is not a memory index; indices look like m12")
        rows = self.db.query("SELECT * FROM memex_entries WHERE id = ?", [int(match.group(1))])
        if not rows:
            raise MemexError(f"no memory entry {index!r}; the index map lists the live ones")
        return _entry(rows[0])

    def recall(self, index: str) -> str:
        """The exact archived text of ``index``."""
        return self.entry(index).content

    def entries(self, doc_id: str) -> list[MemexEntry]:
        return [_entry(row) for row in self.db.query("SELECT * FROM memex_entries WHERE doc_id = ? ORDER BY id", [doc_id])]

    def find(self, doc_id: str, key: str) -> MemexEntry | None:
        """The latest entry produced by ``key`` (e.g. the same tool call), if archived before."""
        rows = self.db.query(
            "SELECT * FROM memex_entries WHERE doc_id = ? AND key = ? ORDER BY id DESC LIMIT 1", [doc_id, key])
        return _entry(rows[0]) if rows else None

    def count(self, doc_id: str) -> int:
        return self.db.execute("SELECT count(*) FROM memex_entries WHERE doc_id = ?", [doc_id]).fetchone()[0]

    def index_map(self, doc_id: str) -> list[str]:
        return [entry.map_line() for entry in self.entries(doc_id)]

    def clear(self, doc_id: str) -> int:
        """Delete every entry of ``doc_id``; return how many there were."""
        return self.db.execute("DELETE FROM memex_entries WHERE doc_id = ?", [doc_id]).rowcount


def _entry(row: dict) -> MemexEntry:
    refs = tuple(TextRef(doc, kind, number, line) for doc, kind, number, line in json.loads(row["refs"]))
    return MemexEntry(f"m{row['id']}", row["doc_id"], row["description"], row["content"], row["source"],
                      row["key"], refs, row["created_at"])
