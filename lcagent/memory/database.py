"""The workspace's SQLite connection: WAL, a bounded wait for another process's write lock,
and SQL that a time limit can interrupt.

Readers never wait in WAL mode; only a statement that needs the write lock can find it held.
Such a statement waits quietly for a moment, then tells the user it is waiting, then fails
with ``WorkspaceLocked`` (one line that says what to do) instead of ``database is locked``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from lcagent.memory.errors import WorkspaceError, WorkspaceLocked

LOCK_WAIT_VARIABLE = "LCAGENT_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 60.0
QUIET_WAIT = 1.0  # a lock held this briefly (another ingest committing) is waited for silently
_PROGRESS_EVERY = 20_000  # SQLite VM steps between time-limit checks: about a millisecond

LockWaitNotice = Callable[[str], None]


def lock_wait_from_environment() -> float:
    raw = os.environ.get(LOCK_WAIT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_LOCK_WAIT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise WorkspaceError(f"{LOCK_WAIT_VARIABLE}={raw!r} is not a number of seconds; set it to e.g. 60")
    return seconds


class LockWaitingConnection(sqlite3.Connection):
    """A connection whose statements wait for the write lock at most ``lock_wait`` seconds."""

    lock_wait: float = DEFAULT_LOCK_WAIT
    on_lock_wait: LockWaitNotice | None = None
    label: str = "the workspace"

    def setup(self, *, lock_wait: float, on_lock_wait: LockWaitNotice | None, label: str) -> None:
        self.lock_wait, self.on_lock_wait, self.label = lock_wait, on_lock_wait, label
        self._slow_path = threading.Lock()
        self._deadlines = threading.local()
        self._set_busy_timeout(min(QUIET_WAIT, lock_wait))
        self.set_progress_handler(self._past_deadline, _PROGRESS_EVERY)

    def execute(self, sql, parameters=(), /):  # type: ignore[override]
        return self._waiting(super().execute, sql, parameters)

    def executemany(self, sql, parameters, /):  # type: ignore[override]
        return self._waiting(super().executemany, sql, parameters)

    def try_write_lock(self) -> bool:
        """``BEGIN IMMEDIATE`` if the write lock is free right now; never waits."""
        with self._slow_path:
            self._set_busy_timeout(0)
            try:
                super().execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError:  # held by another process, or a read-only file
                return False
            finally:
                self._set_busy_timeout(min(QUIET_WAIT, self.lock_wait))

    @contextmanager
    def time_limit(self, seconds: float | None) -> Iterator[None]:
        """Interrupt this thread's SQL once ``seconds`` have passed (raises ``TimeoutError``)."""
        if seconds is None:
            yield
            return
        outer = getattr(self._deadlines, "end", None)
        end = time.monotonic() + seconds
        self._deadlines.end = end if outer is None else min(end, outer)
        try:
            yield
        except sqlite3.OperationalError as error:
            if str(error) == "interrupted":
                raise TimeoutError(f"the query ran longer than {seconds:g} s") from None
            raise
        finally:
            self._deadlines.end = outer

    # --- internals ----------------------------------------------------------------------
    def _waiting(self, call, sql, parameters):
        try:
            return call(sql, parameters)
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            if self.lock_wait <= QUIET_WAIT:
                raise self._locked() from None
        # Only one thread waits at a time, so the busy timeout it sets is its own.
        with self._slow_path:
            if self.on_lock_wait:
                self.on_lock_wait(
                    f"{self.label} is locked by another process; waiting up to {self.lock_wait:g} s for it "
                    "(Ctrl-C to stop)"
                )
            self._set_busy_timeout(max(0.0, self.lock_wait - QUIET_WAIT))
            try:
                return call(sql, parameters)
            except sqlite3.OperationalError as error:
                if _is_busy(error):
                    raise self._locked() from None
                raise
            finally:
                self._set_busy_timeout(min(QUIET_WAIT, self.lock_wait))

    def _locked(self) -> WorkspaceLocked:
        return WorkspaceLocked(
            f"{self.label} is still locked by another process after {self.lock_wait:g} s; retry once that process "
            f"has finished (or stop it), or set {LOCK_WAIT_VARIABLE}=SECONDS to wait longer"
        )

    def _set_busy_timeout(self, seconds: float) -> None:
        super().execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    def _past_deadline(self) -> int:
        end = getattr(self._deadlines, "end", None)
        return 1 if end is not None and time.monotonic() > end else 0


def connect(path: Path, *, lock_wait: float, on_lock_wait: LockWaitNotice | None, label: str) -> LockWaitingConnection:
    """An autocommit connection (every write transaction is explicit), shared by threads."""
    connection = sqlite3.connect(
        path, timeout=0, isolation_level=None, check_same_thread=False, factory=LockWaitingConnection
    )
    assert isinstance(connection, LockWaitingConnection)
    connection.setup(lock_wait=lock_wait, on_lock_wait=on_lock_wait, label=label)
    # Switching to WAL needs a lock; a workspace that is already WAL (all but a new one) skips it.
    if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return str(error).startswith("database is locked")
