"""Chunk vectors in PostgreSQL with pgvector, where the server has the extension: the same rows
as ``VectorStore`` (int8 + scale, so every backend loads the same values) plus the dequantized
vector in a ``vector`` column, searched exactly in the database (``<#>``, inner product) instead
of loading every document's matrix into the process. Without pgvector the plain ``VectorStore``
(numpy over the int8 rows) serves a PostgreSQL workspace as it serves SQLite.

No approximate index (HNSW, IVFFlat): those need one dimension per index and return different
neighbours than exact search, so answers would differ from the other backends'.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lcagent.memory.sql import SqlHandle
from lcagent.memory.vectors import ChunkVector, DenseHit, VectorStore, dequantize, quantize


def pgvector_schema(db: SqlHandle) -> str | None:
    """The schema of pgvector's type where ``chunk_embeddings.embedding`` exists; None without pgvector."""
    row = db.execute(
        "SELECT udt_schema FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'chunk_embeddings' AND column_name = 'embedding'"
    ).fetchone()
    return row[0] if row else None


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(repr(float(value)) for value in vector) + "]"


class PgVectorStore(VectorStore):
    """``VectorStore`` whose ``top_k`` runs in PostgreSQL through pgvector."""

    def __init__(self, db: SqlHandle, schema: str) -> None:
        super().__init__(db)
        # Everything of pgvector's named with its schema: that need not be on the search path.
        self.vector_type = f'"{schema}".vector'
        self.inner_product = f'OPERATOR("{schema}".<#>)'  # the negative inner product
        self.dimensions = f'"{schema}".vector_dims'

    def add(self, doc_id: str, model: str, rows: Sequence[ChunkVector]) -> None:
        values = []
        for row in rows:
            scale, blob = quantize(np.asarray(row.vector, dtype=np.float32))
            values.append((doc_id, row.chunk_ordinal, row.part, model, row.char_start, row.char_end, scale, blob,
                           _literal(dequantize(scale, blob))))
        self.db.executemany(
            "INSERT INTO chunk_embeddings (doc_id, chunk_ordinal, part, model, char_start, char_end, scale, vector, "
            f"embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::{self.vector_type}) "
            "ON CONFLICT (doc_id, model, chunk_ordinal, part) DO UPDATE SET char_start = excluded.char_start, "
            "char_end = excluded.char_end, scale = excluded.scale, vector = excluded.vector, "
            "embedding = excluded.embedding",
            values,
        )

    def top_k(self, query: np.ndarray, doc_ids: Sequence[str], model: str, k: int = 10) -> list[DenseHit]:
        query = np.asarray(query, dtype=np.float32)
        dimensions = self.db.execute(
            f"SELECT {self.dimensions}(embedding) FROM chunk_embeddings WHERE model = ? AND doc_id = ANY(?::text[]) "
            "LIMIT 1",
            [model, list(doc_ids)],
        ).fetchone()
        if dimensions is None:
            return []
        if dimensions[0] != query.shape[0]:
            raise ValueError(f"query has {query.shape[0]} dimensions, stored {model} vectors have {dimensions[0]}")
        # each chunk scored by its best window; ties go to the earlier window, as in VectorStore
        rows = self.db.execute(
            "SELECT doc_id, chunk_ordinal, score, part, char_start, char_end FROM ("
            "SELECT DISTINCT ON (doc_id, chunk_ordinal) doc_id, chunk_ordinal, part, char_start, char_end, "
            f"-(embedding {self.inner_product} ?::{self.vector_type}) AS score FROM chunk_embeddings "
            "WHERE model = ? AND doc_id = ANY(?::text[]) "
            f"ORDER BY doc_id, chunk_ordinal, embedding {self.inner_product} ?::{self.vector_type}, part) AS best "
            "ORDER BY score DESC, array_position(?::text[], doc_id), chunk_ordinal LIMIT ?",
            [_literal(query), model, list(doc_ids), _literal(query), list(doc_ids), k],
        ).fetchall()
        return [DenseHit(doc_id, int(ordinal), float(score), int(part), int(start), int(end))
                for doc_id, ordinal, score, part, start, end in rows]
