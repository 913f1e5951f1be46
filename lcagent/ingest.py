"""Ingest: file bytes -> pages -> chunks -> one atomic write into the workspace.

Documents are keyed by the sha256 of their bytes, so re-ingesting the same file is a
lookup, not a re-parse; the same bytes under another name become another name of the same
document.
"""

from __future__ import annotations

import datetime as _dt
import glob
import hashlib
import os
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Literal

from lcagent.chunking import ChunkSettings
from lcagent.loaders.base import IngestError
from lcagent.loaders.registry import load_document, supported_suffixes
from lcagent.memory.vectors import ChunkVector
from lcagent.memory.workspace import NewDocument, Workspace
from lcagent.parallel_tokens import chunk_document, document_boundaries
from lcagent.records import Document, Page, Table
from lcagent.tokens import get_encoding

if TYPE_CHECKING:
    from lcagent.retrieval.indexing import EmbedOptions, EmbedReport

# unchanged: these bytes were ingested from this path before; already ingested: from another path
Status = Literal["new", "new version", "unchanged", "already ingested"]
ProgressFn = Callable[[str], None]


@dataclass(frozen=True)
class IngestResult:
    document: Document
    status: Status
    seconds: float
    warnings: list[str] = field(default_factory=list)
    embedding: "EmbedReport | None" = None  # what embedding did after storing (None: not asked)


def refuse_control_characters(raw: str) -> None:
    """Names with control characters could spoof terminal output; refuse them."""
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise IngestError(
            f"file name {raw.encode('unicode_escape').decode()!r} contains control characters; rename the file"
        )


def check_path_argument(raw: str) -> None:
    """Check a path the user typed (CLI, Python API): refuse names that could spoof terminal output.

    A user may ingest any file they can read, by any path, '..' included: the current
    directory is no boundary for them. Paths from a model or a remote client are another
    matter; those go through ``lcagent.integrations.sandbox.AllowedDirs`` instead.
    """
    refuse_control_characters(raw)


def expand_paths(arguments: Iterable[str]) -> list[Path]:
    """Files named by paths, directories (recursively, supported types only) and globs.

    A name that exists is that file even if it holds glob characters ("report[1].txt");
    only a name that does not exist is expanded as a pattern.
    """
    files: list[Path] = []
    suffixes = set(supported_suffixes())
    for raw in arguments:
        check_path_argument(raw)
        is_pattern = glob.has_magic(raw) and not os.path.lexists(os.path.expanduser(raw))
        matches = sorted(glob.glob(os.path.expanduser(raw), recursive=True)) if is_pattern else [raw]
        if not matches:
            raise IngestError(f"no files match {raw!r}; check the pattern (quote it so your shell does not expand it)")
        for match in matches:
            path = Path(match).expanduser()
            if path.is_dir():
                found = sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in suffixes and not p.is_symlink()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
                if not found:
                    linked = [p for p in path.rglob("*") if p.is_symlink() and p.suffix.lower() in suffixes]
                    if linked:
                        # links inside a folder are not followed (they may lead out of it, or in circles)
                        raise IngestError(
                            f"directory {path} holds only symbolic links to supported files ({len(linked)}, e.g. "
                            f"{linked[0].name}); links inside a folder are not followed: pass them directly "
                            f"({path}/*{linked[0].suffix}) or copy the files"
                        )
                    raise IngestError(
                        f"directory {path} has no supported files ({', '.join(sorted(suffixes))}); "
                        "pass the files directly or convert them"
                    )
                files.extend(found)
            elif path.exists():
                files.append(path)
            else:
                raise IngestError(f"{raw} does not exist; check the path")
    # same file named twice: ingest once
    return list(dict.fromkeys(p.resolve() for p in files))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class PreparedVectors:
    """Vectors a worker computed for a prepared document (``model``: the embedder's tag)."""

    model: str
    rows: list[ChunkVector]
    seconds: float


@dataclass(frozen=True)
class PreparedDocument:
    """A file read into pages, chunks and tables, nothing stored yet: what ``prepare_file``
    computes without a workspace, so another process or machine can compute it."""

    new: NewDocument
    tables: list[Table] = field(default_factory=list)
    vectors: PreparedVectors | None = None
    # why the worker embedded nothing although asked to (over the limit, extra not installed)
    embed_skipped: str | None = None
    seconds: float = 0.0  # what preparing took (reading, chunking, embedding)
    cpu_seconds: float = 0.0  # of that, CPU time of the preparing process (and its extraction workers)


def ingest_file(
    workspace: Workspace,
    path: Path | str,
    *,
    password: str | None = None,
    settings: ChunkSettings = ChunkSettings(),
    progress: ProgressFn | None = None,
    embed: "EmbedOptions | None" = None,
) -> IngestResult:
    """Ingest one file. Raises IngestError (nothing stored) for bad input.

    ``embed``: also embed the document's chunks for hybrid search (``lcagent.retrieval``),
    completing what an earlier, interrupted or skipped, run left.
    """
    started = time.perf_counter()
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise IngestError(f"{path} does not exist; check the path")
    if not path.is_file():
        raise IngestError(f"{path} is not a regular file")
    try:
        doc_id = file_sha256(path)
    except OSError as error:
        raise IngestError(f"{path}: cannot read it ({error.strerror}); check its permissions") from None
    existing = known_document(workspace, doc_id, path, started)
    if existing:
        return _embedded(workspace, existing, embed)
    prepared = prepare_file(path, doc_id, password=password, settings=settings, progress=progress)
    (progress or (lambda _message: None))("indexing")
    return _embedded(workspace, store_prepared(workspace, prepared, started=started), embed)


def known_document(workspace: Workspace, doc_id: str, path: Path, started: float) -> IngestResult | None:
    """The result for bytes stored before (recording ``path`` as one of their names), else None."""
    existing = workspace.get(doc_id)
    if not existing:
        return None
    status: Status = "unchanged" if workspace.add_path(doc_id, path) else "already ingested"
    return IngestResult(existing, status, time.perf_counter() - started, workspace.warnings(doc_id))


def prepare_file(
    path: Path,
    doc_id: str,
    *,
    recorded_path: Path | None = None,
    password: str | None = None,
    settings: ChunkSettings = ChunkSettings(),
    progress: ProgressFn | None = None,
) -> PreparedDocument:
    """Read ``path`` into pages, chunks and tables for document ``doc_id`` (the sha256 of its bytes).

    ``recorded_path``: the path the workspace records (default ``path``); a cluster worker reads
    a copy of the bytes under another name. Raises IngestError for bad input.
    """
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    recorded = recorded_path or path
    say("extracting text")
    loaded = load_document(path, password=password)
    if not loaded.pages:
        raise IngestError(f"{recorded.name} has no pages; nothing to ingest")
    say("chunking")
    page_texts = [page.text.rstrip("\n") for page in loaded.pages]
    pages: list[Page] = []
    char_start, line_start = 0, 1
    for index, (source, text) in enumerate(zip(loaded.pages, page_texts), start=1):
        pages.append(Page(doc_id, index, source.label or str(index), text, char_start, line_start))
        char_start += len(text) + 1  # pages are joined by one "\n"
        line_start += text.count("\n") + 1
    document_text = "\n".join(page_texts)
    encoding = get_encoding()
    bounds = document_boundaries(page_texts, encoding)
    chunks = chunk_document(document_text, encoding, settings, doc_id=doc_id,
                            page_starts=[p.char_start for p in pages], bounds=bounds)
    document = Document(
        id=doc_id,
        name=recorded.name,
        path=str(recorded),
        kind=loaded.kind,
        bytes=path.stat().st_size,
        pages=len(pages),
        tokens=bounds.n_tokens,
        chunks=len(chunks),
        ingested_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        title=loaded.title,
    )
    return PreparedDocument(NewDocument(document, pages, chunks, list(loaded.warnings)), list(loaded.tables),
                            seconds=time.perf_counter() - started)


def store_prepared(workspace: Workspace, prepared: PreparedDocument, *, started: float | None = None) -> IngestResult:
    """Write a prepared document: the document atomically (``Workspace.add_document``), then its
    tables and any vectors a worker computed. The same bytes stored meanwhile by another
    process are reported as such and left as they are. ``started``: when the caller began
    (default: now, counting the time the preparing took too)."""
    started = time.perf_counter() - prepared.seconds if started is None else started
    doc_id = prepared.new.document.id
    stored = workspace.add_document(prepared.new)
    warnings = list(prepared.new.warnings)
    if prepared.tables:  # idempotent: a concurrent ingest of the same bytes stores the same rows
        workspace.tables.replace(doc_id, prepared.tables)
    embedding = None
    if stored.created:
        status: Status = "new version" if stored.document.version > 1 else "new"
        embedding = _store_vectors(workspace, prepared)
    else:  # another process stored the same bytes while this one parsed them
        status = "unchanged" if stored.known_path else "already ingested"
        warnings = workspace.warnings(doc_id)
    return IngestResult(stored.document, status, time.perf_counter() - started, warnings, embedding)


def _store_vectors(workspace: Workspace, prepared: PreparedDocument) -> "EmbedReport | None":
    from lcagent.retrieval.indexing import EmbedReport

    document = prepared.new.document
    vectors = prepared.vectors
    if vectors is None:
        if prepared.embed_skipped is None:
            return None
        return EmbedReport(document.id, "", 0, 0, document.chunks, 0, 0.0, skipped=prepared.embed_skipped)
    with workspace.transaction():
        workspace.vectors.add(document.id, vectors.model, vectors.rows)
    embedded = len({row.chunk_ordinal for row in vectors.rows})
    return EmbedReport(document.id, vectors.model, embedded, 0, document.chunks - embedded, len(vectors.rows),
                       vectors.seconds)


def _embedded(workspace: Workspace, result: IngestResult, embed: "EmbedOptions | None") -> IngestResult:
    if embed is None:
        return result
    from lcagent.retrieval.indexing import embed_after_ingest

    return replace(result, embedding=embed_after_ingest(workspace, result.document.id, embed))
