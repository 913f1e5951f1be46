"""The harness: scored rows, error rows, resuming after a crash, summary and plot."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lcagent.bench.run import Row, read_rows, run_bench
from lcagent.bench.sample import Needle, Sample
from lcagent.bench.summary import summarise, summary_tables
from lcagent.records import Answer, Citation, Usage


def _samples(n: int = 4) -> list[Sample]:
    """Small hand-made needle samples; the lookup strategy must really read the document."""
    samples = []
    for index in range(n):
        filler = " ".join(f"Sentence {k} about nothing." for k in range(40))
        needle = f"One of the special magic numbers for key-{index} is: {1000000 + 7 * index}."
        context = filler + " " + needle + " " + filler
        samples.append(Sample(
            task="toy_niah", length=4096, index=index, context=context,
            question=f"What is the special magic number for key-{index} mentioned in the provided text?",
            answers=[str(1000000 + 7 * index)], metric="string_match_all",
            needles=[Needle(needle, context.find(needle), 50.0, page_index=1, page_label="1")],
            evidence=[needle],
        ))
    return samples


def lookup(sample: Sample, path: Path) -> Answer:
    """Find the asked key's needle in the document file with a regex and cite it."""
    key = re.search(r"for (\S+) mentioned", sample.question).group(1)
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"(One of the special magic numbers for {re.escape(key)} is: (\d+)\.)", text)
    value = match.group(2) if match else ""
    citations = [Citation("doc", 1, "1", match.group(1))] if match else []
    return Answer(question=sample.question, text=value, citations=citations,
                  usage=Usage(llm_calls=1, prompt_tokens=len(text) // 4, completion_tokens=3),
                  strategy="lookup")


def first_number(sample: Sample, path: Path) -> Answer:
    """A weaker reader: the first seven-digit number in the document, whatever its key."""
    match = re.search(r"\b\d{7}\b", path.read_text(encoding="utf-8"))
    return Answer(sample.question, match.group(0) if match else "", [], Usage(llm_calls=1), "first")


def flaky(sample: Sample, path: Path) -> Answer:
    if sample.index % 2:
        raise RuntimeError(f"server went away on {sample.key}")
    return lookup(sample, path)


def test_rows_are_scored_and_written(tmp_path):
    out = tmp_path / "results.jsonl"
    rows = run_bench(_samples(), {"lookup": lookup, "first": first_number}, out,
                     model="toy", progress=False)
    assert len(rows) == 8
    assert [row.key for row in rows] == [row.key for row in read_rows(out)]
    by_strategy = {name: [row for row in rows if row.strategy == name] for name in ("lookup", "first")}
    assert [row.score for row in by_strategy["lookup"]] == [1.0] * 4
    assert [row.page_correct for row in by_strategy["lookup"]] == [True] * 4
    assert [row.evidence_recall for row in by_strategy["lookup"]] == [1.0] * 4
    # The first seven-digit number is the needle itself here, but nothing was cited.
    assert all(row.page_correct is False and row.evidence_recall == 0.0 for row in by_strategy["first"])
    row = by_strategy["lookup"][2]
    assert row.prediction == "1000014" and row.model == "toy" and row.llm_calls == 1
    assert row.citations[0].quote.endswith("is: 1000014.")
    stored = json.loads(out.read_text().splitlines()[0])
    assert set(stored) >= {"task", "length", "index", "strategy", "model", "prediction", "score",
                           "citations", "page_correct", "seconds", "llm_calls", "prompt_tokens",
                           "completion_tokens", "error"}
    # Each context was written once, as the .txt the strategies read.
    assert len(list((tmp_path / "results-docs").glob("*.txt"))) == 4


def test_a_raising_strategy_records_an_error_row_and_the_run_goes_on(tmp_path):
    rows = run_bench(_samples(), {"flaky": flaky}, tmp_path / "r.jsonl", progress=False)
    assert [row.error is None for row in rows] == [True, False, True, False]
    failed = rows[1]
    assert failed.score == 0.0 and failed.error == "RuntimeError: server went away on toy_niah-4096-1"


def test_interrupted_run_resumes_without_duplicates(tmp_path):
    out = tmp_path / "r.jsonl"
    calls = {"n": 0}

    def dies_after_three(sample: Sample, path: Path) -> Answer:
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt  # the user's Ctrl-C, not a strategy error
        return lookup(sample, path)

    samples = _samples(5)
    with pytest.raises(KeyboardInterrupt):
        run_bench(samples, {"lookup": dies_after_three}, out, model="m", progress=False)
    assert len(read_rows(out)) == 3

    seen: list[str] = []

    def counting(sample: Sample, path: Path) -> Answer:
        seen.append(sample.key)
        return lookup(sample, path)

    rows = run_bench(samples, {"lookup": counting}, out, model="m", progress=False)
    assert seen == ["toy_niah-4096-3", "toy_niah-4096-4"]  # finished rows were skipped
    stored = read_rows(out)
    assert len(stored) == 5 and len({row.key for row in stored}) == 5
    assert [row.index for row in rows] == [0, 1, 2, 3, 4]
    # Another model is another row set, not a finished one.
    run_bench(samples[:1], {"lookup": counting}, out, model="other", progress=False)
    assert len(read_rows(out)) == 6


def test_a_torn_last_line_is_dropped_and_redone(tmp_path):
    out = tmp_path / "r.jsonl"
    run_bench(_samples(2), {"lookup": lookup}, out, progress=False)
    with out.open("a") as handle:
        handle.write('{"task": "toy_niah", "length": 4096, "ind')  # died mid-write
    assert len(read_rows(out)) == 2
    run_bench(_samples(3), {"lookup": lookup}, out, progress=False)
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(line) for line in lines)


def test_a_corrupt_middle_line_is_reported_with_its_number(tmp_path):
    out = tmp_path / "r.jsonl"
    out.write_text('not json\n{"task": "t"}\n')
    with pytest.raises(ValueError, match=r"r.jsonl:1 "):
        read_rows(out)


def test_summary_and_plot(tmp_path):
    rows = run_bench(_samples(), {"lookup": lookup, "flaky": flaky}, tmp_path / "r.jsonl",
                     progress=False)
    long_rows = [Row(**{**row.__dict__, "length": 8192, "score": row.score / 2}) for row in rows]
    summary = summarise(rows + long_rows)
    assert summary.accuracy("toy_niah", 4096, "lookup") == 100.0
    assert summary.accuracy("toy_niah", 4096, "flaky") == 50.0
    assert summary.accuracy("toy_niah", 8192, "lookup") == 50.0
    stats = {s.strategy: s for s in summary.strategies}
    assert stats["flaky"].errors == 4 and stats["lookup"].errors == 0
    assert stats["lookup"].page_accuracy == 100.0 and stats["lookup"].median_llm_calls == 1
    accuracy_table, cost_table = summary_tables(summary)
    assert accuracy_table.row_count == 2 + 2  # two (task, length) rows and two means

    pytest.importorskip("matplotlib")
    from lcagent.bench.plot import plot

    png = plot(rows + long_rows, tmp_path / "plot.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no rows"):
        plot(rows, tmp_path / "none.png", tasks=["qa_1"])
