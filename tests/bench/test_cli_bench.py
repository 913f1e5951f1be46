"""`lcagent bench` end to end: real RULER samples, the real local model, rows named by reader."""

import json

import pytest

from lcagent.cli import main

pytest.importorskip("long_context_eval", reason="needs the bench extra (pip install '.[bench]')")


def test_bench_writes_rows_named_by_reader_and_resumes(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["bench", "ruler", "--lengths", "4k", "--tasks", "niah_single_1", "--limit", "1", "--strategies", "tools",
            "--out", str(out), "--no-plot", "--json"]
    assert main(args) in (0, None)
    assert main(args + ["--reader", "extractive"]) in (0, None)
    rows = [json.loads(line) for line in (out / "ruler.jsonl").read_text().splitlines()]
    assert [r["strategy"] for r in rows] == ["tools", "tools/extractive"]
    assert all(r["score"] == 1.0 and r["error"] is None for r in rows)
    capsys.readouterr()
    # a rerun finds every row done and adds none
    assert main(args + ["--reader", "extractive"]) in (0, None)
    assert len((out / "ruler.jsonl").read_text().splitlines()) == 2
