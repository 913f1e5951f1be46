"""Fixtures for retrieval tests: the real embedder (loaded once) and small stored documents."""

from __future__ import annotations

import pytest

from lcagent.chunking import ChunkSettings
from lcagent.ingest import ingest_file
from lcagent.retrieval.embeddings import HashingEmbedder


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def store_text(workspace, tmp_path):
    """Ingest pages (form-feed separated) as a text document chunked small; returns the Document."""

    def store(pages: list[str], name: str = "doc.txt", size: int = 64, overlap: int = 8):
        path = tmp_path / name
        path.write_text("\f".join(pages), encoding="utf-8")
        return ingest_file(workspace, path, settings=ChunkSettings(size, overlap)).document

    return store
