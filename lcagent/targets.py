"""What a question is asked of: files, folders, globs, stored documents, a tag, or everything.

New or changed files are ingested first (each reported through ``progress``); names that are not
files are looked up in the workspace (id, id prefix, name or path).
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Callable, Sequence

from lcagent.agents.base import Progress
from lcagent.ingest import check_path_argument, expand_paths, ingest_file
from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.records import Document


def resolve_targets(workspace: Workspace, targets: str | Path | Sequence[str | Path] | None, *,
                    tag: str | None = None, all_documents: bool = False, password: str | None = None,
                    progress: Callable[[Progress], None] | None = None, ingest: bool = True,
                    embed: bool = True) -> list[Document]:
    """The documents named by ``targets`` (files, folders, globs, stored names), plus those tagged
    ``tag``, or every document with ``all_documents``; deduplicated, in the order given.

    With ``ingest`` False (names from a model or another agent) only stored documents are found:
    nothing is read from the filesystem. ``embed``: new documents get their vectors for hybrid
    search as ``lcagent ingest`` gives them (up to its chunk limit)."""
    items = [] if targets is None else [targets] if isinstance(targets, (str, Path)) else list(targets)
    found: dict[str, Document] = {}
    for item in items:
        for document in _resolve_one(workspace, str(item), password=password, progress=progress, ingest=ingest,
                                     embed=embed):
            found.setdefault(document.id, document)
    if tag:
        ids = workspace.tags.documents(tag)
        if not ids:
            raise WorkspaceError(f"no document is tagged {tag!r}; tag some with `lcagent ingest FILES --tag {tag}`")
        for doc_id in ids:
            found.setdefault(doc_id, workspace.get(doc_id))
    if all_documents:
        for document in workspace.documents():
            found.setdefault(document.id, document)
    if not found:
        hint = "pass files, a folder, a glob, document ids, --tag TAG or --all"
        if all_documents:
            raise WorkspaceError(f"the workspace {workspace.location} holds no documents; ingest some with `lcagent ingest`")
        raise WorkspaceError(f"no document given; {hint}")
    return list(found.values())


def _resolve_one(workspace: Workspace, raw: str, *, password, progress, ingest: bool, embed: bool) -> list[Document]:
    path = Path(raw).expanduser()
    is_pattern = glob.has_magic(raw) and not os.path.lexists(os.path.expanduser(raw))
    if ingest and (path.is_file() or path.is_dir() or is_pattern):
        files = expand_paths([raw]) if (path.is_dir() or is_pattern) else [path]
        if not files:
            raise WorkspaceError(f"{raw}: no documents lcagent can read there (PDF, text, Markdown, HTML)")
        documents = []
        for number, file in enumerate(files, start=1):
            check_path_argument(str(file))
            if progress:
                progress(Progress("ingest", file.name, number, len(files)))
            options = _embed_options(file.name, progress) if embed else None
            step = (lambda stage, name=file.name: progress(Progress("ingest", f"{name}: {stage}", number, len(files)))) \
                if progress else None
            result = ingest_file(workspace, file, password=password, embed=options, progress=step)
            skipped = result.embedding.skipped if result.embedding else None
            if progress and skipped:
                progress(Progress("note", f"{file.name}: searched without embeddings ({skipped})"))
            documents.append(result.document)
        return documents
    return [workspace.resolve(raw)]


def _embed_options(name: str, progress):
    """Embedding for a document asked about as it is ingested (up to ``ASK_EMBED_LIMIT`` chunks), or
    None when the embed extra is not installed."""
    try:
        from lcagent.retrieval.indexing import ASK_EMBED_LIMIT, EmbedOptions
    except ImportError:
        return None

    def tell(event) -> None:
        if progress and event.total:
            progress(Progress("embed", name, event.done, event.total))
    return EmbedOptions(limit=ASK_EMBED_LIMIT, progress=tell)
