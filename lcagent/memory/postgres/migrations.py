"""The workspace schema in PostgreSQL: the same named migrations as ``lcagent.memory.migrations``
(SQLite), in the same order, recorded in ``_migrations`` the same way.

The tables and columns are SQLite's with PostgreSQL types; what differs is how they are indexed:
- FTS5 ``chunks_fts`` → a generated ``tsvector`` column (``chunks.fts``, GIN-indexed) in the
  ``lcagent_text`` configuration (Snowball English stems, no stop words, accents folded where
  the ``unaccent`` extension exists), plus ``chunks.fts_tokens``, the word count bm25 needs;
- FTS5 ``pages_trigram`` → a pg_trgm GIN index on ``pages.text``;
- SQLite's implicit ``rowid`` (insertion order, which document_paths and hg_incidence rely on)
  → an explicit serial column named ``rowid``, so the stores' SQL is the same for both;
- text that is sorted (document names, tags, timestamps) compares by code point (``COLLATE "C"``)
  as SQLite's BINARY does, whatever the database's locale; page and chunk text keep the
  database's, whose character classes the search index needs.
Never edit or reorder one that has shipped: append a new function, under the same name as the
SQLite migration it mirrors.
"""

from __future__ import annotations

import datetime as _dt
from typing import Callable

from lcagent.memory.errors import WorkspaceError
from lcagent.memory.postgres.database import PostgresHandle

MIGRATIONS: list[tuple[str, Callable[[PostgresHandle], None]]] = []
TEXT_CONFIG = "lcagent_text"
# A word is a run of letters and digits, as in FTS5's unicode61 tokenizer: everything else is
# made a space before PostgreSQL's parser sees the text (it would keep "3.14" or "e-mail" whole).
WORDS_ONLY = "regexp_replace({text}, '[^[:alnum:]]+', ' ', 'g')"


def migration(function: Callable[[PostgresHandle], None]):
    MIGRATIONS.append((function.__name__, function))
    return function


@migration
def m001_documents_pages_chunks(db: PostgresHandle) -> None:
    trigram_schema = _extension(db, "pg_trgm", required=True)
    unaccent_schema = _extension(db, "unaccent", required=False)
    filters = f'"{unaccent_schema}".unaccent, ' if unaccent_schema else ""
    _run_script(db,
        f"""
        CREATE TEXT SEARCH DICTIONARY lcagent_stem (TEMPLATE = snowball, Language = english);
        CREATE TEXT SEARCH CONFIGURATION {TEXT_CONFIG} (COPY = pg_catalog.simple);
        ALTER TEXT SEARCH CONFIGURATION {TEXT_CONFIG} ALTER MAPPING FOR asciiword, word, numword, asciihword,
            hword, numhword, hword_asciipart, hword_part, hword_numpart WITH {filters}lcagent_stem;
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            name TEXT COLLATE "C" NOT NULL,
            path TEXT NOT NULL,
            kind TEXT NOT NULL,
            bytes BIGINT NOT NULL,
            pages BIGINT NOT NULL,
            tokens BIGINT NOT NULL,
            chunks BIGINT NOT NULL,
            title TEXT,
            version BIGINT NOT NULL,
            ingested_at TEXT COLLATE "C" NOT NULL,
            warnings TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX documents_path ON documents(path);
        CREATE TABLE pages (
            id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            idx BIGINT NOT NULL,
            label TEXT NOT NULL,
            char_start BIGINT NOT NULL,
            line_start BIGINT NOT NULL,
            text TEXT NOT NULL,
            UNIQUE (doc_id, idx)
        );
        CREATE TABLE chunks (
            id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            ordinal BIGINT NOT NULL,
            char_start BIGINT NOT NULL,
            char_end BIGINT NOT NULL,
            page_start BIGINT NOT NULL,
            page_end BIGINT NOT NULL,
            line_start BIGINT NOT NULL,
            line_end BIGINT NOT NULL,
            tokens BIGINT NOT NULL,
            text TEXT NOT NULL,
            fts tsvector GENERATED ALWAYS AS (to_tsvector('{TEXT_CONFIG}', {WORDS_ONLY.format(text="text")})) STORED,
            fts_tokens BIGINT NOT NULL DEFAULT 0,
            UNIQUE (doc_id, ordinal)
        );
        CREATE INDEX chunks_fts ON chunks USING gin (fts);
        CREATE INDEX pages_trigram ON pages USING gin (text "{trigram_schema}".gin_trgm_ops)
        """
    )


@migration
def m002_runs_and_traces(db: PostgresHandle) -> None:
    _run_script(db,
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            question TEXT NOT NULL,
            doc_ids TEXT NOT NULL,
            model TEXT NOT NULL,
            strategy TEXT NOT NULL,
            strategy_reason TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            answer TEXT,
            started_at TEXT COLLATE "C" NOT NULL,
            finished_at TEXT
        );
        CREATE TABLE trace_steps (
            id BIGSERIAL PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq BIGINT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            input TEXT NOT NULL,
            output TEXT NOT NULL,
            prompt_tokens BIGINT NOT NULL DEFAULT 0,
            completion_tokens BIGINT NOT NULL DEFAULT 0,
            seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX trace_steps_run ON trace_steps(run_id, seq)
        """
    )


@migration
def m003_memex(db: PostgresHandle) -> None:
    _run_script(db,
        """
        CREATE TABLE memex_entries (
            id BIGSERIAL PRIMARY KEY,     -- a sequence never hands out a number twice, like AUTOINCREMENT
            doc_id TEXT NOT NULL,
            description TEXT NOT NULL,
            content TEXT NOT NULL,
            source TEXT NOT NULL,
            key TEXT,
            refs TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE INDEX memex_entries_doc ON memex_entries(doc_id, key)
        """
    )


@migration
def m004_hypergraph(db: PostgresHandle) -> None:
    _run_script(db,
        """
        CREATE TABLE hg_vertices (
            id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL,
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            UNIQUE (doc_id, key)
        );
        CREATE TABLE hg_units (
            id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL,
            description TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'live',
            merged_into BIGINT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX hg_units_doc ON hg_units(doc_id, status);
        CREATE TABLE hg_incidence (
            rowid BIGSERIAL,
            unit_id BIGINT NOT NULL,
            vertex_id BIGINT NOT NULL,
            doc_id TEXT NOT NULL,
            PRIMARY KEY (unit_id, vertex_id)
        );
        CREATE INDEX hg_incidence_vertex ON hg_incidence(vertex_id);
        CREATE TABLE hg_sources (
            unit_id BIGINT NOT NULL,
            doc_id TEXT NOT NULL,
            chunk_ordinal BIGINT NOT NULL,
            page_start BIGINT NOT NULL,
            page_end BIGINT NOT NULL,
            PRIMARY KEY (unit_id, chunk_ordinal)
        )
        """
    )


@migration
def m005_document_paths_and_run_owners(db: PostgresHandle) -> None:
    _run_script(db,
        """
        CREATE TABLE document_paths (
            rowid BIGSERIAL UNIQUE,
            doc_id TEXT NOT NULL,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, path)
        );
        CREATE INDEX document_paths_path ON document_paths(path, rowid);
        CREATE INDEX document_paths_name ON document_paths(name);
        INSERT INTO document_paths (doc_id, path, name, added_at)
            SELECT id, path, name, ingested_at FROM documents ORDER BY version, ingested_at;
        ALTER TABLE runs ADD COLUMN owner_host TEXT;
        ALTER TABLE runs ADD COLUMN owner_pid BIGINT;
        ALTER TABLE runs ADD COLUMN owner_started TEXT
        """
    )


@migration
def m006_chunk_embeddings(db: PostgresHandle) -> None:
    # int8 values times one scale, as in SQLite (bytea), ranked with numpy per document; where the
    # server has pgvector, also the dequantized vector, searched in the database (postgres/vectors.py).
    _run_script(db,
        """
        CREATE TABLE chunk_embeddings (
            doc_id TEXT NOT NULL,
            chunk_ordinal BIGINT NOT NULL,
            part BIGINT NOT NULL,
            model TEXT NOT NULL,
            char_start BIGINT NOT NULL,
            char_end BIGINT NOT NULL,
            scale DOUBLE PRECISION NOT NULL,
            vector BYTEA NOT NULL,
            PRIMARY KEY (doc_id, model, chunk_ordinal, part)
        )
        """
    )
    vector_schema = _extension(db, "vector", required=False)
    if vector_schema:
        db.connection.execute(f'ALTER TABLE chunk_embeddings ADD COLUMN embedding "{vector_schema}".vector')


@migration
def m007_tables(db: PostgresHandle) -> None:
    _run_script(db,
        """
        CREATE TABLE doc_tables (
            id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL,
            page_index BIGINT NOT NULL,
            ordinal BIGINT NOT NULL,
            title TEXT,
            units TEXT,
            columns TEXT NOT NULL,
            UNIQUE (doc_id, page_index, ordinal)
        );
        CREATE TABLE doc_table_rows (
            table_id BIGINT NOT NULL,
            doc_id TEXT NOT NULL,
            ordinal BIGINT NOT NULL,
            label TEXT NOT NULL,
            cells TEXT NOT NULL,
            line_text TEXT NOT NULL,
            indent BIGINT NOT NULL,
            section TEXT NOT NULL,
            PRIMARY KEY (table_id, ordinal)
        );
        CREATE INDEX doc_table_rows_doc ON doc_table_rows(doc_id)
        """
    )


@migration
def m008_document_tags(db: PostgresHandle) -> None:
    _run_script(db,
        """
        CREATE TABLE document_tags (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            tag TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (doc_id, tag)
        );
        CREATE INDEX document_tags_tag ON document_tags(tag)
        """
    )


def _run_script(db: PostgresHandle, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            db.connection.execute(statement)


def _extension(db: PostgresHandle, name: str, *, required: bool) -> str | None:
    """The schema holding extension ``name``, creating it if it can; None when optional and unavailable."""
    found = db.connection.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = %s",
                                  [name]).fetchone()
    if found:
        return found[0].strip('"')
    db.connection.execute("SAVEPOINT lcagent_extension")
    try:
        db.connection.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
    except Exception as error:  # not installed on the server, or no right to create it
        db.connection.execute("ROLLBACK TO SAVEPOINT lcagent_extension")
        if required:
            raise WorkspaceError(
                f"the PostgreSQL extension {name} is needed and could not be created ({' '.join(str(error).split())}); "
                f"install the server's contrib package, or have an administrator run CREATE EXTENSION {name}"
            ) from None
        return None
    db.connection.execute("RELEASE SAVEPOINT lcagent_extension")
    return db.connection.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = %s",
                                 [name]).fetchone()[0].strip('"')


def apply_migrations(db: PostgresHandle) -> list[str]:
    """Apply pending migrations under a session lock (two processes opening a new workspace
    must not both migrate); return the names applied now."""
    if _pending_count(db) == 0:
        return []
    applied_now: list[str] = []
    with db.session_lock("migrate"):
        db.connection.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (rowid BIGSERIAL, name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        with db.transaction():
            done = {row[0] for row in db.connection.execute("SELECT name FROM _migrations").fetchall()}
            for name, function in MIGRATIONS:
                if name in done:
                    continue
                function(db)
                db.connection.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (%s, %s)",
                    [name, _dt.datetime.now(_dt.timezone.utc).isoformat()],
                )
                applied_now.append(name)
    return applied_now


def _pending_count(db: PostgresHandle) -> int:
    exists = db.connection.execute("SELECT to_regclass('_migrations')").fetchone()[0]
    if exists is None:
        return len(MIGRATIONS)
    done = db.connection.execute("SELECT count(*) FROM _migrations").fetchone()[0]
    return len(MIGRATIONS) - done
