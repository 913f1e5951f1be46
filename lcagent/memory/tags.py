"""Named groups of documents (``lcagent ingest --tag filings``): a document may carry several tags."""

from __future__ import annotations

import re
from typing import Sequence

from lcagent.memory.errors import WorkspaceError
from lcagent.memory.sql import SqlHandle, as_handle

_TAG = re.compile(r"[\w][\w.-]{0,63}")


def check_tag(tag: str) -> str:
    tag = tag.strip()
    if not _TAG.fullmatch(tag):
        raise WorkspaceError(f"invalid tag {tag!r}: use letters, digits, '.', '-' or '_' (at most 64), e.g. --tag filings-2023")
    return tag


class TagStore:
    """Tags of documents; takes the workspace's SQL handle (``workspace.tags``)."""

    def __init__(self, db: SqlHandle) -> None:
        self.db = as_handle(db)

    def add(self, doc_ids: Sequence[str], tag: str) -> None:
        tag = check_tag(tag)
        self.db.executemany("INSERT INTO document_tags (doc_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                            [(doc_id, tag) for doc_id in doc_ids])

    def documents(self, tag: str) -> list[str]:
        """Ids of the documents carrying ``tag``, in the order they were ingested."""
        rows = self.db.execute(
            "SELECT document_tags.doc_id FROM document_tags JOIN documents ON documents.id = document_tags.doc_id "
            "WHERE tag = ? ORDER BY documents.ingested_at, documents.name", [check_tag(tag)]).fetchall()
        return [row[0] for row in rows]

    def tags(self, doc_id: str) -> list[str]:
        return [row[0] for row in self.db.execute(
            "SELECT tag FROM document_tags WHERE doc_id = ? ORDER BY tag", [doc_id]).fetchall()]

    def all_tags(self) -> dict[str, int]:
        return {row[0]: row[1] for row in self.db.execute(
            "SELECT tag, count(*) FROM document_tags GROUP BY tag ORDER BY tag").fetchall()}
