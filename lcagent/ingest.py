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

from lcagent.chunking import ChunkSettings, TokenBoundaries, chunk_text
from lcagent.loaders.base import IngestError
from lcagent.loaders.registry import load_document, supported_suffixes
from lcagent.memory.tables import TableStore
from lcagent.memory.workspace import NewDocument, Workspace
from lcagent.records import Document, Page
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
    say = progress or (lambda _message: None)
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise IngestError(f"{path} does not exist; check the path")
    if not path.is_file():
        raise IngestError(f"{path} is not a regular file")
    try:
        doc_id = file_sha256(path)
    except OSError as error:
        raise IngestError(f"{path}: cannot read it ({error.strerror}); check its permissions") from None
    existing = workspace.get(doc_id)
    if existing:
        status: Status = "unchanged" if workspace.add_path(doc_id, path) else "already ingested"
        return _embedded(workspace, IngestResult(existing, status, time.perf_counter() - started,
                                                 workspace.warnings(doc_id)), embed)

    say("extracting text")
    loaded = load_document(path, password=password)
    if not loaded.pages:
        raise IngestError(f"{path.name} has no pages; nothing to ingest")
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
    bounds = TokenBoundaries(document_text, encoding)
    chunks = chunk_text(
        document_text, encoding, settings, doc_id=doc_id, page_starts=[p.char_start for p in pages], bounds=bounds
    )
    warnings = list(loaded.warnings)
    document = Document(
        id=doc_id,
        name=path.name,
        path=str(path),
        kind=loaded.kind,
        bytes=path.stat().st_size,
        pages=len(pages),
        tokens=bounds.n_tokens,
        chunks=len(chunks),
        ingested_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        title=loaded.title,
    )
    say("indexing")
    stored = workspace.add_document(NewDocument(document, pages, chunks, warnings))
    if loaded.tables:  # idempotent: a concurrent ingest of the same bytes stores the same rows
        TableStore(workspace.db).replace(doc_id, loaded.tables)
    if stored.created:
        status = "new version" if stored.document.version > 1 else "new"
    else:  # another process stored the same bytes while this one parsed them
        status = "unchanged" if stored.known_path else "already ingested"
        warnings = workspace.warnings(doc_id)
    return _embedded(workspace, IngestResult(stored.document, status, time.perf_counter() - started, warnings), embed)


def _embedded(workspace: Workspace, result: IngestResult, embed: "EmbedOptions | None") -> IngestResult:
    if embed is None:
        return result
    from lcagent.retrieval.indexing import embed_after_ingest

    return replace(result, embedding=embed_after_ingest(workspace, result.document.id, embed))
