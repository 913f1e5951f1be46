"""The embedder: agreement with an independent fp32 reference, semantics, windows, files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lcagent.retrieval import embeddings
from lcagent.retrieval.embeddings import WINDOW_OVERLAP, WINDOW_PIECES, EmbeddingUnavailable, HashingEmbedder

REFERENCE = Path(__file__).parent / "data" / "minilm_fp32_reference.json"


def test_int8_onnx_vectors_match_the_fp32_numpy_reference(minilm):
    # make_minilm_reference.py ran the original fp32 weights through a numpy forward pass
    reference = json.loads(REFERENCE.read_text())
    expected = np.array(reference["vectors"], dtype=np.float32)
    got = np.stack([minilm.embed_query(sentence) for sentence in reference["sentences"]])
    assert got.shape == (len(reference["sentences"]), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() >= 0.99, cosines


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(minilm):
    cat, feline, revenue = (minilm.embed_query(s) for s in (
        "The cat sits on the mat.", "A feline is resting on a rug.", "Quarterly revenue rose 12% to $4.1 billion."))
    capex, ppe = (minilm.embed_query(s) for s in (
        "How much was spent on capital expenditures?",
        "Purchases of property, plant and equipment were $1,234 million."))
    assert cat @ feline > 0.5 > 0.1 > cat @ revenue
    assert capex @ ppe > capex @ cat + 0.2


def test_a_long_text_is_cut_into_windows_that_cover_it_word_for_word(minilm):
    text = " ".join(f"word{n}" for n in range(400))
    windows = minilm.split(text)
    assert len(windows) >= 4
    assert all(len(w.ids) <= WINDOW_PIECES for w in windows)
    assert windows[0].char_start == 0 and windows[-1].char_end == len(text)
    for before, after in zip(windows, windows[1:]):
        assert before.char_end <= after.char_start + WINDOW_OVERLAP  # in order...
        assert text[before.char_end : after.char_start].strip() == ""  # ...and nothing falls between them
    # every window starts with [CLS] and ends with [SEP], as the model was trained
    cls, sep = minilm.tokenizer.token_to_id("[CLS]"), minilm.tokenizer.token_to_id("[SEP]")
    assert all(w.ids[0] == cls and w.ids[-1] == sep for w in windows)


def test_batches_give_the_same_vectors_as_one_at_a_time(minilm):
    texts = ["short one", "a somewhat longer sentence about lighthouses and storms on the coast", "x " * 300]
    windows = [w for text in texts for w in minilm.split(text)]
    together = minilm.embed_windows(windows)
    alone = np.stack([minilm.embed_windows([w])[0] for w in windows])
    assert np.allclose(together, alone, atol=1e-4)  # padding is masked out of the mean


def test_an_empty_text_still_gets_a_unit_vector(minilm):
    [window] = minilm.split("")
    vector = minilm.embed_windows([window])[0]
    assert np.isfinite(vector).all() and abs(np.linalg.norm(vector) - 1) < 1e-5


def test_the_tokenizer_ships_with_its_licence():
    folder = embeddings.tokenizer_path().parent
    assert (folder / "tokenizer.json").stat().st_size == 466_247
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "all-MiniLM-L6-v2" in (folder / "NOTICE").read_text()


def test_a_file_that_fails_its_checksum_is_refused(tmp_path):
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(b"not the model")
    with pytest.raises(EmbeddingUnavailable, match="sha256 differs.*reinstall"):
        embeddings._check_sha256(tampered, embeddings.MODEL_SHA256, "reinstall it")


def test_a_bad_thread_count_is_one_line_that_says_the_fix(monkeypatch):
    monkeypatch.setenv(embeddings.THREADS_VARIABLE, "many")
    with pytest.raises(EmbeddingUnavailable, match="LCAGENT_EMBED_THREADS='many' is not a thread count"):
        embeddings.threads_from_environment()
    monkeypatch.setenv(embeddings.THREADS_VARIABLE, "2")
    assert embeddings.threads_from_environment() == 2


def test_the_hashing_stand_in_keeps_the_contract():
    fake = HashingEmbedder(words_per_window=3)
    text = "alpha beta gamma delta epsilon"
    windows = fake.split(text)
    assert [(text[w.char_start : w.char_end]) for w in windows] == ["alpha beta gamma", "delta epsilon"]
    vectors = fake.embed_windows(windows)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert fake.embed_query("alpha beta gamma") @ vectors[0] > 0.99
    assert fake.embedded_windows == 3
