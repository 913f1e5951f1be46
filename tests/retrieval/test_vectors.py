"""The vector store on both backends: int8 storage, model tags, per-chunk top-k, removal with the document."""

from __future__ import annotations

import numpy as np
import pytest

from lcagent.memory.vectors import ChunkVector, quantize
from lcagent.memory.workspace import Workspace


@pytest.fixture
def workspace(any_workspace):
    """Every test here runs on an SQLite and a PostgreSQL workspace (store_text ingests into it)."""
    return any_workspace


def unit(values) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def add(workspace, doc_id, model, rows):
    with workspace.transaction():
        workspace.vectors.add(doc_id, model, rows)


def test_int8_storage_keeps_cosines_within_a_thousandth():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(200, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    restored = []
    for vector in vectors:
        scale, blob = quantize(vector)
        restored.append(np.frombuffer(blob, dtype=np.int8).astype(np.float32) * scale)
    restored = np.stack(restored)
    assert len(blob) == 384
    cosines = (vectors * restored).sum(1) / np.linalg.norm(restored, axis=1)
    assert cosines.min() > 0.999
    queries = vectors[:20]
    assert np.abs(queries @ vectors.T - queries @ restored.T).max() < 0.01


def test_vectors_are_stored_per_chunk_window_with_their_model(workspace, store_text):
    document = store_text(["one two three", "four five six"])
    store = workspace.vectors
    assert not store.has(document.id, "model-a")
    add(workspace, document.id, "model-a", [
        ChunkVector(0, 0, 0, 5, unit([1, 0, 0])), ChunkVector(0, 1, 4, 13, unit([0, 1, 0])),
        ChunkVector(1, 0, 14, 27, unit([0, 0, 1])),
    ])
    add(workspace, document.id, "model-b", [ChunkVector(1, 0, 14, 27, unit([1, 1, 0]))])
    assert store.has(document.id, "model-a") and store.has(document.id, "model-b")
    assert store.embedded_chunks(document.id, "model-a") == {0, 1}
    assert store.embedded_chunks(document.id, "model-b") == {1}
    assert store.models(document.id) == {"model-a": 2, "model-b": 1}
    loaded = store.load(document.id, "model-a")
    assert loaded.chunk_ordinals.tolist() == [0, 0, 1] and loaded.parts.tolist() == [0, 1, 0]
    assert loaded.spans.tolist() == [[0, 5], [4, 13], [14, 27]]
    assert np.allclose(loaded.matrix, np.eye(3), atol=0.01)
    rows = workspace.sql.execute("SELECT DISTINCT model FROM chunk_embeddings ORDER BY model").fetchall()
    assert [row[0] for row in rows] == ["model-a", "model-b"]


def test_top_k_scores_each_chunk_by_its_best_window_across_documents(workspace, store_text):
    first = store_text(["a b c", "d e f"], name="first.txt")
    second = store_text(["g h i"], name="second.txt")
    add(workspace, first.id, "m", [
        ChunkVector(0, 0, 0, 1, unit([0, 1, 0])), ChunkVector(0, 1, 1, 2, unit([1, 0.1, 0])),  # chunk 0's 2nd window
        ChunkVector(1, 0, 2, 3, unit([1, 1, 0])),
    ])
    add(workspace, second.id, "m", [ChunkVector(0, 0, 0, 1, unit([1, 0.5, 0]))])
    hits = workspace.vectors.top_k(unit([1, 0, 0]), [first.id, second.id], "m", k=10)
    assert [(h.doc_id, h.chunk_ordinal, h.part) for h in hits] == [
        (first.id, 0, 1), (second.id, 0, 0), (first.id, 1, 0)]  # each chunk once, best window first
    assert hits[0].score > hits[1].score > hits[2].score
    assert len(workspace.vectors.top_k(unit([1, 0, 0]), [first.id, second.id], "m", k=2)) == 2
    assert workspace.vectors.top_k(unit([1, 0, 0]), [first.id], "other-model", k=5) == []


def test_the_cache_sees_new_and_deleted_rows(workspace, store_text):
    document = store_text(["a b c"])
    store = workspace.vectors
    add(workspace, document.id, "m", [ChunkVector(0, 0, 0, 1, unit([1, 0]))])
    assert len(store.load(document.id, "m")) == 1
    add(workspace, document.id, "m", [ChunkVector(0, 1, 1, 2, unit([0, 1]))])
    assert len(store.load(document.id, "m")) == 2
    with workspace.transaction():
        assert store.delete(document.id, "m") == 2
    assert len(store.load(document.id, "m")) == 0 and not store.has(document.id, "m")


def test_removing_a_document_removes_its_vectors_and_only_its(tmp_path, store_text, workspace):
    kept = store_text(["kept text"], name="kept.txt")
    removed = store_text(["removed text"], name="removed.txt")
    for document in (kept, removed):
        add(workspace, document.id, "m", [ChunkVector(0, 0, 0, 4, unit([1, 2, 3]))])
    workspace.remove(removed.id)
    reopened = Workspace(workspace.path)  # what another process sees
    try:
        rows = reopened.sql.execute("SELECT doc_id FROM chunk_embeddings").fetchall()
        assert [row[0] for row in rows] == [kept.id]
    finally:
        reopened.close()
