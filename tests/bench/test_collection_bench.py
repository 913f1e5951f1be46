"""The collection suite on small generated data: documents and questions from every source, the
scores (right document cited, both documents cited, gold pages, the option named), a run through
the resumable harness with a scripted model, and `lcagent bench collection` end to end. Needle
questions are answered by the tools strategy without an LLM call; comparisons make one choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lcagent.bench.collection import (PAIR_KINDS, bench_collection, build_collection, documents_cited,
                                      option_score, pages_cited, score_question)
from lcagent.bench.collection_summary import summarise_collection
from lcagent.bench.run import read_rows
from lcagent.bench.sample import Sample
from lcagent.cli import main
from lcagent.memory.workspace import Workspace
from lcagent.records import Answer, Citation, Usage
from lcagent.runners.base import Choice, JsonSchema
from lcagent.runners.scripted import ScriptedRunner

pytest.importorskip("long_context_eval", reason="needs the bench extra (pip install '.[bench]')")

REALDOCS = Path(__file__).resolve().parents[1] / "data" / "realdocs"
KINDS = ["needle", "two_needles", "compare"]


def _cite(doc_id: str, page: int) -> Citation:
    return Citation(doc_id, page, str(page), "a quote", f"{doc_id}.pdf")


@pytest.mark.parametrize("citations, gold, expected", [
    ([_cite("a", 1)], ["a"], 1.0),
    ([_cite("b", 1)], ["a"], 0.0),
    ([_cite("a", 1), _cite("a", 2)], ["a", "b"], 0.5),
    ([_cite("b", 3), _cite("a", 1)], ["a", "b"], 1.0),
    ([], ["a"], 0.0),
])
def test_documents_cited_is_the_share_of_needed_documents(citations, gold, expected):
    assert documents_cited(citations, gold) == expected


@pytest.mark.parametrize("citations, gold, expected", [
    ([_cite("a", 4)], [("a", 4)], True),
    ([_cite("b", 4)], [("a", 4)], False),  # the right page number in another document is not the page
    ([_cite("a", 4)], [("a", 4), ("a", 9)], True),  # one gold page of a document is enough
    ([_cite("a", 4)], [("a", 4), ("b", 2)], False),  # each needed document needs its page
    ([_cite("a", 4), _cite("b", 2)], [("a", 4), ("b", 2)], True),
])
def test_pages_cited_needs_a_gold_page_in_each_document(citations, gold, expected):
    assert pages_cited(citations, gold) is expected


@pytest.mark.parametrize("prediction, expected", [
    ("Harrow Point Light", 1.0),
    ("harrow point light, automated in 1987", 1.0),
    ("Cape Vell Light", 0.0),
    ("Harrow Point Light was automated before Cape Vell Light", 1.0),
    ("Cape Vell Light was automated after Harrow Point Light", 0.0),
    ("not found in the document", 0.0),
])
def test_option_score_wants_the_right_option_named_first(prediction, expected):
    assert option_score(prediction, "Harrow Point Light", "Cape Vell Light") == expected


def _choose_first_option(request):
    """A scripted model: picks the first option offered; asked for a next action (the tools loop,
    when the evidence does not cover the question's words), it answers at once."""
    if isinstance(request.constraint, Choice):
        return request.constraint.options[0]
    if isinstance(request.constraint, JsonSchema) and request.constraint.name == "action":
        return json.dumps({"tool": "answer", "input": "enough"})
    raise AssertionError(f"only comparisons should reach the model, got {request.constraint!r}")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """12 generated documents (no LooGLE, realdocs or filings: their folders are empty), every
    needle, two-needle and comparison question asked of the collection and of its own documents."""
    root = tmp_path_factory.mktemp("collection")
    empty = root / "empty"
    empty.mkdir()
    options = dict(kinds=KINDS, limit=None, loogle_dir=empty, realdocs_dir=empty, filings_dir=empty, needle_pages=4,
                   needle_documents=12, min_documents=12)
    runner = ScriptedRunner(fn=_choose_first_option)
    rows = bench_collection(strategies=["tools"], models=[runner], out=root / "out", progress=False, **options)
    collection = build_collection(root / "out" / "collection", **options)
    return root, rows, collection, runner, options


def test_every_question_is_asked_in_both_scopes_and_cites_its_documents(small_run):
    root, rows, collection, _runner, _options = small_run
    assert len(collection.documents) == 12 and len(collection.questions) == 12 + 6 + 6
    assert len(rows) == 2 * len(collection.questions)
    assert {row.strategy for row in rows} == {"tools@collection", "tools@document"}
    for row in rows:
        assert row.error is None, row
        assert row.documents_cited == 1.0 and row.page_correct is True, row
        kind = row.task.removeprefix("collection_")
        assert row.llm_calls == 0 or kind == "compare", row
        if kind != "compare":
            assert row.score == 1.0, row
    # a comparison whose two values the documents state beside the question's words is decided in
    # code, rightly; otherwise the scripted model picks the first option: right exactly when it is the answer
    compared = {q.index: q for q in collection.questions if q.kind == "compare"}
    decided = 0
    for row in (r for r in rows if r.task == "collection_compare"):
        question = compared[row.index]
        if row.llm_calls == 0:
            decided += 1
            assert row.score == 1.0, row
        else:
            assert row.score == float(question.question.index(question.answers[0]) < question.question.index(question.answers[1]))
    assert decided >= 4  # "founded first" and "carried more passengers" need no model
    with Workspace(root / "out" / "collection" / "workspace") as whole:
        assert len(whole.documents()) == 12
    with Workspace(root / "out" / "collection" / "documents-workspace") as own:
        assert len(own.documents()) == len({path for q in collection.questions for path in q.documents})


def test_summary_reports_documents_cited_per_kind_and_scope(small_run):
    _root, rows, _collection, _runner, _options = small_run
    stats = {(s.kind, s.scope): s for s in summarise_collection(rows)}
    for kind in ("needle", "single (all)", *PAIR_KINDS, "two documents (all)"):
        for scope in ("collection", "document"):
            assert stats[(kind, scope)].documents == 100.0 and stats[(kind, scope)].pages == 100.0
    assert stats[("needle", "collection")].questions == 12 and stats[("two documents (all)", "collection")].questions == 12
    assert stats[("needle", "collection")].answer == 100.0 and stats[("needle", "collection")].evidence_recall is None


def test_a_second_document_left_uncited_is_scored_as_missing(small_run):
    root, _rows, collection, _runner, _options = small_run
    with Workspace(root / "out" / "collection" / "workspace") as whole:
        ids = {path: whole.resolve(path.name).id for path in collection.documents}
    pair = next(q for q in collection.questions if q.kind == "two_needles")
    (first, first_page), (second, _page) = pair.pages
    sample = Sample(task=pair.task, length=4096, index=pair.index, context="", question=pair.question,
                    answers=list(pair.answers), metric="f1")
    half = Answer(pair.question, f"{pair.answers[0]} and {pair.answers[1]}", [_cite(ids[first], first_page)],
                  Usage(), "tools")
    row = score_question(pair, ids, sample, "tools@collection", "", half, 1.0)
    assert (row.score, row.documents_cited, row.page_correct) == (1.0, 0.5, False)
    stats = {(s.kind, s.scope): s for s in summarise_collection([row])}
    assert stats[("two_needles", "collection")].documents == 0.0
    # a needle answered from another document: right number or not, the document is wrong
    single = next(q for q in collection.questions if q.kind == "needle")
    elsewhere = next(path for path in collection.documents if path not in single.documents)
    wrong = Answer(single.question, single.answers[0], [_cite(ids[elsewhere], 1)], Usage(), "tools")
    row = score_question(single, ids, sample, "tools@collection", "", wrong, 1.0)
    assert (row.documents_cited, row.page_correct) == (0.0, False)


def test_a_rerun_finds_every_row_done(small_run):
    root, rows, _collection, runner, options = small_run
    calls = len(runner.calls)
    again = bench_collection(strategies=["tools"], models=[runner], out=root / "out", progress=False, **options)
    assert [row.key for row in again] == [row.key for row in rows]
    assert len(read_rows(root / "out" / "collection.jsonl")) == len(rows)
    assert len(runner.calls) == calls


def _write_loogle(folder: Path) -> None:
    document = ("Alpha Town was founded in 1901 by river traders. " * 30
                + "The mayor of Alpha Town is Jane Doe, elected in 2021. " + "Filler text here. " * 30)
    pairs = [{"Q": "Who is the mayor of Alpha Town?", "A": "Jane Doe",
              "S": "The mayor of Alpha Town is Jane Doe, elected in 2021."},
             {"Q": "What is the town's motto?", "A": "Onward", "S": []}]  # no evidence: not asked
    row = {"input": document, "title": "Alpha Town", "qa_pairs": repr(pairs), "output": "none"}
    (folder / "shortdep_qa.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")


def test_real_sources_join_the_collection_and_needles_fill_it(tmp_path):
    loogle, empty = tmp_path / "loogle", tmp_path / "empty"
    loogle.mkdir()
    empty.mkdir()
    _write_loogle(loogle)
    collection = build_collection(tmp_path / "out", loogle_dir=loogle, realdocs_dir=REALDOCS, filings_dir=empty,
                                  needle_pages=3, needle_documents=4, min_documents=10)
    names = [path.name for path in collection.documents]
    assert names[:3] == ["Alpha-Town.txt", "harbour_report.pdf", "pump_manual.pdf"]
    assert len(names) == 11 and all(name.startswith("essays-") for name in names[3:])  # 7 rounded up to pairs
    assert any(note.startswith("filings left out") for note in collection.notes)
    by_kind: dict[str, list] = {}
    for question in collection.questions:
        by_kind.setdefault(question.kind, []).append(question)
    [mayor] = by_kind["loogle"]
    assert (mayor.question, mayor.answers, mayor.documents[0].name) == (
        "Who is the mayor of Alpha Town?", ("Jane Doe",), "Alpha-Town.txt")
    assert mayor.evidence and not mayor.pages
    assert all(q.scoring == "answer" and q.pages for q in by_kind["realdocs"])  # answerable ones only
    assert len(by_kind["realdocs"]) == 5 and "filings" not in by_kind
    assert len(by_kind["needle"]) == 8 and len(by_kind["two_needles"]) == 4 and len(by_kind["compare"]) == 4
    assert by_kind["two_needles"][0].question.startswith("What are all the special magic numbers for ")
    limited = build_collection(tmp_path / "out", loogle_dir=loogle, realdocs_dir=REALDOCS, filings_dir=empty,
                               needle_pages=3, needle_documents=4, min_documents=10, limit=2, kinds=["realdocs", "compare"])
    assert [q.kind for q in limited.questions] == ["realdocs", "realdocs", "compare", "compare"]
    assert len({q.documents for q in limited.questions if q.kind == "realdocs"}) == 2  # round-robin over PDFs
    assert limited.documents == collection.documents  # the collection stays whole


def test_cli_runs_the_suite_over_fifty_documents(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for variable in ("LCAGENT_LOOGLE_DIR", "LCAGENT_REALDOCS_DIR", "LCAGENT_FILINGS_DIR"):
        monkeypatch.setenv(variable, str(empty))
    out = tmp_path / "out"
    args = ["bench", "collection", "--strategies", "tools", "--tasks", "needle,two_needles", "--limit", "1",
            "--out", str(out), "--json"]
    assert main(args) in (0, None)
    captured = capsys.readouterr()
    assert "50 documents, 2 questions" in captured.err
    stats = {(s["kind"], s["scope"]): s for s in json.loads(captured.out)}
    assert stats[("needle", "collection")]["documents"] == 100.0
    assert stats[("two_needles", "collection")]["documents"] == 100.0
    rows = read_rows(out / "collection.jsonl")
    assert sorted((row.task, row.strategy) for row in rows) == [
        ("collection_needle", "tools@collection"), ("collection_needle", "tools@document"),
        ("collection_two_needles", "tools@collection"), ("collection_two_needles", "tools@document")]
    assert all(row.score == 1.0 and row.llm_calls == 0 for row in rows)


def test_cli_rejects_an_unknown_kind(tmp_path, capsys):
    assert main(["bench", "collection", "--tasks", "needles", "--out", str(tmp_path)]) == 2
    assert "unknown collection kinds ['needles']" in capsys.readouterr().err


def test_scale_script_measures_growth_and_scale_on_small_sizes(tmp_path, capsys):
    import runpy

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "collection_scale.py"
    main_of_script = runpy.run_path(str(script))["main"]
    main_of_script(["growth", "--small", "2", "--large", "6", "--pages", "3", "--questions", "2", "--strategy", "tools",
                    "--out", str(tmp_path)])
    growth = json.loads((tmp_path / "growth-summary.json").read_text())
    assert (growth["small"]["documents"], growth["large"]["documents"]) == (2, 6)
    assert growth["small"]["right_page_percent"] == growth["large"]["right_page_percent"] == 100.0
    assert growth["per_kind"]["needle"]["growth"] > 0 and growth["seconds_growth"] > 0
    main_of_script(["scale", "--documents", "2", "--tokens", "3k", "--questions", "2", "--strategy", "tools",
                    "--out", str(tmp_path)])
    scale = json.loads((tmp_path / "scale-summary.json").read_text())
    assert (scale["documents"], scale["questions"], scale["right_page_percent"]) == (2, 2, 100.0)
    assert scale["tokens"] > 2 * 3000 and scale["pages_per_document"] >= 5
    assert len((tmp_path / "scale.jsonl").read_text().splitlines()) == 2
