"""A long PDF read by several processes: forked when the reader runs no other thread, fresh
light interpreters when it does; the same pages either way, and a dead worker is an error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lcagent.loaders.base import IngestError
from lcagent.loaders.pdf import PdfLoader
from lcagent.pdfgen import render_text_pdf

PAGES = 240


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    pages = [f"Page {n}\nThe keeper of light {n} logged {n * 3} storms.\nRevenue {n},{n:03d} 1,2{n:02d}" for n in range(PAGES)]
    return render_text_pdf(pages, folder / "long.pdf", page_labels=[(0, "r", ""), (4, "D", "")])


def load(path: Path, workers: str, monkeypatch) -> list[tuple[str, str]]:
    monkeypatch.setenv("LCAGENT_PDF_WORKERS", workers)
    return [(page.label, page.text) for page in PdfLoader().load(path).pages]


FORKED = """
import json, sys, threading
from pathlib import Path
from lcagent.loaders.pdf import PdfLoader
assert threading.active_count() == 1  # so the loader forks
print(json.dumps([[page.label, page.text] for page in PdfLoader().load(Path(sys.argv[1])).pages]))
"""


def test_forked_workers_read_the_same_pages_as_one_process(long_pdf, monkeypatch):
    one = load(long_pdf, "1", monkeypatch)
    assert len(one) == PAGES and one[4][0] == "1" and "keeper of light 4 " in one[4][1]
    # a fresh interpreter runs no other thread (this one may: servers and pools of earlier tests)
    env = {**os.environ, "LCAGENT_PDF_WORKERS": "2"}
    done = subprocess.run([sys.executable, "-c", FORKED, str(long_pdf)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert [tuple(page) for page in json.loads(done.stdout)] == one


def test_light_workers_read_the_same_pages_while_another_thread_runs(long_pdf, monkeypatch):
    one = load(long_pdf, "1", monkeypatch)
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)  # like the CLI's progress bar: forking is unsafe now
    busy.start()
    try:
        assert load(long_pdf, "3", monkeypatch) == one
    finally:
        stop.set()
        busy.join()


def test_a_killed_light_worker_is_a_one_line_error(tmp_path, monkeypatch):
    pages = [f"Page {n} " + "words on a long page " * 200 for n in range(3000)]
    path = render_text_pdf(pages, tmp_path / "slow.pdf")
    monkeypatch.setenv("LCAGENT_PDF_WORKERS", "2")
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)
    busy.start()
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for pid in _children(os.getpid()):
                if b"lcagent.loaders.pdf_worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    time.sleep(0.3)  # let it start a range
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        with pytest.raises(IngestError, match=r"extraction process died reading pages \d+-\d+"):
            PdfLoader().load(path)
    finally:
        killer.join()
        stop.set()
        busy.join()
    assert killed
    assert not [pid for pid in _children(os.getpid()) if pid in killed]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found
