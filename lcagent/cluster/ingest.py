"""Ingest many files on a worker pool: workers extract, chunk and embed; the driver stores.

The driver hashes each file (known bytes are a lookup, as in ``ingest_file``) and sends the
bytes of new ones to a worker, so workers on other machines need no shared disk. Each
document is written by the driver with ``Workspace.add_document``, all of it or nothing, so a
worker that dies mid-file leaves nothing behind: Ray runs that file again on another worker,
and a file whose worker keeps dying is reported, not stored.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from lcagent.chunking import ChunkSettings
from lcagent.cluster.pools import WorkerLost, WorkerPool
from lcagent.ingest import IngestResult, PreparedDocument, PreparedVectors, known_document, prepare_file, store_prepared
from lcagent.loaders.base import IngestError
from lcagent.memory.workspace import Workspace


@dataclass(frozen=True)
class FileTask:
    """What a worker needs to prepare one file: the bytes travel with it."""

    recorded_path: str  # the path the workspace records (the driver's)
    doc_id: str  # sha256 of ``content``
    content: bytes
    password: str | None
    settings: ChunkSettings
    embed_limit: int | None  # embed documents with at most this many chunks; None: embed nothing


@dataclass(frozen=True)
class FileOutcome:
    """One file's fate: stored (``result``) or not (``error``, one line)."""

    path: Path
    result: IngestResult | None = None
    error: str | None = None
    worker_seconds: float = 0.0  # what the worker spent preparing it
    worker_cpu_seconds: float = 0.0  # of that, CPU time (on a busy machine, wall time is mostly waiting)
    store_seconds: float = 0.0  # what the driver spent writing it: the driver is one writer for all workers
    store_cpu_seconds: float = 0.0


def ingest_on_pool(workspace: Workspace, files: Iterable[Path], pool: WorkerPool, *, password: str | None = None,
                   settings: ChunkSettings = ChunkSettings(), embed_limit: int | None = None,
                   on_start: Callable[[Path], None] | None = None) -> Iterator[FileOutcome]:
    """Ingest ``files`` with ``pool``'s workers; one outcome per file, as each is stored or fails.

    ``embed_limit``: workers embed documents of at most this many chunks (as ``lcagent ingest``
    does at ingest); None embeds nothing. ``on_start`` is told when a file is sent to a worker.
    """
    known: list[FileOutcome] = []

    def tasks() -> Iterator[FileTask]:
        for path in files:
            path = Path(path).expanduser().resolve()
            started = time.perf_counter()
            try:
                content = path.read_bytes()
            except OSError as error:
                known.append(FileOutcome(path, error=f"{path}: cannot read it ({error.strerror}); check its permissions"))
                continue
            doc_id = hashlib.sha256(content).hexdigest()
            stored = known_document(workspace, doc_id, path, started)
            if stored:
                known.append(FileOutcome(path, result=stored))
                continue
            if on_start:
                on_start(path)
            yield FileTask(str(path), doc_id, content, password, settings, embed_limit)

    for task, outcome in pool.run(prepare_on_worker, tasks()):
        yield from _drain(known)
        path = Path(task.recorded_path)
        if isinstance(outcome, PreparedDocument):
            started, started_cpu = time.perf_counter(), time.thread_time()
            result = store_prepared(workspace, outcome)
            yield FileOutcome(path, result=result, worker_seconds=outcome.seconds, worker_cpu_seconds=outcome.cpu_seconds,
                              store_seconds=time.perf_counter() - started,
                              store_cpu_seconds=time.thread_time() - started_cpu)
        elif isinstance(outcome, IngestError):
            yield FileOutcome(path, error=str(outcome))
        elif isinstance(outcome, WorkerLost):
            yield FileOutcome(path, error=f"{path}: the worker reading it died ({outcome}); nothing of it was "
                                          "stored: ingest it again, alone, to retry or see the error")
        else:  # a bug in lcagent, not a property of the file: stop and show it
            raise outcome
    yield from _drain(known)


def _drain(known: list[FileOutcome]) -> Iterator[FileOutcome]:
    while known:
        yield known.pop(0)


def prepare_on_worker(task: FileTask) -> PreparedDocument:
    """Runs on a worker: pages, chunks, tables and (within the limit) vectors of one file."""
    # One file per worker, one core per file: the pool supplies the parallelism.
    os.environ["LCAGENT_PDF_WORKERS"] = "1"
    os.environ["LCAGENT_INGEST_THREADS"] = "1"
    started, started_cpu = time.perf_counter(), _cpu_seconds()
    _sweep_dead_copies()
    recorded = Path(task.recorded_path)
    with tempfile.TemporaryDirectory(prefix=f"{COPY_PREFIX}{os.getpid()}-") as folder:
        copy = Path(folder) / (recorded.name or "document")
        copy.write_bytes(task.content)
        prepared = prepare_file(copy, task.doc_id, recorded_path=recorded, password=task.password,
                                settings=task.settings)
    if task.embed_limit is not None:
        prepared = _embedded(prepared, task.embed_limit)
    return replace(prepared, seconds=time.perf_counter() - started, cpu_seconds=_cpu_seconds() - started_cpu)


def _cpu_seconds() -> float:
    """CPU seconds of this process and the children it waited for (PDF extraction workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


COPY_PREFIX = "lcagent-worker-"
_swept = False


def _sweep_dead_copies() -> None:
    """Remove file copies left by workers of this machine that were killed mid-file (once per worker)."""
    global _swept
    if _swept:
        return
    _swept = True
    for folder in Path(tempfile.gettempdir()).glob(f"{COPY_PREFIX}*-*"):
        owner = folder.name[len(COPY_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _embedded(prepared: PreparedDocument, limit: int) -> PreparedDocument:
    from lcagent.retrieval.embeddings import EmbeddingUnavailable, unavailable_reason
    from lcagent.retrieval.indexing import embed_chunks

    chunks = prepared.new.chunks
    if len(chunks) > limit:
        return replace(prepared, embed_skipped=f"{len(chunks):,} chunks to embed is over the ingest limit of "
                       f"{limit:,}; run `lcagent embed DOCUMENT` to embed them (it can be interrupted and resumed)")
    reason = unavailable_reason()
    if reason:
        return replace(prepared, embed_skipped=reason)
    started = time.perf_counter()
    try:
        embedder = _worker_embedder()
        rows = embed_chunks(embedder, chunks)
    except EmbeddingUnavailable as problem:
        return replace(prepared, embed_skipped=str(problem))
    return replace(prepared, vectors=PreparedVectors(embedder.model_tag, rows, time.perf_counter() - started))


_EMBEDDER = None


def _worker_embedder():
    """One embedder per worker process, loaded on its first file (one thread: a worker has one core)."""
    global _EMBEDDER
    if _EMBEDDER is None:
        from lcagent.retrieval.embeddings import MiniLMEmbedder

        _EMBEDDER = MiniLMEmbedder(threads=1).load()
    return _EMBEDDER
