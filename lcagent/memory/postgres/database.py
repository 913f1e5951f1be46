"""The PostgreSQL connection behind a shared workspace: the stores' SQL (``?`` placeholders)
run through psycopg, a write lock with the same bounded wait as SQLite's, and time limits.

Writers take a transaction-scoped advisory lock: the whole workspace's (exclusive) for general
writes, or a shared one plus a lock per document and path for an ingest, so ingests of
different files commit side by side while everything else stays as serialized as in SQLite.
Readers never wait (MVCC).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence

import psycopg
from psycopg.rows import dict_row

from lcagent.memory.database import LOCK_WAIT_VARIABLE, QUIET_WAIT, LockWaitNotice
from lcagent.memory.errors import WorkspaceError, WorkspaceLocked

_POLL = 0.05  # seconds between tries for a held advisory lock


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite-style SQL to psycopg's: ``?`` outside string literals becomes ``%s``, ``%`` becomes ``%%``."""
    out, quoted = [], False
    for character in sql:
        if character == "'":
            quoted = not quoted
        if character == "%":
            out.append("%%")
        elif character == "?" and not quoted:
            out.append("%s")
        else:
            out.append(character)
    return "".join(out)


def lock_key(*parts: str) -> int:
    """A stable signed 64-bit advisory lock key."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresHandle:
    """``lcagent.memory.sql.SqlHandle`` over one autocommit psycopg connection, shared by threads.

    Statements from several threads are serialized; an open transaction belongs to the thread
    that began it (others wait for its end instead of writing into it).
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, lock_wait: float, on_lock_wait: LockWaitNotice | None, label: str) -> None:
        self.url, self.lock_wait, self.on_lock_wait, self.label = url, lock_wait, on_lock_wait, label
        try:
            self.connection = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            raise WorkspaceError(
                f"cannot open the PostgreSQL workspace {redact(url)}: {reason}; check the URL, that the server "
                "runs, and the credentials (PGPASSWORD or ~/.pgpass)"
            ) from None
        self._lock = threading.RLock()
        self._deadlines = threading.local()
        info = self.connection.info
        self.schema = self.connection.execute("SELECT current_schema()").fetchone()[0] or "public"
        self.identity = f"postgresql://{info.host}:{info.port}/{info.dbname}/{self.schema}"

    def close(self) -> None:
        self.connection.close()

    # --- statements -----------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()):
        with self._lock:
            cursor = self.connection.cursor()
            self._run(cursor, sql, params)
            return cursor

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        with self._lock:
            cursor = self.connection.cursor(row_factory=dict_row)
            self._run(cursor, sql, params)
            return cursor.fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self._lock, self.connection.cursor() as cursor:
                self._bounded(lambda: cursor.executemany(translate(sql), rows))

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
        """Bulk insert with COPY: several times faster than INSERTs for pages and chunks."""
        with self._lock, self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _run(self, cursor, sql: str, params: Sequence[Any]) -> None:
        if any(isinstance(value, str) and "\x00" in value for value in params):
            raise WorkspaceError("PostgreSQL text cannot hold a NUL character (\\x00); remove it from the name or query")
        self._bounded(lambda: cursor.execute(translate(sql), list(params)))

    # --- transactions and locks -------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    @contextmanager
    def transaction(self, *, keys: Sequence[str] = ()) -> Iterator[None]:
        """A write transaction: the workspace's lock exclusive, or, with ``keys``, shared plus an
        exclusive lock per key (an ingest locks its document id and path)."""
        with self._lock:
            self.connection.execute("BEGIN")
            try:
                self._take(lock_key(self.schema, "write"), shared=bool(keys))
                for key in sorted(set(keys)):  # one order everywhere: no deadlocks between ingests
                    self._take(lock_key(self.schema, "key", key), shared=False)
                yield
            except BaseException:
                if not self.connection.closed:
                    self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    @contextmanager
    def session_lock(self, name: str) -> Iterator[None]:
        """A lock across transactions (migrations, setting up checkpoint tables)."""
        key = lock_key(self.schema, name)
        with self._lock:
            self.connection.execute("SELECT pg_advisory_lock(%s)", [key])
            try:
                yield
            finally:
                self.connection.execute("SELECT pg_advisory_unlock(%s)", [key])

    def _take(self, key: int, *, shared: bool) -> None:
        function = "pg_try_advisory_xact_lock_shared" if shared else "pg_try_advisory_xact_lock"
        started = time.monotonic()
        told = False
        while not self.connection.execute(f"SELECT {function}(%s)", [key]).fetchone()[0]:
            waited = time.monotonic() - started
            if waited >= self.lock_wait:
                raise WorkspaceLocked(
                    f"{self.label} is still locked by another process after {self.lock_wait:g} s; retry once that "
                    f"process has finished (or stop it), or set {LOCK_WAIT_VARIABLE}=SECONDS to wait longer"
                )
            if waited >= min(QUIET_WAIT, self.lock_wait) and not told:
                told = True
                if self.on_lock_wait:
                    self.on_lock_wait(
                        f"{self.label} is locked by another process; waiting up to {self.lock_wait:g} s for it "
                        "(Ctrl-C to stop)"
                    )
            time.sleep(_POLL)

    # --- time limits ------------------------------------------------------------------------
    @contextmanager
    def time_limit(self, seconds: float | None) -> Iterator[None]:
        """Statements this thread runs inside stop once ``seconds`` have passed (``TimeoutError``)."""
        if seconds is None:
            yield
            return
        outer = getattr(self._deadlines, "end", None)
        end = time.monotonic() + seconds
        self._deadlines.end = end if outer is None else min(end, outer)
        self._deadlines.seconds = seconds
        try:
            yield
        finally:
            self._deadlines.end = outer

    def _bounded(self, call) -> None:
        end = getattr(self._deadlines, "end", None)
        if end is None:
            call()
            return
        seconds = getattr(self._deadlines, "seconds", 0.0)
        remaining_ms = int((end - time.monotonic()) * 1000)
        if remaining_ms <= 0:
            raise TimeoutError(f"the query ran longer than {seconds:g} s")
        # statement_timeout is per session: set it for this statement only (the handle's lock
        # keeps other threads' statements out until it is reset).
        self.connection.execute("SELECT set_config('statement_timeout', %s, false)", [str(remaining_ms)])
        try:
            call()
        except psycopg.errors.QueryCanceled:
            raise TimeoutError(f"the query ran longer than {seconds:g} s") from None
        finally:
            if self.connection.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
                self.connection.execute("SELECT set_config('statement_timeout', '0', false)")

    # --- schema -------------------------------------------------------------------------
    def per_document_tables(self) -> list[str]:
        rows = self.connection.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = %s AND column_name = 'doc_id' "
            "AND table_name NOT IN ('documents', 'pages', 'chunks') ORDER BY table_name",
            [self.schema],
        ).fetchall()
        return [row[0] for row in rows]

