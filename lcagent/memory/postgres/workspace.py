"""A workspace in PostgreSQL (``Workspace("postgresql://USER@HOST/DATABASE")``), which several
processes on several machines can share: the same tables and named migrations as the SQLite
workspace, bm25 over tsvector, pg_trgm for grep, checkpoints through LangGraph's Postgres saver.

Page text lives in the database only: there is no plain-file mirror, because machines that
share the database share no folder, and a folder beside one of them could disagree with the
database after a crash. A schema named in the URL (``?options=-csearch_path%3DNAME``) holds one
workspace, so one database can hold several.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Sequence

from lcagent.memory.database import LockWaitNotice, lock_wait_from_environment
from lcagent.memory.errors import WorkspaceError
from lcagent.memory.postgres.database import PostgresHandle, redact
from lcagent.memory.postgres.migrations import apply_migrations
from lcagent.memory.postgres.search import as_terms, match_query, ranked_chunk_ids, snippet, word_count
from lcagent.memory.postgres.vectors import PgVectorStore, pgvector_schema
from lcagent.memory.rows import chunk_from_row, page_from_row
from lcagent.memory.vectors import VectorStore
from lcagent.memory.search_text import search_terms
from lcagent.memory.workspace import NewDocument, StoredDocument, Workspace
from lcagent.records import Page, SearchHit

_PAGE_COLUMNS = ("doc_id", "idx", "label", "char_start", "line_start", "text")
_CHUNK_COLUMNS = ("doc_id", "ordinal", "char_start", "char_end", "page_start", "page_end", "line_start", "line_end",
                  "tokens", "text", "fts_tokens")


class PostgresWorkspace(Workspace):
    """The workspace as tables in a PostgreSQL database (or one schema of it)."""

    def __init__(self, path: str, *, lock_wait: float | None = None,
                 on_lock_wait: LockWaitNotice | None = None) -> None:
        self.path = path.strip()
        self.location = redact(self.path)
        self.sql = PostgresHandle(
            self.path, lock_wait=lock_wait_from_environment() if lock_wait is None else lock_wait,
            on_lock_wait=on_lock_wait, label=f"workspace {self.location}",
        )
        try:
            apply_migrations(self.sql)
        except BaseException:
            self.sql.close()
            raise

    def close(self) -> None:
        self.sql.close()

    @cached_property
    def vectors(self) -> VectorStore:
        schema = pgvector_schema(self.sql)
        return PgVectorStore(self.sql, schema) if schema else VectorStore(self.sql)

    @contextmanager
    def checkpointer(self) -> Iterator[Any]:
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(self.path) as saver:
            with self.sql.session_lock("checkpoints"):  # its setup is not safe to run twice at once
                saver.setup()
            yield saver

    # --- search -------------------------------------------------------------------------
    def search(
        self, query: str, *, doc_ids: Sequence[str] | None = None, k: int = 10, mode: str = "any"
    ) -> list[SearchHit]:
        if mode == "raw":
            raise WorkspaceError("raw FTS5 queries need an SQLite workspace; search with mode any, all or phrase")
        terms = as_terms(self.sql, search_terms(query, mode))
        if not terms:
            return []
        ranked = ranked_chunk_ids(self.sql, terms, mode, doc_ids, k)
        if not ranked:
            return []
        lexemes = sorted({lexeme for term in terms for lexeme in term.lexemes})
        rows = self.sql.query(
            "SELECT chunks.*, pages.label AS page_label, documents.name AS doc_name, "
            "ARRAY(SELECT p || ' ' || u.lexeme FROM unnest(ts_filter(setweight(chunks.fts, 'A', ?::text[]), '{a}')) "
            "AS u, unnest(u.positions) AS p) AS matched "
            "FROM chunks JOIN pages ON pages.doc_id = chunks.doc_id AND pages.idx = chunks.page_start "
            "JOIN documents ON documents.id = chunks.doc_id WHERE chunks.id = ANY(?::bigint[])",
            [lexemes, [chunk_id for chunk_id, _ in ranked]],
        )
        by_id = {row["id"]: row for row in rows}
        return [
            SearchHit(chunk_from_row(row), score, snippet(row["text"], row["matched"]), row["page_label"], row["doc_name"])
            for chunk_id, score in ranked
            if (row := by_id.get(chunk_id)) is not None
        ]

    def document_frequency(self, term: str, doc_ids: Sequence[str] | None = None) -> tuple[int, int]:
        scope, params = "", []
        if doc_ids:
            scope = " AND doc_id = ANY(?::text[])"
            params = [list(doc_ids)]
        total = self.sql.execute("SELECT count(*) FROM chunks WHERE TRUE" + scope, params).fetchone()[0]
        terms = as_terms(self.sql, search_terms(term, "phrase"))
        if not terms:
            return 0, total
        found = self.sql.execute(
            "SELECT count(*) FROM chunks WHERE fts @@ ?::tsquery" + scope, [match_query(terms, "phrase"), *params]
        ).fetchone()[0]
        return found, total

    def documents_containing(self, phrase: str, doc_ids: Sequence[str]) -> set[str]:
        terms = as_terms(self.sql, search_terms(phrase, "phrase"))
        if not terms or not doc_ids:
            return set()
        rows = self.sql.execute("SELECT DISTINCT doc_id FROM chunks WHERE fts @@ ?::tsquery AND doc_id = ANY(?::text[])",
                                [match_query(terms, "phrase"), list(doc_ids)]).fetchall()
        return {row[0] for row in rows}

    def _candidate_pages(self, literal: str | None, doc_ids: Sequence[str] | None) -> Iterator[Page]:
        where, params = "", []
        if doc_ids:
            where = " AND doc_id = ANY(?::text[])"
            params = [list(doc_ids)]
        if literal is not None and "\x00" in literal:
            return  # stored text holds no NUL (loaders drop control characters): nothing can match
        if literal is not None:
            # ILIKE is case-insensitive like FTS5's trigram tokenizer; the pg_trgm index serves it
            pattern = "%" + literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self.sql.query("SELECT * FROM pages WHERE text ILIKE ?" + where + " ORDER BY doc_id, idx",
                                  [pattern, *params])
        else:
            rows = self.sql.query("SELECT * FROM pages WHERE TRUE" + where + " ORDER BY doc_id, idx", params)
        for row in rows:
            yield page_from_row(row)

    # --- writes ---------------------------------------------------------------------------
    def _add_document(self, new: NewDocument) -> StoredDocument:
        document = new.document
        # Ingests of different files commit side by side; the same bytes or the same path wait.
        with self.sql.transaction(keys=[f"document:{document.id}", f"path:{document.path}"]):
            existing = self.get(document.id)
            if existing:
                known = self._record_path(existing.id, Path(document.path))
                return StoredDocument(existing, created=False, known_path=known)
            document = replace(document, version=self._next_version(Path(document.path)))
            self._insert_document(document, new.warnings)
            self.sql.copy_rows("pages", _PAGE_COLUMNS, (
                (p.doc_id, p.index, p.label, p.char_start, p.line_start, p.text) for p in new.pages))
            self.sql.copy_rows("chunks", _CHUNK_COLUMNS, (
                (c.doc_id, c.ordinal, c.char_start, c.char_end, c.page_start, c.page_end, c.line_start, c.line_end,
                 c.tokens, c.text, word_count(c.text)) for c in new.chunks))
        return StoredDocument(document, created=True)
