"""Per-chunk embedding vectors in the workspace (table ``chunk_embeddings``), tagged with the
model that made them, and brute-force cosine search over them with numpy.

Vectors are unit length and stored as int8 times one float scale per vector: a quarter of
float32's size, and cosines within about 0.001 of the float32 ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lcagent.memory.sql import SqlHandle, as_handle


@dataclass(frozen=True)
class ChunkVector:
    """One window of a chunk and its vector; the span is in document characters."""

    chunk_ordinal: int
    part: int
    char_start: int
    char_end: int
    vector: np.ndarray


@dataclass(frozen=True)
class DenseHit:
    """A chunk found by cosine similarity: its best window and that window's score."""

    doc_id: str
    chunk_ordinal: int
    score: float
    part: int
    char_start: int
    char_end: int


@dataclass(frozen=True)
class DocumentVectors:
    """All stored windows of one document for one model, as arrays (row i = window i)."""

    doc_id: str
    model: str
    chunk_ordinals: np.ndarray
    parts: np.ndarray
    spans: np.ndarray  # (n, 2) char_start, char_end
    matrix: np.ndarray  # (n, dimension) float32

    def __len__(self) -> int:
        return len(self.chunk_ordinals)


def quantize(vector: np.ndarray) -> tuple[float, bytes]:
    """int8 values and their scale; a zero vector stays zero."""
    peak = float(np.max(np.abs(vector))) if vector.size else 0.0
    scale = peak / 127.0 if peak > 0 else 1.0
    return scale, np.clip(np.rint(vector / scale), -127, 127).astype(np.int8).tobytes()


def dequantize(scale: float, blob: bytes) -> np.ndarray:
    """The float32 vector stored as int8 ``blob`` times ``scale`` (as ``load`` restores it)."""
    return np.frombuffer(blob, dtype=np.int8).astype(np.float32) * np.float32(scale)


class VectorStore:
    """Add, check, load, delete and search chunk vectors; takes the workspace's SQL handle
    (``workspace.vectors``).

    ``add`` and ``delete`` write inside the caller's transaction (``Workspace.transaction``),
    so a batch of vectors lands whole or not at all.
    """

    _cache: "OrderedDict[tuple, tuple[int, DocumentVectors]]" = OrderedDict()
    _cache_lock = threading.Lock()
    CACHED_DOCUMENTS = 8

    def __init__(self, db: SqlHandle) -> None:
        self.db = as_handle(db)

    # --- writes ---------------------------------------------------------------------------
    def add(self, doc_id: str, model: str, rows: Sequence[ChunkVector]) -> None:
        values = []
        for row in rows:
            scale, blob = quantize(np.asarray(row.vector, dtype=np.float32))
            values.append((doc_id, row.chunk_ordinal, row.part, model, row.char_start, row.char_end, scale, blob))
        self.db.executemany(
            "INSERT INTO chunk_embeddings "
            "(doc_id, chunk_ordinal, part, model, char_start, char_end, scale, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (doc_id, model, chunk_ordinal, part) DO UPDATE SET char_start = excluded.char_start, "
            "char_end = excluded.char_end, scale = excluded.scale, vector = excluded.vector",
            values,
        )

    def delete(self, doc_id: str, model: str | None = None) -> int:
        """Remove a document's vectors (of one model, or all); returns how many rows went."""
        if model is None:
            cursor = self.db.execute("DELETE FROM chunk_embeddings WHERE doc_id = ?", [doc_id])
        else:
            cursor = self.db.execute("DELETE FROM chunk_embeddings WHERE doc_id = ? AND model = ?", [doc_id, model])
        return cursor.rowcount

    # --- reads ----------------------------------------------------------------------------
    def has(self, doc_id: str, model: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM chunk_embeddings WHERE doc_id = ? AND model = ? LIMIT 1", [doc_id, model]
        ).fetchone()
        return row is not None

    def embedded_chunks(self, doc_id: str, model: str) -> set[int]:
        """Ordinals of the chunks that have vectors from ``model``."""
        rows = self.db.execute(
            "SELECT DISTINCT chunk_ordinal FROM chunk_embeddings WHERE doc_id = ? AND model = ?", [doc_id, model]
        ).fetchall()
        return {row[0] for row in rows}

    def models(self, doc_id: str) -> dict[str, int]:
        """Each model with vectors for this document, and how many chunks it covers."""
        rows = self.db.execute(
            "SELECT model, COUNT(DISTINCT chunk_ordinal) FROM chunk_embeddings WHERE doc_id = ? GROUP BY model",
            [doc_id],
        ).fetchall()
        return {model: count for model, count in rows}

    def load(self, doc_id: str, model: str) -> DocumentVectors:
        """The document's vectors for ``model`` (cached per database until its row count changes)."""
        count = self.db.execute(
            "SELECT COUNT(*) FROM chunk_embeddings WHERE doc_id = ? AND model = ?", [doc_id, model]
        ).fetchone()[0]
        key = (self.db.identity, doc_id, model)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == count:
                self._cache.move_to_end(key)
                return cached[1]
        rows = self.db.execute(
            "SELECT chunk_ordinal, part, char_start, char_end, scale, vector FROM chunk_embeddings "
            "WHERE doc_id = ? AND model = ? ORDER BY chunk_ordinal, part",
            [doc_id, model],
        ).fetchall()
        vectors = _as_arrays(doc_id, model, rows)
        with self._cache_lock:
            self._cache[key] = (len(rows), vectors)
            self._cache.move_to_end(key)
            while len(self._cache) > self.CACHED_DOCUMENTS:
                self._cache.popitem(last=False)
        return vectors

    def top_k(self, query: np.ndarray, doc_ids: Sequence[str], model: str, k: int = 10) -> list[DenseHit]:
        """The ``k`` chunks most similar to ``query`` (a unit vector), each scored by its best window."""
        query = np.asarray(query, dtype=np.float32)
        best: list[DenseHit] = []
        for doc_id in doc_ids:
            vectors = self.load(doc_id, model)
            if not len(vectors):
                continue
            if vectors.matrix.shape[1] != query.shape[0]:
                raise ValueError(
                    f"query has {query.shape[0]} dimensions, stored {model} vectors have {vectors.matrix.shape[1]}"
                )
            scores = vectors.matrix @ query
            # best window per chunk: sort by score, keep each chunk's first occurrence
            order = np.argsort(-scores, kind="stable")
            _, first = np.unique(vectors.chunk_ordinals[order], return_index=True)
            winners = order[np.sort(first)][:k]
            for row in winners:
                best.append(
                    DenseHit(doc_id, int(vectors.chunk_ordinals[row]), float(scores[row]), int(vectors.parts[row]),
                             int(vectors.spans[row, 0]), int(vectors.spans[row, 1]))
                )
        best.sort(key=lambda hit: -hit.score)
        return best[:k]


def _as_arrays(doc_id: str, model: str, rows: list) -> DocumentVectors:
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return DocumentVectors(doc_id, model, empty, empty, np.zeros((0, 2), np.int64), np.zeros((0, 0), np.float32))
    dimension = len(rows[0][5])
    values = np.frombuffer(b"".join(row[5] for row in rows), dtype=np.int8).reshape(len(rows), dimension)
    scales = np.array([row[4] for row in rows], dtype=np.float32)
    return DocumentVectors(
        doc_id,
        model,
        chunk_ordinals=np.array([row[0] for row in rows], dtype=np.int64),
        parts=np.array([row[1] for row in rows], dtype=np.int64),
        spans=np.array([(row[2], row[3]) for row in rows], dtype=np.int64).reshape(len(rows), 2),
        matrix=values.astype(np.float32) * scales[:, None],
    )
