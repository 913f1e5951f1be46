"""SIGKILL `lcagent ingest` at random points (seeded), 20 times: nothing is ever half-written.

Half the kills land at a random moment of the whole command, half inside the write phase
(after its staging folder appears). After each kill the next command (`lcagent docs`) runs,
and then every stored document has all its pages, chunks, index rows and page files, no
staging folder is left, and SQLite's and FTS5's integrity checks pass. (--no-embed: the write
phase is under test here; interrupted embedding is tested in tests/retrieval.)
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(900)  # about 1.5 min on 2 idle cores; never hang CI

SEED = 20240613
ATTEMPTS = 20
PAGES = 120  # about 0.7 MB: the write phase is long enough to be hit, the test stays short


def write_book(path: Path, attempt: int) -> str:
    """A new text each attempt (a new version of the same file); ``marker`` is on every page."""
    marker = f"crashmarker{attempt}x"
    rng = random.Random(attempt)
    words = ["keeper", "lantern", "storm", "gallery", "tide", "harbour", "signal", "beacon", "fog", "rock"]
    pages = []
    for number in range(1, PAGES + 1):
        lines = [f"Page {number} of attempt {attempt}: {marker}."]
        lines += [" ".join(rng.choice(words) for _ in range(14)) + "." for _ in range(60)]
        pages.append("\n".join(lines))
    path.write_text("\f".join(pages), encoding="utf-8")
    return marker


def lcagent(*argv: str) -> subprocess.Popen:
    # Dense embedding (LCAGENT_EMBED_LIMIT) runs after the commit and is resumable; off here, it
    # would only slow the test down.
    return subprocess.Popen([sys.executable, "-m", "lcagent", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "LCAGENT_EMBED_LIMIT": "0"})


def staging(files_root: Path, pid: int) -> list[Path]:
    try:
        return [p for p in files_root.iterdir() if p.name.startswith(f".tmp-{pid}-")]
    except FileNotFoundError:
        return []


def ingest_timings(book: Path, ws_dir: Path) -> tuple[float, float, float]:
    """(seconds to the staging folder, seconds it exists, whole command) of one complete ingest."""
    started = time.monotonic()
    process = lcagent("ingest", str(book), "--no-embed", "-w", str(ws_dir))
    appeared = gone = None
    while process.poll() is None:
        now_staged = staging(ws_dir / "files", process.pid)
        if now_staged and appeared is None:
            appeared = time.monotonic()
        if not now_staged and appeared is not None and gone is None:
            gone = time.monotonic()
        time.sleep(0.002)
    assert process.returncode == 0, process.stderr.read()
    finished = time.monotonic()
    appeared = appeared or finished
    return appeared - started, (gone or finished) - appeared, finished - started


def assert_nothing_half_written(ws_dir: Path, markers: dict[str, str]) -> int:
    """Every document row is whole; returns how many documents there are."""
    connection = sqlite3.connect(ws_dir / "workspace.db")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for index in ("chunks_fts", "pages_trigram"):  # the index matches its content table
            connection.execute(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
        documents = connection.execute("SELECT id, pages, chunks, path FROM documents").fetchall()
        for doc_id, page_count, chunk_count, path in documents:
            pages = connection.execute("SELECT idx, text FROM pages WHERE doc_id = ? ORDER BY idx", [doc_id]).fetchall()
            assert [idx for idx, _ in pages] == list(range(1, page_count + 1))
            chunks = connection.execute("SELECT count(*) FROM chunks WHERE doc_id = ?", [doc_id]).fetchone()[0]
            assert chunks == chunk_count > 0
            marker = markers[doc_id]
            indexed = connection.execute(
                "SELECT count(DISTINCT chunks.page_start) FROM chunks_fts JOIN chunks ON chunks.id = chunks_fts.rowid "
                "WHERE chunks_fts MATCH ? AND chunks.doc_id = ?", [marker, doc_id]).fetchone()[0]
            assert indexed > page_count // 2  # nearly every page starts a chunk holding the marker
            trigram = connection.execute(
                "SELECT count(*) FROM pages_trigram JOIN pages ON pages.id = pages_trigram.rowid "
                "WHERE pages_trigram MATCH ? AND pages.doc_id = ?", [f'"{marker}"', doc_id]).fetchone()[0]
            assert trigram == page_count
            files = sorted((ws_dir / "files" / doc_id[:16]).iterdir())
            assert [f.name for f in files] == [f"page-{i:04d}.txt" for i in range(1, page_count + 1)]
            assert all(f.read_text(encoding="utf-8") == text for f, (_, text) in zip(files, pages))
            assert connection.execute("SELECT path FROM document_paths WHERE doc_id = ?", [doc_id]).fetchall() == [(path,)]
        folders = sorted(p.name for p in (ws_dir / "files").iterdir())
        assert folders == sorted(doc_id[:16] for doc_id, *_ in documents)  # no staging, no orphan
        return len(documents)
    finally:
        connection.close()


def test_sigkill_at_random_points_never_leaves_half_a_document(tmp_path):
    rng = random.Random(SEED)
    ws_dir = tmp_path / "ws"
    book = tmp_path / "book.txt"
    markers: dict[str, str] = {}

    def remember(marker: str) -> None:
        import hashlib

        markers[hashlib.sha256(book.read_bytes()).hexdigest()] = marker

    remember(write_book(book, 0))
    to_staging, staged_for, whole = ingest_timings(book, ws_dir)
    killed_while_writing = 0
    for attempt in range(1, ATTEMPTS + 1):
        remember(write_book(book, attempt))
        process = lcagent("ingest", str(book), "--no-embed", "-w", str(ws_dir))
        if attempt % 2:  # anywhere in the command's life
            time.sleep(rng.uniform(0, whole * 1.1))
        else:  # inside the write phase: wait for the staging folder, then a random part of its life
            deadline = time.monotonic() + whole * 3
            while not staging(ws_dir / "files", process.pid) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, staged_for))
        if staging(ws_dir / "files", process.pid):
            killed_while_writing += 1
        process.kill()
        process.wait(timeout=30)
        after = lcagent("docs", "--json", "-w", str(ws_dir))  # the next command
        out, err = after.communicate(timeout=120)
        assert after.returncode == 0, err
        assert len(json.loads(out)) >= 1
        assert assert_nothing_half_written(ws_dir, markers) >= 1

    print(f"crash test: {ATTEMPTS} kills, {killed_while_writing} inside the write phase; a whole ingest took "
          f"{whole:.2f} s, its staging folder lived {staged_for:.2f} s")
    assert killed_while_writing >= ATTEMPTS // 4, f"only {killed_while_writing} kills landed in the write phase"
    finish = lcagent("ingest", str(book), "--no-embed", "-w", str(ws_dir), "--json")  # the killed file ingests cleanly
    out, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, err
    assert json.loads(out)["ingested"][0]["status"] in {"new version", "unchanged"}
    assert assert_nothing_half_written(ws_dir, markers) >= 2
