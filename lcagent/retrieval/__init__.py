"""Retrieval beyond bm25: dense chunk embeddings (computed offline on CPU, stored in the
workspace) and hybrid search that fuses them with the FTS5 index.
"""
