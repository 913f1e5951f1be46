"""One local Ray instance (2 CPUs, loopback only) for every Ray test, started once per session.

A ``RayPool`` made while it runs uses it and leaves it running, as it would a cluster.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import pytest

from lcagent.pdfgen import render_text_pdf


@pytest.fixture(scope="session")
def ray_instance(_isolated_home):
    ray = pytest.importorskip("ray", reason='Ray is not installed (pip install "lcagent[cluster]")')
    from lcagent.tokens import get_encoding

    get_encoding()  # the tokenizer files exist before workers (which inherit this environment) start
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             _node_ip_address="127.0.0.1")
    yield ray
    ray.shutdown()


def marked_pdfs(folder: Path, count: int, pages: int, words_per_page: int = 40) -> dict[str, Path]:
    """``count`` PDFs, each with its own marker word on every page: marker -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for number in range(count):
        marker = f"zmarker{number:03d}q"
        body = " ".join(f"keeper{(number * 7 + i) % 97} logged storms" for i in range(words_per_page))
        texts = [f"{marker} page {page} of file {number}. {body}" for page in range(pages)]
        made[marker] = render_text_pdf(texts, folder / f"file-{number:03d}.pdf", title=f"File {number}")
    return made


def assert_whole(ws_dir: Path, markers: dict[str, Path]) -> dict[str, str]:
    """Every stored document is whole (rows, both indexes, page files; no staging or orphan folder),
    and SQLite's and FTS5's integrity checks pass. Returns marker -> doc id of what is stored."""
    connection = sqlite3.connect(ws_dir / "workspace.db")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for index in ("chunks_fts", "pages_trigram"):
            connection.execute(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
        stored = {}
        by_path = {str(path.resolve()): marker for marker, path in markers.items()}
        for doc_id, page_count, chunk_count, path in connection.execute(
                "SELECT id, pages, chunks, path FROM documents").fetchall():
            marker = by_path[path]
            pages = connection.execute("SELECT idx, text FROM pages WHERE doc_id = ? ORDER BY idx", [doc_id]).fetchall()
            assert [idx for idx, _ in pages] == list(range(1, page_count + 1))
            assert all(marker in text for _, text in pages)
            assert connection.execute("SELECT count(*) FROM chunks WHERE doc_id = ?", [doc_id]).fetchone()[0] == chunk_count > 0
            found = connection.execute(
                "SELECT count(*) FROM pages_trigram JOIN pages ON pages.id = pages_trigram.rowid "
                "WHERE pages_trigram MATCH ? AND pages.doc_id = ?", [f'"{marker}"', doc_id]).fetchone()[0]
            assert found == page_count
            holding = connection.execute("SELECT count(*) FROM chunks WHERE doc_id = ? AND instr(text, ?)",
                                         [doc_id, marker]).fetchone()[0]
            assert holding > 0 and connection.execute(
                "SELECT count(*) FROM chunks_fts JOIN chunks ON chunks.id = chunks_fts.rowid "
                "WHERE chunks_fts MATCH ? AND chunks.doc_id = ?", [marker, doc_id]).fetchone()[0] == holding
            files = sorted((ws_dir / "files" / doc_id[:16]).iterdir())
            assert [f.name for f in files] == [f"page-{i:04d}.txt" for i in range(1, page_count + 1)]
            stored[marker] = doc_id
        folders = sorted(p.name for p in (ws_dir / "files").iterdir())
        assert folders == sorted(doc_id[:16] for doc_id in stored.values())
        return stored
    finally:
        connection.close()


class WorkerKiller:
    """Kills, once, a worker process that has been busy for ``after`` seconds.

    ``WorkerKiller("prepare_on_worker")``: a Ray worker running that task (Ray titles a worker
    ``ray::FUNCTION`` while it runs one); ``WorkerKiller(None)``: a process pool worker spawned by
    this process while a worker holds a file (its ``lcagent-worker-*`` folder exists).
    """

    def __init__(self, task: str | None, after: float = 0.5, timeout: float = 120.0) -> None:
        self.title = f"ray::{task}".encode() if task else None
        self.after, self.timeout = after, timeout
        self.killed: int | None = None
        self._thread = threading.Thread(target=self._hunt, daemon=True)

    def __enter__(self) -> "WorkerKiller":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._thread.join()

    def _busy(self) -> list[int]:
        if self.title:
            return [pid for pid in _pids() if _cmdline(pid).startswith(self.title)]
        if not list(Path(tempfile.gettempdir()).glob("lcagent-worker-*")):
            return []
        return [pid for pid in _pids() if _parent(pid) == os.getpid() and b"spawn_main" in _cmdline(pid)]

    def _hunt(self) -> None:
        deadline = time.monotonic() + self.timeout
        seen: dict[int, float] = {}
        while time.monotonic() < deadline:
            now = time.monotonic()
            busy = self._busy()
            for pid in busy:
                first = seen.setdefault(pid, now)
                if now - first >= self.after and pid in self._busy():  # still mid-task
                    os.kill(pid, signal.SIGKILL)
                    self.killed = pid
                    return
            for pid in [pid for pid in seen if pid not in busy]:
                seen.pop(pid)  # finished its task: time the next one afresh
            time.sleep(0.05)


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
