"""The filings question set (benchmarks/filings): the committed lists hold together, and prepare.py
builds a folder the realdocs bench loads, from a real bare git repository or a plain folder, checking
every PDF's sha256 and that every gold page states its answer."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lcagent.bench.realdocs import load_realdocs
from lcagent.pdfgen import render_text_pdf

REPO = Path(__file__).resolve().parents[2]
FILINGS = REPO / "benchmarks" / "filings"
PREPARE = FILINGS / "prepare.py"


def _committed():
    documents = json.loads((FILINGS / "documents.json").read_text())["documents"]
    questions = [json.loads(line) for line in (FILINGS / "questions.jsonl").read_text().splitlines() if line.strip()]
    return documents, questions


def _split_by_rule(documents):
    sys.path.insert(0, str(FILINGS))
    try:
        from prepare import split_by_rule
    finally:
        sys.path.remove(str(FILINGS))
    return split_by_rule(documents)


# --- the committed lists -------------------------------------------------------------------------
def test_committed_lists_hold_together():
    documents, questions = _committed()
    files = {d["file"] for d in documents}
    assert len(documents) >= 8 and len(questions) >= 80
    assert all(40 <= d["pages"] <= 310 for d in documents)
    assert {q["doc"] for q in questions} == files  # every document is asked about
    assert len({q["id"] for q in questions}) == len(questions)
    assert len({q["index"] for q in questions}) == len(questions)
    assert min(q["index"] for q in questions) > 20000  # apart from the MMLongBench-Doc rows of realdocs
    assert _split_by_rule(documents) == {d["file"]: d["split"] for d in documents}
    assert {d["split"] for d in documents} == {"dev", "test"}


def test_answerable_questions_carry_quotes_and_unanswerable_ones_point_at_their_source():
    _, questions = _committed()
    by_id = {q["id"]: q for q in questions}
    answerable = [q for q in questions if q["answerable"]]
    unanswerable = [q for q in questions if not q["answerable"]]
    assert 0.1 <= len(unanswerable) / len(questions) <= 0.2
    assert all(q["evidence_pages"] and q["evidence_quotes"] and q["origin"] == "written" for q in answerable)
    for question in unanswerable:
        assert (question["answer"], question["evidence_pages"]) == ("Not answerable", [])
        source = by_id[question["origin"].split()[0]]
        assert source["answerable"] and source["question"] == question["question"]
        assert source["doc"] != question["doc"] and source["kind"] == question["kind"]


# --- prepare.py on generated PDFs ----------------------------------------------------------------
def _lists_for(tmp_path: Path, pdfs: dict[str, Path], commit: str, *, page: int = 2) -> Path:
    lists = tmp_path / "lists"
    lists.mkdir(exist_ok=True)
    documents = []
    for file, path in pdfs.items():
        documents.append({"file": file, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                          "kind": "10-K annual report", "pages": 3,
                          "source": {"repo": "example/filings", "commit": commit, "path": f"docs/{path.name}"},
                          "licence": "written for lcagent's tests"})
    ordered = sorted(documents, key=lambda d: d["sha256"])
    for n, document in enumerate(ordered):
        document["split"] = ("dev", "test")[n % 2]
    (lists / "documents.json").write_text(json.dumps({"documents": documents}))
    first, second = list(pdfs)
    rows = [
        {"id": "t-1", "index": 30001, "doc": first, "question": "What was Harbour's FY2021 capital expenditure?",
         "answer": "$1,577 million", "evidence_pages": [page], "evidence_sources": ["Table"],
         "answer_format": "Float", "answerable": True, "kind": "10-K annual report", "origin": "written",
         "evidence_quotes": ["Purchases of property and equipment (1,577) (1,204)"]},
        {"id": "t-x1", "index": 30501, "doc": second, "question": "What was Harbour's FY2021 capital expenditure?",
         "answer": "Not answerable", "evidence_pages": [], "evidence_sources": [], "answer_format": "None",
         "answerable": False, "kind": "10-K annual report", "origin": "t-1 asked of another document",
         "evidence_quotes": []},
    ]
    (lists / "questions.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    return lists


@pytest.fixture
def bare_repository(tmp_path):
    """Two generated filings committed to a real git repository, and a bare clone of it."""
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    harbour = render_text_pdf(["Harbour Inc. Annual Report 2021", "Consolidated Statements of Cash Flows "
                               "(in millions) 2021 2020 Purchases of property and equipment (1,577) (1,204)",
                               "Signatures"], work / "docs" / "harbour 2021.pdf")
    pump = render_text_pdf(["Pump Corp. Annual Report 2021", "Revenue 12 10", "Signatures"],
                           work / "docs" / "pump 2021.pdf")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(work)]
    for command in (["init", "-q"], ["add", "docs"], ["commit", "-q", "-m", "filings"]):
        subprocess.run(git + command, check=True)
    commit = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare, {"harbour_10k_2021.pdf": harbour, "pump_10k_2021.pdf": pump}, commit


def _prepare(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PREPARE), *arguments], capture_output=True, text=True)


def test_prepare_builds_a_loadable_folder_from_a_bare_mirror(tmp_path, bare_repository):
    bare, pdfs, commit = bare_repository
    lists = _lists_for(tmp_path, pdfs, commit)
    out = tmp_path / "data"
    done = _prepare("--source", str(bare), "--out", str(out), "--lists", str(lists))
    assert done.returncode == 0, done.stderr
    questions = {q.id: q for q in load_realdocs(out)}
    assert (questions["t-1"].evidence_pages, questions["t-1"].answer) == ((2,), "$1,577 million")
    assert (questions["t-x1"].answerable, questions["t-x1"].doc) == (False, "pump_10k_2021.pdf")
    assert (out / "documents" / "harbour_10k_2021.pdf").read_bytes() == pdfs["harbour_10k_2021.pdf"].read_bytes()
    assert "evidence_quotes" not in (out / "questions.jsonl").read_text()  # the bench's format only


def test_prepare_takes_a_plain_folder_and_refuses_a_gold_page_without_the_answer(tmp_path, bare_repository):
    _, pdfs, commit = bare_repository
    folder = pdfs["harbour_10k_2021.pdf"].parent  # files under their source names
    good = _prepare("--source", str(folder), "--out", str(tmp_path / "a"), "--lists",
                    str(_lists_for(tmp_path, pdfs, commit)))
    assert good.returncode == 0, good.stderr
    wrong = _prepare("--source", str(folder), "--out", str(tmp_path / "b"), "--lists",
                     str(_lists_for(tmp_path, pdfs, commit, page=3)))
    assert wrong.returncode == 2
    assert "t-1: page 3 of harbour_10k_2021.pdf states neither a quote nor '$1,577 million'" in wrong.stderr


def test_prepare_without_the_source_says_what_to_clone(tmp_path, bare_repository):
    _, pdfs, commit = bare_repository
    done = _prepare("--source", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--lists",
                    str(_lists_for(tmp_path, pdfs, commit)))
    assert done.returncode == 2
    assert "clone https://github.com/example/filings" in done.stderr and done.stderr.count("\n") == 1
