"""Rows of the workspace database <-> the typed records of ``lcagent.records``."""

from __future__ import annotations

from lcagent.records import Chunk, Document, Page


def document_row(document: Document) -> dict:
    return {
        "id": document.id,
        "name": document.name,
        "path": document.path,
        "kind": document.kind,
        "bytes": document.bytes,
        "pages": document.pages,
        "tokens": document.tokens,
        "chunks": document.chunks,
        "title": document.title,
        "version": document.version,
        "ingested_at": document.ingested_at,
    }


def document_from_row(row: dict) -> Document:
    return Document(
        id=row["id"],
        name=row["name"],
        path=row["path"],
        kind=row["kind"],
        bytes=row["bytes"],
        pages=row["pages"],
        tokens=row["tokens"],
        chunks=row["chunks"],
        ingested_at=row["ingested_at"],
        title=row["title"],
        version=row["version"],
    )


def page_from_row(row: dict) -> Page:
    return Page(
        doc_id=row["doc_id"],
        index=row["idx"],
        label=row["label"],
        text=row["text"],
        char_start=row["char_start"],
        line_start=row["line_start"],
    )


def chunk_from_row(row: dict) -> Chunk:
    return Chunk(
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        char_start=row["char_start"],
        char_end=row["char_end"],
        page_start=row["page_start"],
        page_end=row["page_end"],
        line_start=row["line_start"],
        line_end=row["line_end"],
        tokens=row["tokens"],
        text=row["text"],
    )
