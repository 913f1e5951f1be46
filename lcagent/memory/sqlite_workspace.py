"""The SQLite workspace (the default): a folder holding ``workspace.db`` (FTS5 bm25 and trigram
indexes) and ``files/<doc>/page-NNNN.txt``, a plain-text mirror of every page.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Sequence

import sqlite_utils

from lcagent.memory.database import LockWaitNotice, connect, lock_wait_from_environment
from lcagent.memory.errors import WorkspaceError
from lcagent.memory.migrations import apply_migrations
from lcagent.memory.rows import chunk_from_row, page_from_row
from lcagent.memory.sql import SqliteHandle
from lcagent.memory.staging import (
    PageFileWriter, new_staging_folder, page_file_name, staging_owner, sweep_dead_staging,
)
from lcagent.memory.search_text import fts_query
from lcagent.memory.workspace import DB_NAME, FILES_DIR, NewDocument, StoredDocument, Workspace
from lcagent.paths import default_workspace
from lcagent.records import Page, SearchHit

CHECKPOINT_DB = "checkpoints.db"  # LangGraph's checkpoints, beside the workspace database


class SqliteWorkspace(Workspace):
    """A directory holding ``workspace.db`` and ``files/<doc>/page-NNNN.txt``."""

    def __init__(self, path: Path | str | None = None, *, lock_wait: float | None = None,
                 on_lock_wait: LockWaitNotice | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_workspace()
        self.location = str(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.files_root = self.path / FILES_DIR
        self.files_root.mkdir(exist_ok=True)
        connection = connect(
            self.path / DB_NAME, lock_wait=lock_wait_from_environment() if lock_wait is None else lock_wait,
            on_lock_wait=on_lock_wait, label=f"workspace {self.path}",
        )
        self.db = sqlite_utils.Database(connection)
        apply_migrations(self.db)
        self.sql = SqliteHandle(self.db)

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def checkpointer(self) -> Iterator[Any]:
        from langgraph.checkpoint.sqlite import SqliteSaver

        connection = sqlite3.connect(self.path / CHECKPOINT_DB, check_same_thread=False)
        try:
            yield SqliteSaver(connection)
        finally:
            connection.close()

    # --- page files -----------------------------------------------------------------------
    def files_dir(self, doc_id: str) -> Path:
        return self.files_root / doc_id[:16]

    def page_file(self, doc_id: str, index: int) -> Path:
        return self.files_dir(doc_id) / page_file_name(index)

    # --- search -------------------------------------------------------------------------
    def search(
        self, query: str, *, doc_ids: Sequence[str] | None = None, k: int = 10, mode: str = "any"
    ) -> list[SearchHit]:
        match = query if mode == "raw" else fts_query(query, mode)
        if not match:
            return []
        sql = (
            "SELECT chunks.*, -bm25(chunks_fts) AS score, "
            "snippet(chunks_fts, 0, char(2), char(3), '…', 16) AS snippet, pages.label AS page_label, "
            "documents.name AS doc_name "
            "FROM chunks_fts JOIN chunks ON chunks.id = chunks_fts.rowid "
            "JOIN pages ON pages.doc_id = chunks.doc_id AND pages.idx = chunks.page_start "
            "JOIN documents ON documents.id = chunks.doc_id "
            "WHERE chunks_fts MATCH ?"
        )
        params: list = [match]
        if doc_ids:
            sql += f" AND chunks.doc_id IN ({','.join('?' * len(doc_ids))})"
            params.extend(doc_ids)
        sql += " ORDER BY bm25(chunks_fts) LIMIT ?"
        params.append(k)
        try:
            rows = list(self.db.query(sql, params))
        except sqlite3.OperationalError as error:
            raise WorkspaceError(f"invalid search query {query!r}: {error}") from None
        return [
            SearchHit(chunk_from_row(row), float(row["score"]), row["snippet"], row["page_label"], row["doc_name"])
            for row in rows
        ]

    def document_frequency(self, term: str, doc_ids: Sequence[str] | None = None) -> tuple[int, int]:
        match = fts_query(term, "phrase")
        scope, params = "", []
        if doc_ids:
            scope = f" AND chunks.doc_id IN ({','.join('?' * len(doc_ids))})"
            params = list(doc_ids)
        total = self.db.execute("SELECT count(*) FROM chunks WHERE 1" + scope, params).fetchone()[0]
        if not match:
            return 0, total
        found = self.db.execute(
            "SELECT count(*) FROM chunks_fts JOIN chunks ON chunks.id = chunks_fts.rowid "
            "WHERE chunks_fts MATCH ?" + scope,
            [match, *params],
        ).fetchone()[0]
        return found, total

    def documents_containing(self, phrase: str, doc_ids: Sequence[str]) -> set[str]:
        match = fts_query(phrase, "phrase")
        if not match or not doc_ids:
            return set()
        rows = self.db.execute(
            "SELECT DISTINCT chunks.doc_id FROM chunks_fts JOIN chunks ON chunks.id = chunks_fts.rowid "
            f"WHERE chunks_fts MATCH ? AND chunks.doc_id IN ({','.join('?' * len(doc_ids))})",
            [match, *doc_ids]).fetchall()
        return {row[0] for row in rows}

    def _candidate_pages(self, literal: str | None, doc_ids: Sequence[str] | None) -> Iterator[Page]:
        where, params = "", []
        if doc_ids:
            where = f" AND pages.doc_id IN ({','.join('?' * len(doc_ids))})"
            params = list(doc_ids)
        if literal is not None:
            # the trigram tokenizer is case-insensitive, so it prefilters both cases
            query = '"' + literal.replace('"', '""') + '"'
            sql = (
                "SELECT pages.* FROM pages_trigram JOIN pages ON pages.id = pages_trigram.rowid "
                "WHERE pages_trigram MATCH ?" + where + " ORDER BY pages.doc_id, pages.idx"
            )
            rows = self.db.query(sql, [query, *params])
        else:
            rows = self.db.query("SELECT * FROM pages WHERE 1" + where + " ORDER BY doc_id, idx", params)
        for row in rows:
            yield page_from_row(row)

    # --- writes ---------------------------------------------------------------------------
    def _add_document(self, new: NewDocument) -> StoredDocument:
        document = new.document
        staging = new_staging_folder(self.files_root)
        writer = PageFileWriter(staging, new.pages)
        writer.start()
        try:
            with self.transaction():
                existing = self.get(document.id)
                if existing:
                    writer.join()
                    shutil.rmtree(staging)
                    known = self._record_path(existing.id, Path(document.path))
                    return StoredDocument(existing, created=False, known_path=known)
                document = replace(document, version=self._next_version(Path(document.path)))
                self._insert_document(document, new.warnings)
                self.db["pages"].insert_all(
                    (
                        {
                            "doc_id": p.doc_id,
                            "idx": p.index,
                            "label": p.label,
                            "char_start": p.char_start,
                            "line_start": p.line_start,
                            "text": p.text,
                        }
                        for p in new.pages
                    ),
                    batch_size=500,
                )
                self.db["chunks"].insert_all(
                    (
                        {
                            "doc_id": c.doc_id,
                            "ordinal": c.ordinal,
                            "char_start": c.char_start,
                            "char_end": c.char_end,
                            "page_start": c.page_start,
                            "page_end": c.page_end,
                            "line_start": c.line_start,
                            "line_end": c.line_end,
                            "tokens": c.tokens,
                            "text": c.text,
                        }
                        for c in new.chunks
                    ),
                    batch_size=500,
                )
                self.db.execute(
                    "INSERT INTO chunks_fts(rowid, text) SELECT id, text FROM chunks WHERE doc_id = ?",
                    [document.id],
                )
                self.db.execute(
                    "INSERT INTO pages_trigram(rowid, text) SELECT id, text FROM pages WHERE doc_id = ?",
                    [document.id],
                )
                writer.join()
                if writer.error:
                    raise writer.error
                final = self.files_dir(document.id)
                if final.exists():  # left by a crash between rename and commit: replace it
                    shutil.rmtree(final)
                os.replace(staging, final)
            return StoredDocument(document, created=True)
        except BaseException:
            writer.join()
            shutil.rmtree(staging, ignore_errors=True)
            if not self.get(document.id):
                shutil.rmtree(self.files_dir(document.id), ignore_errors=True)
            raise

    def _unindex(self, doc_id: str) -> None:
        self.db.execute(
            "INSERT INTO chunks_fts(chunks_fts, rowid, text) SELECT 'delete', id, text FROM chunks WHERE doc_id = ?",
            [doc_id],
        )
        self.db.execute(
            "INSERT INTO pages_trigram(pages_trigram, rowid, text) SELECT 'delete', id, text FROM pages WHERE doc_id = ?",
            [doc_id],
        )

    def _removed(self, doc_id: str) -> None:
        shutil.rmtree(self.files_dir(doc_id), ignore_errors=True)

    def sweep(self, *, wait: bool = True) -> list[Path]:
        """Remove page folders that no committed document owns; returns what was removed.

        Staging folders of dead processes go at once, without a lock (their owner can commit
        nothing any more). A document folder without a document (a crash between moving it into
        place and committing) is judged under the write lock, so that a live ingest's commit
        cannot race the check: the lock is waited for when ``wait``, else taken only if it is
        free right now, so read-only commands can sweep without ever waiting.
        """
        removed = sweep_dead_staging(self.files_root)
        if wait:
            with self.transaction():
                removed += self._sweep_orphans()
        elif self.db.conn.try_write_lock():
            try:
                removed += self._sweep_orphans()
            finally:
                self.db.execute("ROLLBACK")
        return removed

    def _sweep_orphans(self) -> list[Path]:
        known = {row[0][:16] for row in self.db.execute("SELECT id FROM documents").fetchall()}
        removed = []
        for entry in self.files_root.iterdir():
            if staging_owner(entry.name) is None and entry.name not in known:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        return removed
