"""The workspace: documents, pages, chunks, their search indexes and everything agents remember,
behind one interface (``lcagent.memory.storage.WorkspaceStorage``).

``Workspace(DIR)`` opens an SQLite workspace (the default, embedded: one file plus a plain-text
mirror of every page); ``Workspace("postgresql://...")`` a PostgreSQL one that several processes
and machines share. What both backends do alike is written here once, against ``self.sql``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ContextManager, Iterator, Sequence

import regex as regex_module

# The errors live in their own module (the connection raises them too); import them from here or there.
from lcagent.memory.errors import DocumentNotFound, WorkspaceError, WorkspaceLocked  # noqa: F401
from lcagent.memory.hypergraph import HypergraphStore
from lcagent.memory.line_search import BATCH_CHARS, batches, grep_pages
from lcagent.memory.memex import MemexStore
from lcagent.memory.rows import chunk_from_row, document_from_row, document_row, page_from_row
from lcagent.memory.sql import SqlHandle
from lcagent.memory.tables import TableStore
from lcagent.memory.tags import TagStore
from lcagent.memory.traces import RunStore
from lcagent.memory.vectors import VectorStore
from lcagent.records import Chunk, Document, GrepHit, Page, SearchHit
from lcagent.time_limits import TimeLimit, run_within

DB_NAME = "workspace.db"
FILES_DIR = "files"
DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")


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


def is_database_url(spec: object) -> bool:
    return isinstance(spec, str) and spec.strip().lower().startswith(DATABASE_URL_SCHEMES)


def workspace_spec(spec: str | Path) -> str | Path:
    """A workspace as the user named it: a database URL stays a string, anything else is a folder."""
    text = str(spec).strip()
    return text if is_database_url(text) else Path(text).expanduser()


class Workspace:
    """Documents and memory behind ``WorkspaceStorage``; ``Workspace(spec)`` picks the backend.

    ``spec``: a folder (SQLite; default ``$LCAGENT_HOME/workspace``) or a ``postgresql://`` URL.
    ``lock_wait``: seconds a write waits for another process's write lock (default
    ``$LCAGENT_LOCK_WAIT``, else 60) before raising ``WorkspaceLocked``; ``on_lock_wait`` is
    told, once per wait, that the wait has begun.
    """

    sql: SqlHandle
    path: Any  # the folder (SQLite) or the URL (PostgreSQL) it was opened from
    location: str  # what messages call it (a URL without its password)

    def __new__(cls, path: Path | str | None = None, **options: Any) -> "Workspace":
        if cls is Workspace:
            cls = _backend(path)
        return super().__new__(cls)

    # --- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self) -> ContextManager[None]:
        """A write transaction under the workspace's write lock; rolled back on any exception."""
        return self.sql.transaction()

    def time_limit(self, seconds: float | None) -> ContextManager[None]:
        """Context manager: SQL run by this thread inside it stops after ``seconds`` (``TimeoutError``)."""
        return self.sql.time_limit(seconds)

    def checkpointer(self) -> ContextManager[Any]:
        """A LangGraph checkpoint saver kept in this workspace, open for the ``with`` block."""
        raise NotImplementedError

    # --- stores ---------------------------------------------------------------------------
    @cached_property
    def tables(self) -> TableStore:
        return TableStore(self.sql)

    @cached_property
    def tags(self) -> TagStore:
        return TagStore(self.sql)

    @cached_property
    def vectors(self) -> VectorStore:
        return VectorStore(self.sql)

    @cached_property
    def memex(self) -> MemexStore:
        return MemexStore(self.sql)

    @cached_property
    def hypergraph(self) -> HypergraphStore:
        return HypergraphStore(self.sql)

    @cached_property
    def runs(self) -> RunStore:
        return RunStore(self.sql, f"workspace {self.location}")

    # --- documents ------------------------------------------------------------------------
    def documents(self, *, all_versions: bool = False) -> list[Document]:
        sql = "SELECT * FROM documents"
        if not all_versions:  # the documents some path names now (see latest_for_path)
            sql += (
                " WHERE id IN (SELECT doc_id FROM document_paths AS named WHERE named.rowid ="
                " (SELECT max(rowid) FROM document_paths AS newer WHERE newer.path = named.path))"
            )
        sql += " ORDER BY ingested_at, name"
        return [document_from_row(row) for row in self.sql.query(sql)]

    def document_ids(self) -> list[str]:
        """Ids of every stored document, every version included."""
        return [row[0] for row in self.sql.execute("SELECT id FROM documents ORDER BY id").fetchall()]

    def get(self, doc_id: str) -> Document | None:
        rows = self.sql.query("SELECT * FROM documents WHERE id = ?", [doc_id])
        return document_from_row(rows[0]) if rows else None

    def warnings(self, doc_id: str) -> list[str]:
        rows = self.sql.query("SELECT warnings FROM documents WHERE id = ?", [doc_id])
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
            rows = self.sql.query("SELECT * FROM documents WHERE id LIKE ? || '%'", [name])
            if len(rows) == 1:
                return document_from_row(rows[0])
            if len(rows) > 1:
                raise DocumentNotFound(f"id prefix {name!r} matches {len(rows)} documents; give more characters")
        by_path = self.latest_for_path(Path(name).expanduser().resolve())
        if by_path:
            return by_path
        paths = [
            row[0]
            for row in self.sql.execute(
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
            f"no document {name!r} in workspace {self.location}; ingest it with `lcagent ingest {name}` "
            "or list documents with `lcagent docs`"
        )

    def latest_for_path(self, path: Path) -> Document | None:
        """The document most recently ingested from ``path`` (an absolute path)."""
        rows = self.sql.query(
            "SELECT documents.* FROM document_paths JOIN documents ON documents.id = document_paths.doc_id "
            "WHERE document_paths.path = ? ORDER BY document_paths.rowid DESC LIMIT 1",
            [str(path)],
        )
        return document_from_row(rows[0]) if rows else None

    def paths(self, doc_id: str) -> list[str]:
        """Every path the document's bytes were ingested from, first one first."""
        rows = self.sql.execute("SELECT path FROM document_paths WHERE doc_id = ? ORDER BY rowid", [doc_id])
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
        known = self.sql.execute(
            "SELECT 1 FROM document_paths WHERE doc_id = ? AND path = ?", [doc_id, str(path)]
        ).fetchone()
        # delete + insert gives the row a new rowid: the path now names this document again
        self.sql.execute("DELETE FROM document_paths WHERE doc_id = ? AND path = ?", [doc_id, str(path)])
        self.sql.execute(
            "INSERT INTO document_paths (doc_id, path, name, added_at) VALUES (?, ?, ?, ?)",
            [doc_id, str(path), path.name, _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")],
        )
        return known is not None

    def _next_version(self, path: Path) -> int:
        row = self.sql.execute(
            "SELECT max(documents.version) FROM document_paths JOIN documents ON documents.id = document_paths.doc_id "
            "WHERE document_paths.path = ?",
            [str(path)],
        ).fetchone()
        return (row[0] or 0) + 1

    def _insert_document(self, document: Document, warnings: Sequence[str]) -> None:
        row = {**document_row(document), "warnings": json.dumps(list(warnings))}
        self.sql.execute(
            f"INSERT INTO documents ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
        self._record_path(document.id, Path(document.path))

    # --- pages, chunks, text ------------------------------------------------------------
    def pages(self, doc_id: str, first: int = 1, last: int | None = None) -> list[Page]:
        last = last if last is not None else (1 << 31) - 1
        rows = self.sql.query(
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
        row = self.sql.execute(
            "SELECT idx, label FROM pages WHERE doc_id = ? AND char_start <= ? ORDER BY char_start DESC LIMIT 1",
            [doc_id, offset],
        ).fetchone()
        return (row[0], row[1]) if row else (1, "1")

    def text(self, doc_id: str) -> str:
        return "\n".join(page.text for page in self.pages(doc_id))

    def chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.sql.query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", [doc_id])
        return [chunk_from_row(row) for row in rows]

    def chunk_hit(self, doc_id: str, ordinal: int) -> tuple[Chunk, str, str] | None:
        """A chunk with its first page's label and its document's name, or None when it is gone."""
        rows = self.sql.query(
            "SELECT chunks.*, pages.label AS page_label, documents.name AS doc_name FROM chunks "
            "JOIN pages ON pages.doc_id = chunks.doc_id AND pages.idx = chunks.page_start "
            "JOIN documents ON documents.id = chunks.doc_id WHERE chunks.doc_id = ? AND chunks.ordinal = ?",
            [doc_id, ordinal],
        )
        return (chunk_from_row(rows[0]), rows[0]["page_label"], rows[0]["doc_name"]) if rows else None

    # --- search -------------------------------------------------------------------------
    def search(
        self, query: str, *, doc_ids: Sequence[str] | None = None, k: int = 10, mode: str = "any"
    ) -> list[SearchHit]:
        """The ``k`` chunks that best match ``query`` by bm25 (``any``, ``all`` or ``phrase`` of its words)."""
        raise NotImplementedError

    def document_frequency(self, term: str, doc_ids: Sequence[str] | None = None) -> tuple[int, int]:
        """(chunks containing ``term``, all chunks) within ``doc_ids``: the inputs of an idf weight."""
        raise NotImplementedError

    def documents_containing(self, phrase: str, doc_ids: Sequence[str]) -> set[str]:
        """Which of ``doc_ids`` hold ``phrase`` (its words in a row, as the index reads them): one query."""
        raise NotImplementedError

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
        literal = pattern if not regex else (pattern if re.escape(pattern) == pattern else None)
        hits: list[GrepHit] = []
        with self.time_limit(seconds):
            pages = self._candidate_pages(literal if literal is not None and len(literal) >= 3 else None, doc_ids)
            for batch in batches(pages, BATCH_CHARS):
                wanted = limit - len(hits)
                hits.extend(run_within(time_limit, lambda: grep_pages(batch, compiled, context, wanted, time_limit)))
                if len(hits) >= limit:
                    break
        return hits

    def _candidate_pages(self, literal: str | None, doc_ids: Sequence[str] | None) -> Iterator[Page]:
        """Pages in (doc_id, idx) order that may hold ``literal`` in any case (every page when None)."""
        raise NotImplementedError

    # --- writes ---------------------------------------------------------------------------
    def add_document(self, new: NewDocument) -> StoredDocument:
        """Store a document atomically: all of it (rows, indexes, page files) or nothing.

        The version (1 + the latest version from the same path) is assigned inside the write
        transaction, so concurrent ingests cannot share one; when another process stored the
        same bytes meanwhile, its record comes back with ``created=False``.
        """
        return self._add_document(new)

    def _add_document(self, new: NewDocument) -> StoredDocument:
        raise NotImplementedError

    def remove(self, doc_id: str) -> None:
        """Remove a document and everything kept about it: rows, indexes, memory, vectors, tables, tags."""
        with self.transaction():
            self._unindex(doc_id)
            for extra in self.sql.per_document_tables():  # before documents: some reference it
                self.sql.execute(f'DELETE FROM "{extra}" WHERE doc_id = ?', [doc_id])
            for table in ("chunks", "pages", "documents"):
                column = "id" if table == "documents" else "doc_id"
                self.sql.execute(f"DELETE FROM {table} WHERE {column} = ?", [doc_id])
        self._removed(doc_id)

    def _unindex(self, doc_id: str) -> None:
        """Inside remove's transaction, before the rows go: drop index entries kept outside the rows."""

    def _removed(self, doc_id: str) -> None:
        """After remove's commit: drop what lives outside the database."""

    def sweep(self, *, wait: bool = True) -> list[Path]:
        """Remove page files that no committed document owns; returns what was removed."""
        return []


def _backend(spec: Path | str | None) -> type[Workspace]:
    if is_database_url(spec):
        try:
            from lcagent.memory.postgres.workspace import PostgresWorkspace
        except ImportError as missing:
            raise WorkspaceError(
                f"a PostgreSQL workspace needs psycopg ({missing.name} is not installed); "
                'install it with pip install "lcagent[cluster]"'
            ) from None
        return PostgresWorkspace
    from lcagent.memory.sqlite_workspace import SqliteWorkspace

    return SqliteWorkspace
