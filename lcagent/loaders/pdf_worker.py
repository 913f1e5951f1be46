"""Page-range extraction in separate processes that start light: a fresh interpreter that
imports only the loaders.

A process that runs other threads (the CLI's progress bar) cannot fork safely, and
multiprocessing's spawn re-imports the parent's main module in every child: for the
``lcagent`` command that is the whole CLI, seconds on a busy machine. These workers import
only the loaders and take page ranges one at a time over a pipe, so a worker slowed by other
work on its core takes fewer ranges.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

PageRange = tuple[int, int]


class WorkerDied(RuntimeError):
    """A worker process ended without answering (PDFium crashed on a page, or it was killed)."""


def extract_in_workers(path: str, password: str | None, ranges: list[PageRange], workers: int) -> list[Any]:
    """The result of ``_extract_worker(path, password, start, stop)`` for each range, in order."""
    todo: queue.Queue[tuple[int, PageRange]] = queue.Queue()
    for position, page_range in enumerate(ranges):
        todo.put((position, page_range))
    results: list[Any] = [None] * len(ranges)
    failures: list[BaseException] = []
    processes: list[_Worker] = []
    finished = False
    try:
        processes += [_Worker() for _ in range(min(workers, len(ranges)))]
        threads = [threading.Thread(target=_serve, args=(worker, path, password, todo, results, failures.append),
                                    daemon=True) for worker in processes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        finished = True
    finally:
        for worker in processes:  # interrupted (Ctrl-C): stop at once, not after the range in hand
            worker.stop(kill=not finished)
    if failures:
        raise failures[0]
    return results


def _serve(worker: "_Worker", path: str, password: str | None, todo: queue.Queue, results: list,
           fail: Callable[[BaseException], None]) -> None:
    while True:
        try:
            position, (start, stop) = todo.get_nowait()
        except queue.Empty:
            return
        try:
            worker.requests.send((path, password, start, stop))
            ok, value = worker.results.recv()
        except (EOFError, OSError):
            fail(WorkerDied(f"the extraction process died reading pages {start + 1}-{stop}"))
            return
        if not ok:
            fail(value)
            return
        results[position] = value


class _Worker:
    def __init__(self) -> None:
        request_read, request_write = os.pipe()
        result_read, result_write = os.pipe()
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(request_read), str(result_write)],
            pass_fds=(request_read, result_write), stdin=subprocess.DEVNULL, env=env,
        )
        os.close(request_read)
        os.close(result_write)
        self.requests = Connection(request_write, readable=False)
        self.results = Connection(result_read, writable=False)

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.requests.send(None)
            except OSError:
                pass
        self.requests.close()
        self.results.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The current directory is not searched: a file there named like a module must not be imported.
_CHILD = ("import sys; del sys.path[0]; from lcagent.loaders.pdf_worker import _main; "
          "_main(int(sys.argv[1]), int(sys.argv[2]))")


def _main(request_fd: int, result_fd: int) -> None:
    import signal

    from lcagent.loaders.pdf import _extract_worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops this process

    requests = Connection(request_fd, writable=False)
    results = Connection(result_fd, readable=False)
    while True:
        try:
            request = requests.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            results.send((True, _extract_worker(*request)))
        except Exception as error:  # sent back whole: the parent raises it as if it ran there
            results.send((False, error))
