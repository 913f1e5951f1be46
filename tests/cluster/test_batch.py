"""``lcagent batch``: questions answered in parallel by workers that each hold one runner, against
a real OpenAI-compatible server on 127.0.0.1; rows fsynced one at a time, resumable, Ctrl-C safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lcagent.cli import cli
from lcagent.cluster.answers import AnswerRow, AnswersFile
from lcagent.cluster.batch import WorkerSetup, run_batch
from lcagent.cluster.pools import LocalPool
from lcagent.cluster.questions import BatchFileError, read_questions
from lcagent.memory.workspace import Workspace

from .openai_stub import OpenAIStub

pytestmark = pytest.mark.timeout(600)

QUESTIONS = [
    "Who compiled this edition of the guide, and in which year?",
    "In which year was the Harrow Point light automated?",
    "How many storms did keeper Ada Lindqvist record in her logbooks?",
    "How many steps does the climb to the gallery of Cape Vell Light take?",
    "For how many days were the Isle of Tarn keepers stranded in the winter of 1947?",
    "Which workshop made the lens of the tallest light on the coast?",
]


def write_questions(path: Path, document: Path, *, strategy: str = "full", extra: list[dict] | None = None) -> Path:
    rows = [{"id": f"q{n}", "question": text, "documents": [str(document)], "options": {"strategy": strategy}}
            for n, text in enumerate(QUESTIONS, start=1)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows + (extra or [])), encoding="utf-8")
    return path


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("content,message", [
    ('{"question": "Q?", "documents": ["a.pdf"]}\nnot json\n', "line 2 is not JSON"),
    ('{"question": "Q?", "documents": ["a.pdf"], "questoin": 1}\n', "line 1: questoin: Extra inputs are not permitted"),
    ('{"question": "Q?"}\n', 'line 1: name what to ask with "documents", "tag" or "all": true'),
    ('{"id": "a", "question": "Q?", "all": true}\n{"id": "a", "question": "R?", "all": true}\n',
     "line 2 has the same id as line 1"),
    ('{"question": "Q?", "tag": "t"}\n\n{"question": "Q?", "tag": "t"}\n', "line 3 asks the same question"),
    ('{"question": "Q?", "tag": "t", "options": {"strategy": "magic"}}\n', "unknown strategy 'magic'"),
    ("\n", "holds no questions"),
])
def test_a_bad_questions_file_is_one_line_naming_the_line(tmp_path, content, message):
    path = tmp_path / "questions.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BatchFileError, match=message):
        read_questions(path)


def test_ids_from_content_survive_reordering(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    lines = ['{"question": "Q1?", "tag": "t"}', '{"question": "Q2?", "tag": "t", "options": {"strategy": "rag"}}']
    first.write_text("\n".join(lines), encoding="utf-8")
    second.write_text("\n".join(reversed(lines)), encoding="utf-8")
    assert sorted(q.id for q in read_questions(first)) == sorted(q.id for q in read_questions(second))


def test_an_answers_file_drops_a_row_cut_short_and_error_rows_and_keeps_the_rest(tmp_path):
    path = tmp_path / "answers.jsonl"
    good = json.dumps({"id": "q1", "answer": "1987", "error": None})
    failed = json.dumps({"id": "q2", "answer": None, "error": "server down"})
    path.write_text(good + "\n" + failed + "\n" + '{"id": "q3", "ans', encoding="utf-8")
    with AnswersFile(path) as answers:
        assert set(answers.finished) == {"q1"} and answers.retried == 2
        answers.write(AnswerRow.failed("q2", "Q?", 2, "still down"))
    assert [row["id"] for row in rows_of(path)] == ["q1", "q2"]


def test_workers_send_concurrent_requests_and_a_rerun_skips_what_is_done(tmp_path, example_pdf):
    questions = write_questions(tmp_path / "questions.jsonl", example_pdf,
                                extra=[{"id": "missing", "question": "Q?", "documents": ["nowhere.pdf"]}])
    out = tmp_path / "answers.jsonl"
    pool = LocalPool(2)
    try:
        with OpenAIStub(text="The Harrow Point light was automated in 1987.", delay=0.6) as stub, \
                Workspace(tmp_path / "ws") as ws:
            setup = WorkerSetup(str(ws.path), f"openai:stub-model@{stub.base_url}", timeout=60, retries=0)
            report = run_batch(questions, out, pool, ws, setup)
            assert stub.state.most_in_flight == 2  # one runner per worker, both asking at once
            assert (report.answered, report.failed, report.already) == (6, 1, 0)
            again = run_batch(questions, out, pool, ws, setup)
            assert (again.answered, again.failed, again.already, again.retried) == (0, 1, 6, 1)
            runs = {run.id: run for run in ws.runs.recent(50)}
    finally:
        pool.close()
    rows = rows_of(out)
    assert sorted(row["id"] for row in rows) == ["missing", "q1", "q2", "q3", "q4", "q5", "q6"]
    [missing] = [row for row in rows if row["id"] == "missing"]
    assert "nowhere.pdf" in missing["error"] and missing["answer"] is None
    for row in rows:
        if row["id"] != "missing":
            assert row["error"] is None and row["run_id"] and row["usage"]["llm_calls"] >= 1
            assert row["strategy"] == "full" and row["answer"] and row["worker"]
    assert len({row["worker"] for row in rows if row["worker"]}) == 2
    assert {row["run_id"] for row in rows if row["run_id"]} <= {run_id for run_id, run in runs.items()
                                                                if run.status == "done"}


def test_cli_batch_on_ray_against_a_vllm_style_server(ray_instance, tmp_path, example_pdf):
    """The path docs/serving.md describes: `vllm serve NAME` (here a stand-in answering its API the way
    vLLM does, any number of requests at once), then `lcagent batch --model openai:NAME@URL`."""
    questions = write_questions(tmp_path / "questions.jsonl", example_pdf)
    with OpenAIStub(delay=0.6, model="Qwen/Qwen3-8B") as stub:
        result = CliRunner().invoke(cli, ["batch", str(questions), "--ray", "--workers", "2", "--json",
                                          "--model", f"openai:Qwen/Qwen3-8B@{stub.base_url}", "-w", str(tmp_path / "ws")])
        assert result.exit_code == 0, result.output
        assert stub.state.most_in_flight == 2
        assert {body["model"] for body in stub.state.requests} == {"Qwen/Qwen3-8B"}
    summary = json.loads(result.stdout)
    assert (summary["answered"], summary["failed"], summary["questions"]) == (6, 0, 6)
    assert summary["pool"] == "local Ray instance, 2 workers"
    rows = rows_of(Path(summary["out"]))
    assert Path(summary["out"]).name == "questions.answers.jsonl" and len(rows) == 6


def test_ctrl_c_keeps_whole_rows_and_the_next_run_finishes(tmp_path, example_pdf):
    questions = write_questions(tmp_path / "questions.jsonl", example_pdf)
    out = tmp_path / "answers.jsonl"
    with OpenAIStub(delay=2.0) as stub:
        command = [sys.executable, "-m", "lcagent", "batch", str(questions), "--out", str(out), "--workers", "2",
                   "--model", f"openai:stub-model@{stub.base_url}", "-w", str(tmp_path / "ws")]
        # as from a terminal: Ctrl-C's default action, even when this test runs where SIGINT is ignored
        # (a shell starts background jobs with SIGINT ignored, and children inherit that)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 2):
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.1)
        # what Ctrl-C in a terminal does: the whole group; pressed again each second until the batch
        # stops, as a user would (one press landing while the pool starts a worker can be lost)
        for _ in range(60):
            try:
                os.killpg(process.pid, signal.SIGINT)
            except ProcessLookupError:
                break  # it has ended
            try:
                process.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                continue
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, stderr.decode()
        assert "run the same command again to continue" in stderr.decode()
        first = rows_of(out)  # every line whole
        assert 2 <= len(first) < 6 and all(row["error"] is None for row in first)
        finished = subprocess.run(command, capture_output=True, timeout=300)
        assert finished.returncode == 0, finished.stderr.decode()
    rows = rows_of(out)
    assert sorted(row["id"] for row in rows) == [f"q{n}" for n in range(1, 7)]
    assert rows[: len(first)] == first
