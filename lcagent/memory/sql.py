"""The SQL handle the stores are written against: one small interface that an SQLite
connection and a PostgreSQL connection both provide, so each store's SQL is written once.

Store SQL uses ``?`` placeholders and the subset both databases share (``INSERT ... ON CONFLICT``,
``RETURNING id``); a column named ``rowid`` is SQLite's implicit one there and an explicit
serial column in PostgreSQL (see ``lcagent.memory.postgres.migrations``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, ContextManager, Iterator, Protocol, Sequence

import sqlite_utils


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list: ...


class SqlHandle(Protocol):
    """What a store needs from a database connection."""

    dialect: str  # "sqlite" or "postgresql"
    identity: str  # which database this is (cache keys): a file path or a server and database

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @property
    def in_transaction(self) -> bool: ...

    def transaction(self) -> ContextManager[None]:
        """A write transaction holding the workspace's write lock; rolled back on any exception."""
        ...

    def time_limit(self, seconds: float | None) -> ContextManager[None]:
        """SQL this thread runs inside stops after ``seconds`` (``TimeoutError``)."""
        ...

    def per_document_tables(self) -> list[str]:
        """Tables with a ``doc_id`` column besides documents, pages and chunks (removed with a document)."""
        ...


class SqliteHandle:
    """``SqlHandle`` over the workspace's sqlite-utils database (a ``LockWaitingConnection``)."""

    dialect = "sqlite"

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        row = db.execute("PRAGMA database_list").fetchone()
        self.identity = row[2] if row else ""

    def execute(self, sql: str, params: Sequence[Any] = ()):
        return self.db.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        return list(self.db.query(sql, list(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.db.conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.db.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:  # Ctrl-C included
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def time_limit(self, seconds: float | None) -> ContextManager[None]:
        return self.db.conn.time_limit(seconds)

    def per_document_tables(self) -> list[str]:
        core = {"documents", "pages", "chunks"}
        return [
            table for table in self.db.table_names()
            if table not in core and not table.startswith(("chunks_fts", "pages_trigram", "_"))
            and "doc_id" in self.db[table].columns_dict
        ]


def as_handle(database: SqlHandle | sqlite_utils.Database) -> SqlHandle:
    """Stores take a handle; an sqlite-utils database (what older callers pass) is wrapped."""
    if isinstance(database, sqlite_utils.Database):
        return SqliteHandle(database)
    return database


@contextmanager
def write_transaction(handle: SqlHandle) -> Iterator[None]:
    """The caller's transaction when one is open, else a new one: a store's writes land whole."""
    if handle.in_transaction:
        yield
    else:
        with handle.transaction():
            yield
