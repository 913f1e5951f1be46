"""Named, append-only schema migrations for the workspace database.

Each migration runs once, in order, and is recorded in ``_migrations``. Never edit or
reorder one that has shipped: append a new function instead.
"""

from __future__ import annotations

import datetime as _dt
from typing import Callable

import sqlite_utils

MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = []


def migration(function: Callable[[sqlite_utils.Database], None]):
    MIGRATIONS.append((function.__name__, function))
    return function


@migration
def m001_documents_pages_chunks(db: sqlite_utils.Database) -> None:
    _run_script(db, 
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,          -- sha256 of the file's bytes
            name TEXT NOT NULL,
            path TEXT NOT NULL,           -- absolute path it was ingested from
            kind TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            pages INTEGER NOT NULL,
            tokens INTEGER NOT NULL,
            chunks INTEGER NOT NULL,
            title TEXT,
            version INTEGER NOT NULL,     -- 1 + earlier versions ingested from the same path
            ingested_at TEXT NOT NULL,
            warnings TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX documents_path ON documents(path);
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            idx INTEGER NOT NULL,         -- 1-based
            label TEXT NOT NULL,
            char_start INTEGER NOT NULL,
            line_start INTEGER NOT NULL,
            text TEXT NOT NULL,
            UNIQUE (doc_id, idx)
        );
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            ordinal INTEGER NOT NULL,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            page_start INTEGER NOT NULL,
            page_end INTEGER NOT NULL,
            line_start INTEGER NOT NULL,
            line_end INTEGER NOT NULL,
            tokens INTEGER NOT NULL,
            text TEXT NOT NULL,
            UNIQUE (doc_id, ordinal)
        );
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            text, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE VIRTUAL TABLE pages_trigram USING fts5(
            text, content='pages', content_rowid='id', tokenize='trigram'
        );
        """
    )


@migration
def m002_runs_and_traces(db: sqlite_utils.Database) -> None:
    _run_script(db, 
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            question TEXT NOT NULL,
            doc_ids TEXT NOT NULL,        -- JSON list
            model TEXT NOT NULL,
            strategy TEXT NOT NULL,
            strategy_reason TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,         -- running, done, failed, interrupted
            answer TEXT,                  -- JSON of the Answer when done
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE TABLE trace_steps (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,           -- llm, tool, note
            name TEXT NOT NULL,
            input TEXT NOT NULL,          -- JSON
            output TEXT NOT NULL,         -- JSON
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            seconds REAL NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX trace_steps_run ON trace_steps(run_id, seq);
        """
    )



@migration
def m003_memex(db: sqlite_utils.Database) -> None:
    # No REFERENCES to documents: Workspace.remove deletes documents before per-document tables.
    _run_script(db,
        """
        CREATE TABLE memex_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- index m<id>: never reused, even after a clear
            doc_id TEXT NOT NULL,
            description TEXT NOT NULL,    -- one line, shown in the index map
            content TEXT NOT NULL,        -- the archived text, exactly as given
            source TEXT NOT NULL,         -- tool, span, page or finding
            key TEXT,                     -- what produced it (e.g. a tool call), to reuse it
            refs TEXT NOT NULL DEFAULT '[]',  -- JSON: document spans the content came from
            created_at TEXT NOT NULL
        );
        CREATE INDEX memex_entries_doc ON memex_entries(doc_id, key)
        """
    )


@migration
def m004_hypergraph(db: sqlite_utils.Database) -> None:
    _run_script(db,
        """
        CREATE TABLE hg_vertices (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL,
            name TEXT NOT NULL,           -- as first seen in the text
            key TEXT NOT NULL,            -- case- and space-folded, for matching
            kind TEXT NOT NULL,           -- name, number, id, term
            UNIQUE (doc_id, key)
        );
        CREATE TABLE hg_units (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL,
            description TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'live',   -- live or merged
            merged_into INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX hg_units_doc ON hg_units(doc_id, status);
        CREATE TABLE hg_incidence (
            unit_id INTEGER NOT NULL,
            vertex_id INTEGER NOT NULL,
            doc_id TEXT NOT NULL,
            PRIMARY KEY (unit_id, vertex_id)
        );
        CREATE INDEX hg_incidence_vertex ON hg_incidence(vertex_id);
        CREATE TABLE hg_sources (
            unit_id INTEGER NOT NULL,
            doc_id TEXT NOT NULL,
            chunk_ordinal INTEGER NOT NULL,
            page_start INTEGER NOT NULL,
            page_end INTEGER NOT NULL,
            PRIMARY KEY (unit_id, chunk_ordinal)
        )
        """
    )


@migration
def m005_document_paths_and_run_owners(db: sqlite_utils.Database) -> None:
    # document_paths: the same bytes ingested under several names answer to all of them.
    # runs.owner_*: which process runs a run, so `lcagent trace` can tell a dead one ("abandoned");
    # owner_started is the process's start time, so a reused pid is not mistaken for the owner.
    # (No SQL comments on ALTER TABLE lines: SQLite splices the column text into the stored schema.)
    _run_script(db,
        """
        CREATE TABLE document_paths (
            doc_id TEXT NOT NULL,         -- no REFERENCES: Workspace.remove deletes documents first
            path TEXT NOT NULL,           -- absolute path the bytes were ingested from
            name TEXT NOT NULL,           -- its file name
            added_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, path)    -- the highest rowid for a path is the document it names now
        );
        CREATE INDEX document_paths_path ON document_paths(path);
        CREATE INDEX document_paths_name ON document_paths(name);
        INSERT INTO document_paths (doc_id, path, name, added_at)
            SELECT id, path, name, ingested_at FROM documents ORDER BY version, ingested_at;
        ALTER TABLE runs ADD COLUMN owner_host TEXT;
        ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
        ALTER TABLE runs ADD COLUMN owner_started TEXT
        """
    )


@migration
def m006_chunk_embeddings(db: sqlite_utils.Database) -> None:
    # One row per window of a chunk (a chunk longer than the model's window gets several).
    # No REFERENCES: Workspace.remove deletes documents, then every table with a doc_id.
    _run_script(db,
        """
        CREATE TABLE chunk_embeddings (
            doc_id TEXT NOT NULL,
            chunk_ordinal INTEGER NOT NULL,
            part INTEGER NOT NULL,        -- window within the chunk, 0-based
            model TEXT NOT NULL,          -- tag of the embedder that made it (model, quantisation, window)
            char_start INTEGER NOT NULL,  -- the window's span in the document text
            char_end INTEGER NOT NULL,
            scale REAL NOT NULL,          -- the vector is int8 values times scale
            vector BLOB NOT NULL,         -- int8 values, one per dimension
            PRIMARY KEY (doc_id, model, chunk_ordinal, part)
        ) WITHOUT ROWID
        """
    )


@migration
def m007_tables(db: sqlite_utils.Database) -> None:
    # Tables read from PDF pages (lcagent.loaders.tables); rows go with their document
    # (Workspace.remove deletes every table with a doc_id column).
    _run_script(db,
        """
        CREATE TABLE doc_tables (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL,
            page_index INTEGER NOT NULL,  -- 1-based, as pages.idx
            ordinal INTEGER NOT NULL,     -- position among the page's tables, top first
            title TEXT,
            units TEXT,                   -- as printed: "(In millions, except per share data)"
            columns TEXT NOT NULL,        -- JSON list of column headers
            UNIQUE (doc_id, page_index, ordinal)
        );
        CREATE TABLE doc_table_rows (
            table_id INTEGER NOT NULL,
            doc_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,     -- position in the table, top first
            label TEXT NOT NULL,
            cells TEXT NOT NULL,          -- JSON list of [text, value] per column
            line_text TEXT NOT NULL,      -- the row as the stored page shows it
            indent INTEGER NOT NULL,
            section TEXT NOT NULL,
            PRIMARY KEY (table_id, ordinal)
        );
        CREATE INDEX doc_table_rows_doc ON doc_table_rows(doc_id)
        """
    )


@migration
def m008_document_tags(db: sqlite_utils.Database) -> None:
    _run_script(db,
        """
        CREATE TABLE document_tags (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            tag TEXT NOT NULL,
            PRIMARY KEY (doc_id, tag)
        );
        CREATE INDEX document_tags_tag ON document_tags(tag)
        """
    )


def _run_script(db: sqlite_utils.Database, script: str) -> None:
    # executescript() would COMMIT the caller's transaction; run statement by statement.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def apply_migrations(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied now."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied_now: list[str] = []
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    if len(done) == len(MIGRATIONS):
        return applied_now
    # IMMEDIATE: two processes opening a fresh workspace must not both migrate.
    db.execute("BEGIN IMMEDIATE")
    try:
        done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
        for name, function in MIGRATIONS:
            if name in done:
                continue
            function(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [name, _dt.datetime.now(_dt.timezone.utc).isoformat()],
            )
            applied_now.append(name)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return applied_now
