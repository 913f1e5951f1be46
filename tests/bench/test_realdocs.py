"""The realdocs suite on small committed data (two PDFs made with lcagent.pdfgen, 7 questions):
loading, the scores, the bm25 baseline on a real workspace, the CLI end to end, and prepare.py
on a fake MMLongBench-Doc checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lcagent.bench.answer_match import answer_score, is_numeric
from lcagent.bench.realdocs import (bm25_baseline, evidence_recall_at_k, load_realdocs, page_correct, score_realdoc,
                                    task_name)
from lcagent.bench.realdocs_summary import summarise_realdocs
from lcagent.bench.run import read_rows
from lcagent.bench.sample import Sample
from lcagent.cli import main
from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace
from lcagent.records import Answer, Citation, Usage

DATA = Path(__file__).resolve().parents[1] / "data" / "realdocs"
REPO = Path(__file__).resolve().parents[2]
PREPARE = REPO / "benchmarks" / "realdocs" / "prepare.py"


def _question(question_id: str):
    return next(q for q in load_realdocs(DATA) if q.id == question_id)


# --- loading -----------------------------------------------------------------------------------
def test_load_reads_questions_with_splits_and_gold_pages():
    questions = load_realdocs(DATA)
    assert [q.id for q in questions] == [f"t-{n}" for n in range(1, 8)]
    first = questions[0]
    assert (first.doc, first.evidence_pages, first.split, first.answerable) == ("harbour_report.pdf", (3,), "dev", True)
    assert first.task == "realdocs_dev_answerable"
    assert [q.id for q in load_realdocs(DATA, ["test"])] == ["t-5", "t-6", "t-7"]
    assert [q.task for q in load_realdocs(DATA, ["test"]) if not q.answerable] == ["realdocs_test_unanswerable"]


def test_committed_data_is_what_make_data_writes(tmp_path):
    import runpy

    runpy.run_path(str(DATA / "make_data.py"))["main"](tmp_path)
    for name in ("questions.jsonl", "documents/harbour_report.pdf", "documents/pump_manual.pdf"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_limit_counts_per_split_and_answerability():
    picked = load_realdocs(DATA, limit=1)
    assert [q.id for q in picked] == ["t-1", "t-4", "t-5", "t-7"]


def test_missing_data_says_how_to_prepare(tmp_path):
    with pytest.raises(FileNotFoundError, match="prepare.py --source"):
        load_realdocs(tmp_path)
    with pytest.raises(ValueError, match="unknown realdocs splits"):
        load_realdocs(DATA, ["train"])


# --- scores ------------------------------------------------------------------------------------
def test_page_correct_and_recall_at_5():
    cite = lambda page: Citation("d", page, str(page), "quote")  # noqa: E731
    assert page_correct([cite(2), cite(5)], [5, 6])
    assert not page_correct([cite(2)], [5])
    assert not page_correct([], [5])
    pages = [("d", 9), ("d", 8), ("d", 7), ("d", 6), ("d", 1), ("d", 5)]
    assert evidence_recall_at_k(pages, [1]) == 1.0
    assert evidence_recall_at_k(pages, [5]) == 0.0  # sixth: outside the first five
    assert evidence_recall_at_k([], [5]) == 0.0


@pytest.mark.parametrize("prediction, gold, expected", [
    ("1,200 million", "1.2 billion", 1.0),
    ("$1577.00", "1,577", 1.0),
    ("$1,577 million", "1577", 1.0),
    ("20.2%", "0.202", 1.0),
    ("0.603", "60.3%", 1.0),
    ("$3.0 billion", "3.0", 1.0),      # the question said "answer in billion"
    ("97.8", "97.75", 1.0),            # rounded one digit less
    ("2003", "2002", 0.0),             # years are never close enough
    ("31", "30", 0.0),
    ("a decrease of 3.65%", "-3.65%", 1.0),
    ("eight", "8", 1.0),
    ("The board met eight times in 2023.", "8", 1.0),
    ("Yes, it does.", "Yes", 1.0),
    ("No", "Yes", 0.0),
    ("dry running", "dry running", 1.0),
    ("E07 means dry running", "Dry running.", 1.0),
    ("over-temperature", "dry running", 0.0),
    ("State Bank of Kell and Harrow Mutual", "['State Bank of Kell', 'Harrow Mutual']", 1.0),
    ("Harrow Mutual", "['State Bank of Kell', 'Harrow Mutual']", 2 / 3),
    ("", "8", 0.0),
])
def test_answer_score(prediction, gold, expected):
    assert answer_score(prediction, gold) == pytest.approx(expected)


def test_a_long_answer_counts_only_by_its_head():
    filler = " ".join(["the harbour report says many things about the year"] * 3)
    assert answer_score(f"{filler} and the figure was 1,577", "1577") == 0.0
    assert answer_score(f"1,577, as {filler}", "1577") == 1.0


def test_numeric_golds_are_one_number_with_units():
    assert is_numeric("$1,577.00") and is_numeric("60.3%") and is_numeric("3.0 bn") and is_numeric("12 years")
    assert not is_numeric("12 Nm and 14 Nm") and not is_numeric("1884 April 5") and not is_numeric("E07")


def _sample(question) -> Sample:
    return Sample(task=question.task, length=4096, index=question.index, context="", question=question.question,
                  answers=[question.answer], metric="f1")


def test_score_rows_answerable_and_not_found():
    answerable, unanswerable = _question("t-2"), _question("t-7")
    cited = Answer("q", "eight", [Citation("d", 4, "4", "The board met eight times in 2023.")], Usage(2, 100, 5),
                   "tools", evidence_pages=[("d", 1), ("d", 4)])
    row = score_realdoc(answerable, _sample(answerable), "tools", "m", cited, 1.5)
    assert (row.score, row.page_correct, row.evidence_recall_at_5, row.not_found) == (1.0, True, 1.0, False)
    assert (row.prompt_tokens, row.completion_tokens, row.seconds) == (100, 5, 1.5)
    said_nothing = Answer("q", "not found in the document", [], Usage(), "tools", found=False)
    row = score_realdoc(unanswerable, _sample(unanswerable), "tools", "m", said_nothing, 0.2)
    assert (row.score, row.not_found, row.page_correct, row.evidence_recall_at_5) == (1.0, True, None, None)
    guessed = Answer("q", "8", [Citation("d", 2, "2", "Tighten the mounting bolts to 12 Nm.")], Usage(), "tools")
    row = score_realdoc(unanswerable, _sample(unanswerable), "tools", "m", guessed, 0.2)
    assert (row.score, row.not_found) == (0.0, False)
    # "not found" on an answerable question is a wrong answer, whatever its text
    row = score_realdoc(answerable, _sample(answerable), "tools", "m", said_nothing, 0.2)
    assert (row.score, row.page_correct, row.evidence_recall_at_5, row.not_found) == (0.0, False, 0.0, True)


# --- the bm25 baseline on a real workspace ------------------------------------------------------
def test_bm25_baseline_cites_the_pages_of_its_top_chunks(tmp_path):
    with Workspace(tmp_path / "ws") as workspace:
        harbour = ingest_file(workspace, DATA / "documents" / "harbour_report.pdf").document
        pump = ingest_file(workspace, DATA / "documents" / "pump_manual.pdf").document
        baseline = bm25_baseline(workspace)
        answer = baseline(harbour.id, "How many times did the board meet in 2023?")
        assert answer.found and answer.text == "The board met eight times in 2023."
        assert answer.citations[0].page_index == 4
        assert answer.evidence_pages[0] == (harbour.id, 4)
        for citation in answer.citations:  # quotes are the stored text, on the page they name
            assert citation.quote in workspace.page(harbour.id, citation.page_index).text
        assert answer.usage.llm_calls == 0
        # nothing in the pump manual shares a word with the question: bm25 has no hit
        assert not baseline(pump.id, "How many times did the board meet in 2023?").found


# --- the CLI end to end --------------------------------------------------------------------------
def test_cli_runs_the_baseline_and_summarises_splits_apart(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["bench", "realdocs", "--data", str(DATA), "--strategies", "bm25", "--limit", "10", "--out", str(out),
            "--json"]
    assert main(args) in (0, None)
    summary = json.loads(capsys.readouterr().out)
    rows = read_rows(out / "realdocs.jsonl")
    assert sorted(row.index for row in rows) == list(range(1, 8))
    by_index = {row.index: row for row in rows}
    assert {row.task for row in rows} == {task_name(split, answerable) for split in ("dev", "test")
                                         for answerable in (True, False)}
    assert by_index[2].page_correct and by_index[2].evidence_recall_at_5 == 1.0 and by_index[2].score == 1.0
    assert by_index[7].not_found and by_index[7].score == 1.0  # the cross-document question
    assert all(row.strategy == "bm25" and row.llm_calls == 0 and row.error is None for row in rows)
    groups = {(item["split"], item["answerable"]): item for item in summary}
    assert set(groups) == {("dev", True), ("dev", False), ("test", True), ("test", False)}
    assert groups[("dev", True)]["questions"] == 3 and groups[("test", False)]["questions"] == 1
    assert groups[("test", False)]["not_found"] == 100.0
    assert summary == [vars(stats) for stats in summarise_realdocs(rows)]
    # a rerun finds every row done
    assert main(args) in (0, None)
    assert len(read_rows(out / "realdocs.jsonl")) == 7


def test_cli_without_data_says_how_to_prepare(tmp_path, capsys):
    code = main(["bench", "realdocs", "--data", str(tmp_path / "none"), "--strategies", "bm25",
                 "--out", str(tmp_path / "out")])
    assert code == 2
    assert "prepare.py" in capsys.readouterr().err


def test_cli_refuses_an_unknown_strategy(tmp_path, capsys):
    code = main(["bench", "realdocs", "--data", str(DATA), "--strategies", "bm26", "--out", str(tmp_path)])
    assert code == 2
    assert "unknown strategies" in capsys.readouterr().err


# --- prepare.py on a fake MMLongBench-Doc clone ------------------------------------------------
def _fake_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """A clone-shaped folder (data/samples.json, data/documents/) and the committed lists for it."""
    sys.path.insert(0, str(PREPARE.parent))
    try:
        from source import question_hash, sha256
    finally:
        sys.path.remove(str(PREPARE.parent))
    source = tmp_path / "MMLongBench-Doc"
    (source / "data" / "documents").mkdir(parents=True)
    for name in ("harbour_report.pdf", "pump_manual.pdf"):
        shutil.copy(DATA / "documents" / name, source / "data" / "documents" / name)
    samples = [
        {"doc_id": "harbour_report.pdf", "doc_type": "Financial report", "question": "How many times did the board meet?",
         "answer": "8", "evidence_pages": "[4]", "evidence_sources": "['Pure-text (Plain-text)']", "answer_format": "Int"},
        {"doc_id": "pump_manual.pdf", "doc_type": "Guidebook", "question": "What is the pump's colour?",
         "answer": "Not answerable", "evidence_pages": "[]", "evidence_sources": "[]", "answer_format": "None"},
    ]
    (source / "data" / "samples.json").write_text(json.dumps(samples))
    lists = tmp_path / "lists"
    lists.mkdir()
    documents = [{"file": name, "sha256": sha256((DATA / "documents" / name).read_bytes()), "kind": kind,
                  "pages": pages, "split": split, "licence": "written for lcagent's tests"}
                 for name, kind, pages, split in (("harbour_report.pdf", "financial report", 5, "dev"),
                                                  ("pump_manual.pdf", "guidebook", 4, "test"))]
    (lists / "selection.json").write_text(json.dumps({"source_commit": None, "documents": documents}))
    ids = [
        {"id": "mmlb-0000", "index": 0, "position": 0, "doc": "harbour_report.pdf", "split": "dev", "answerable": True,
         "origin": "mmlongbench", "question_sha256": question_hash(samples[0]["question"])},
        {"id": "mmlb-0001", "index": 1, "position": 1, "doc": "pump_manual.pdf", "split": "test", "answerable": False,
         "origin": "mmlongbench", "question_sha256": question_hash(samples[1]["question"])},
        {"id": "cross-0000", "index": 10000, "position": 0, "doc": "pump_manual.pdf", "split": "test",
         "answerable": False, "origin": "mmlb-0000 asked of another document",
         "question_sha256": question_hash(samples[0]["question"])},
    ]
    (lists / "questions.ids.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ids))
    return source, lists


def test_prepare_builds_a_loadable_folder_from_a_clone(tmp_path):
    source, lists = _fake_checkout(tmp_path)
    out = tmp_path / "prepared"
    done = subprocess.run([sys.executable, str(PREPARE), "--source", str(source), "--out", str(out),
                           "--lists", str(lists)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    questions = {q.id: q for q in load_realdocs(out)}
    assert questions["mmlb-0000"].answer == "8" and questions["mmlb-0000"].evidence_pages == (4,)
    cross = questions["cross-0000"]
    assert (cross.doc, cross.answer, cross.evidence_pages, cross.answerable) == ("pump_manual.pdf", "Not answerable",
                                                                                 (), False)
    assert (out / "documents" / "pump_manual.pdf").read_bytes() == (DATA / "documents" / "pump_manual.pdf").read_bytes()


def test_prepare_refuses_a_source_that_differs(tmp_path):
    source, lists = _fake_checkout(tmp_path)
    (source / "data" / "documents" / "pump_manual.pdf").write_bytes(b"%PDF-1.4 another file")
    done = subprocess.run([sys.executable, str(PREPARE), "--source", str(source), "--out", str(tmp_path / "out"),
                           "--lists", str(lists)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "differs from the selection" in done.stderr and done.stderr.count("\n") == 1
