"""Real-document sets: LooGLE rows become Samples; PDF needles land on recorded pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lcagent.bench.loogle import ENV_VAR, default_loogle_dir, length_bucket, load_loogle


def _write_loogle(folder: Path) -> None:
    document = ("Alpha Town was founded in 1901 by river traders. " * 30
                + "The mayor of Alpha Town is Jane Doe, elected in 2021. " + "Filler text here. " * 30)
    pairs = [
        {"Q": "Who is the mayor of Alpha Town?", "A": "Jane Doe",
         "S": "The mayor of Alpha Town is Jane Doe, elected in 2021."},
        {"Q": "When was it founded?\n1. 1899\n2. 1901\n3. 1920", "A": "2",
         "S": ["Alpha Town was founded in 1901 by river traders."], "type": "computation"},
    ]
    row = {"input": document, "title": "Alpha Town", "qa_pairs": repr(pairs), "output": "none"}
    (folder / "shortdep_qa.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")


def test_loader_on_a_hand_made_file(tmp_path, monkeypatch):
    _write_loogle(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert default_loogle_dir() == tmp_path
    samples = load_loogle("shortdep")
    assert [s.index for s in samples] == [0, 1]
    first, second = samples
    assert first.task == "loogle_shortdep" and first.metric == "f1"
    assert first.answers == ["Jane Doe"]
    assert first.evidence == ["The mayor of Alpha Town is Jane Doe, elected in 2021."]
    assert first.title == "Alpha Town" and first.length == 4096 and 0 < first.tokens <= 4096
    # A multiple-choice answer given as the option number also accepts the option's text.
    assert second.answers == ["2", "1901"]
    assert second.evidence == ["Alpha Town was founded in 1901 by river traders."]


def test_missing_folder_says_which_variable_to_set(tmp_path):
    with pytest.raises(FileNotFoundError, match=ENV_VAR):
        load_loogle("longdep", directory=tmp_path)
    with pytest.raises(ValueError, match="shortdep or longdep"):
        load_loogle("mediumdep", directory=tmp_path)


def test_length_bucket():
    assert length_bucket(100) == 4096
    assert length_bucket(4097) == 8192
    assert length_bucket(20000) == 32768


def test_the_shared_loogle_sample_loads():
    folder = default_loogle_dir()
    if not (folder / "longdep_qa.jsonl").exists():
        pytest.skip(f"no LooGLE sample at {folder}")
    short, long = load_loogle("shortdep"), load_loogle("longdep")
    assert len(short) == 80 and len(long) == 43
    for sample in short + long:
        assert sample.evidence and sample.question and sample.answers[0]
        assert sample.context and sample.tokens > 10_000
    # Evidence is quoted from the document: most sentences appear in it near-verbatim.
    from lcagent.bench.scoring import evidence_recall
    recalls = [evidence_recall(s.evidence, [s.context]) for s in short]
    assert sum(recalls) / len(recalls) > 0.9


def test_pdf_needles_land_on_the_recorded_page(tmp_path):
    pytest.importorskip("long_context_eval", reason='needs the [bench] extra: pip install "lcagent[bench]"')
    pdfium = pytest.importorskip("pypdfium2")
    from lcagent.bench.pdfset import make_pdf_samples

    samples = make_pdf_samples(tmp_path, n=3, pages=12, front_matter_pages=2, seed=3)
    for sample in samples:
        (needle,) = sample.needles
        document = pdfium.PdfDocument(sample.document_path)
        assert len(document) == 12
        page_texts = [" ".join(document[i].get_textpage().get_text_range().split()) for i in range(12)]
        value = sample.answers[0]
        holding = [i + 1 for i, text in enumerate(page_texts) if value in text]
        assert holding == [needle.page_index]
        assert document.get_page_label(needle.page_index - 1) == needle.page_label
        expected_label = (["i", "ii"] + [str(n) for n in range(1, 11)])[needle.page_index - 1]
        assert needle.page_label == expected_label
        document.close()
    again = make_pdf_samples(tmp_path / "again", n=3, pages=12, front_matter_pages=2, seed=3)
    assert [Path(s.document_path).read_bytes() for s in again] == [
        Path(s.document_path).read_bytes() for s in samples]
