"""The workspace: one SQLite database (documents, pages, chunks, FTS5 indexes, traces)
plus a plain-file mirror of every page, so tools can grep and read pages as files.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import regex as regex_module
import sqlite_utils

from lcagent.memory.database import LockWaitNotice, connect, lock_wait_from_environment
# The errors live in their own module (the connection raises them too); import them from here or there.
from lcagent.memory.errors import DocumentNotFound, WorkspaceError, WorkspaceLocked  # noqa: F401
from lcagent.memory.line_search import BATCH_CHARS, batches, grep_pages
from lcagent.memory.migrations import apply_migrations
from lcagent.memory.rows import chunk_from_row, document_from_row, document_row, page_from_row
from lcagent.memory.staging import (
    PageFileWriter, new_staging_folder, page_file_name, staging_owner, sweep_dead_staging,
)
from lcagent.paths import default_workspace
from lcagent.records import Chunk, Document, GrepHit, Page, SearchHit
from lcagent.time_limits import TimeLimit, run_within

DB_NAME = "workspace.db"
FILES_DIR = "files"
# FTS5 snippet() marks matched terms with these; callers choose how to render them.
MARK_START, MARK_END = "\x02", "\x03"


@dataclass(frozen=True)
class NewDocument:
    """Everything ``Workspace.add_document`` stores for one document, computed beforehand."""

    document: Document
    pages: Sequence[Page]
    chunks: Sequence[Chunk]
    warnings: Sequence[str] = ()


@dataclass(frozen=True)
class StoredDocument:
    """What ``Workspace.add_document`` did: stored ``document`` now, or found it stored already."""

    document: Document
    created: bool
    known_path: bool = True  # False when the bytes were stored before under another path only


_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have how i in is it its of on or "
    "that the this to was were what when where which who whom whose why will with".split()
)
_TERM = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str, mode: str = "any") -> str | None:
    """Turn arbitrary user text into a safe FTS5 query.

    ``any``: OR of the terms (bm25 ranks by how many and how rare); ``all``: AND;
    ``phrase``: the exact phrase. Every term is quoted, so FTS5 syntax in user text is inert.
    """
    terms = _TERM.findall(text)
    if mode == "phrase":
        return '"' + " ".join(terms).replace('"', '""') + '"' if terms else None
    kept = [t for t in terms if t.lower() not in _STOPWORDS] or terms
    if not kept:
        return None
    quoted = ['"' + t.replace('"', '""') + '"' for t in dict.fromkeys(kept)]
    return (" AND " if mode == "all" else " OR ").join(quoted)


class Workspace:
    """A directory holding ``workspace.db`` and ``files/<doc>/page-NNNN.txt``."""

    def __init__(self, path: Path | str | None = None, *, lock_wait: float | None = None,
                 on_lock_wait: LockWaitNotice | None = None) -> None:
        """``lock_wait``: seconds a write waits for another process's write lock (default
        ``$LCAGENT_LOCK_WAIT``, else 60) before raising ``WorkspaceLocked``; ``on_lock_wait``
        is told, once per wait, that the wait has begun."""
        self.path = Path(path).expanduser() if path else default_workspace()
        self.path.mkdir(parents=True, exist_ok=True)
        self.files_root = self.path / FILES_DIR
        self.files_root.mkdir(exist_ok=True)
        connection = connect(
            self.path / DB_NAME, lock_wait=lock_wait_from_environment() if lock_wait is None else lock_wait,
            on_lock_wait=on_lock_wait, label=f"workspace {self.path}",
        )
        self.db = sqlite_utils.Database(connection)
        apply_migrations(self.db)

    # --- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self) -> "_Transaction":
        return _Transaction(self.db)

    def time_limit(self, seconds: float | None):
        """Context manager: SQL run by this thread inside it stops after ``seconds`` (``TimeoutError``)."""
        return self.db.conn.time_limit(seconds)

    # --- documents ------------------------------------------------------------------------
    def documents(self, *, all_versions: bool = False) -> list[Document]:
        sql = "SELECT * FROM documents"
        if not all_versions:  # the documents some path names now (see latest_for_path)
            sql += (
                " WHERE id IN (SELECT doc_id FROM document_paths AS named WHERE named.rowid ="
                " (SELECT max(rowid) FROM document_paths AS newer WHERE newer.path = named.path))"
            )
        sql += " ORDER BY ingested_at, name"
        return [document_from_row(row) for row in self.db.query(sql)]

    def get(self, doc_id: str) -> Document | None:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [doc_id]))
        return document_from_row(rows[0]) if rows else None

    def warnings(self, doc_id: str) -> list[str]:
        rows = list(self.db.query("SELECT warnings FROM documents WHERE id = ?", [doc_id]))
        return json.loads(rows[0]["warnings"]) if rows else []

    def resolve(self, name: str) -> Document:
        """A document named by full id, id prefix (4+ hex chars), path or file name.

        Paths and names are all those the same bytes were ingested from (a copy under another
        name answers to both); a path or name names the latest document ingested from it.
        """
        name = name.strip()
        if not name:
            raise DocumentNotFound("empty document name; run `lcagent docs` to see ids and names")
        exact = self.get(name)
        if exact:
            return exact
        if re.fullmatch(r"[0-9a-f]{4,64}", name):
            rows = list(self.db.query("SELECT * FROM documents WHERE id LIKE ? || '%'", [name]))
            if len(rows) == 1:
                return document_from_row(rows[0])
            if len(rows) > 1:
                raise DocumentNotFound(f"id prefix {name!r} matches {len(rows)} documents; give more characters")
        by_path = self.latest_for_path(Path(name).expanduser().resolve())
        if by_path:
            return by_path
        paths = [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT path FROM document_paths WHERE name IN (?, ?)", [name, Path(name).name]
            ).fetchall()
        ]
        latest = {document.id: document for document in map(self.latest_for_path, map(Path, paths)) if document}
        by_name = list(latest.values())
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise DocumentNotFound(f"{len(by_name)} documents are named {name!r}; use an id from `lcagent docs`")
        raise DocumentNotFound(
            f"no document {name!r} in workspace {self.path}; ingest it with `lcagent ingest {name}` "
            "or list documents with `lcagent docs`"
        )

    def latest_for_path(self, path: Path) -> Document | None:
        """The document most recently ingested from ``path`` (an absolute path)."""
        rows = list(
            self.db.query(
                "SELECT documents.* FROM document_paths JOIN documents ON documents.id = document_paths.doc_id "
                "WHERE document_paths.path = ? ORDER BY document_paths.rowid DESC LIMIT 1",
                [str(path)],
            )
        )
        return document_from_row(rows[0]) if rows else None

    def paths(self, doc_id: str) -> list[str]:
        """Every path the document's bytes were ingested from, first one first."""
        rows = self.db.execute("SELECT path FROM document_paths WHERE doc_id = ? ORDER BY rowid", [doc_id])
        return [row[0] for row in rows.fetchall()]

    def add_path(self, doc_id: str, path: Path) -> bool:
        """Record that ``doc_id``'s bytes were (also) ingested from ``path``, so the path and its
        file name resolve to it. Returns True when the path already named this document (no write)."""
        latest = self.latest_for_path(path)
        if latest and latest.id == doc_id:
            return True
        with self.transaction():
            return self._record_path(doc_id, path)

    def _record_path(self, doc_id: str, path: Path) -> bool:
        """Inside a write transaction: make ``path`` name ``doc_id``; True if it had named it before."""
        path = Path(path)
        known = self.db.execute(
            "SELECT 1 FROM document_paths WHERE doc_id = ? AND path = ?", [doc_id, str(path)]
        ).fetchone()
        # delete + insert gives the row a new rowid: the path now names this document again
        self.db.execute("DELETE FROM document_paths WHERE doc_id = ? AND path = ?", [doc_id, str(path)])
        self.db.execute(
            "INSERT INTO document_paths (doc_id, path, name, added_at) VALUES (?, ?, ?, ?)",
            [doc_id, str(path), path.name, _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")],
        )
        return known is not None

    def _next_version(self, path: Path) -> int:
        row = self.db.execute(
            "SELECT max(documents.version) FROM document_paths JOIN documents ON documents.id = document_paths.doc_id "
            "WHERE document_paths.path = ?",
            [str(path)],
        ).fetchone()
        return (row[0] or 0) + 1

    # --- pages, chunks, text ------------------------------------------------------------
    def pages(self, doc_id: str, first: int = 1, last: int | None = None) -> list[Page]:
        last = last if last is not None else 1 << 31
        rows = self.db.query(
            "SELECT * FROM pages WHERE doc_id = ? AND idx BETWEEN ? AND ? ORDER BY idx", [doc_id, first, last]
        )
        return [page_from_row(row) for row in rows]

    def page(self, doc_id: str, index: int) -> Page:
        found = self.pages(doc_id, index, index)
        if not found:
            document = self.get(doc_id)
            count = document.pages if document else 0
            raise WorkspaceError(f"page {index} does not exist; the document has pages 1-{count}")
        return found[0]

    def page_at(self, doc_id: str, offset: int) -> tuple[int, str]:
        """(index, label) of the page holding char ``offset`` of the document text."""
        row = self.db.execute(
            "SELECT idx, label FROM pages WHERE doc_id = ? AND char_start <= ? ORDER BY char_start DESC LIMIT 1",
            [doc_id, offset],
        ).fetchone()
        return (row[0], row[1]) if row else (1, "1")

    def text(self, doc_id: str) -> str:
        return "\n".join(page.text for page in self.pages(doc_id))

    def chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.db.query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", [doc_id])
        return [chunk_from_row(row) for row in rows]

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
        """(chunks containing ``term``, all chunks) within ``doc_ids``: the inputs of an idf weight."""
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

    def grep(
        self,
        pattern: str,
        *,
        doc_ids: Sequence[str] | None = None,
        regex: bool = True,
        ignore_case: bool = False,
        context: int = 0,
        limit: int = 100,
        seconds: float | None = None,
    ) -> list[GrepHit]:
        """Lines matching ``pattern``; literal patterns of 3+ chars use the trigram index.

        ``seconds`` bounds the whole call in wall-clock time, SQL and regex alike
        (``TimeoutError`` once it has passed; see ``lcagent.time_limits``).
        """
        flags = regex_module.IGNORECASE if ignore_case else 0
        try:
            compiled = regex_module.compile(pattern if regex else regex_module.escape(pattern), flags | regex_module.V0)
        except regex_module.error as error:
            raise WorkspaceError(f"invalid regular expression {pattern!r}: {error}; use --literal for plain text") from None
        time_limit = TimeLimit(seconds) if seconds is not None else None
        hits: list[GrepHit] = []
        with self.time_limit(seconds):
            pages = self._candidate_pages(pattern, regex, ignore_case, doc_ids)
            for batch in batches(pages, BATCH_CHARS):
                wanted = limit - len(hits)
                hits.extend(run_within(time_limit, lambda: grep_pages(batch, compiled, context, wanted, time_limit)))
                if len(hits) >= limit:
                    break
        return hits

    def _candidate_pages(
        self, pattern: str, regex: bool, ignore_case: bool, doc_ids: Sequence[str] | None
    ) -> Iterator[Page]:
        literal = pattern if not regex else (pattern if re.escape(pattern) == pattern else None)
        where, params = "", []
        if doc_ids:
            where = f" AND pages.doc_id IN ({','.join('?' * len(doc_ids))})"
            params = list(doc_ids)
        if literal is not None and len(literal) >= 3:
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
    def add_document(self, new: NewDocument) -> StoredDocument:
        """Store a document atomically: all of it (rows, indexes, page files) or nothing.

        The version (1 + the latest version from the same path) is assigned inside the write
        transaction, so concurrent ingests cannot share one; when another process stored the
        same bytes meanwhile, its record comes back with ``created=False``.
        """
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
                self.db["documents"].insert({**document_row(document), "warnings": json.dumps(list(new.warnings))})
                self._record_path(document.id, Path(document.path))
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

    def remove(self, doc_id: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO chunks_fts(chunks_fts, rowid, text) "
                "SELECT 'delete', id, text FROM chunks WHERE doc_id = ?",
                [doc_id],
            )
            self.db.execute(
                "INSERT INTO pages_trigram(pages_trigram, rowid, text) "
                "SELECT 'delete', id, text FROM pages WHERE doc_id = ?",
                [doc_id],
            )
            for table in ("chunks", "pages", "documents"):
                column = "id" if table == "documents" else "doc_id"
                self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", [doc_id])
            for extra in _per_document_tables(self.db):
                self.db.execute(f"DELETE FROM [{extra}] WHERE doc_id = ?", [doc_id])
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


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception (Ctrl-C included)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def _per_document_tables(db: sqlite_utils.Database) -> Iterable[str]:
    """Tables added by later migrations (agent memory) that hold rows keyed by doc_id."""
    core = {"documents", "pages", "chunks"}
    for table in db.table_names():
        if table in core or table.startswith(("chunks_fts", "pages_trigram", "_")):
            continue
        if "doc_id" in db[table].columns_dict:
            yield table
