"""What a PostgreSQL workspace adds or must keep: the same answers and citations as SQLite, a new
database set up by the migrations, checkpoints that let a chain run resume, the write lock with
its bounded wait, several processes at once, and the CLI reaching it by URL."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time

import pytest

from lcagent import api
from lcagent.memory.workspace import Workspace, WorkspaceLocked
from lcagent.runners.scripted import ScriptedRunner

pytest.importorskip("psycopg")

README_QUESTIONS = [  # answered from retrieval and extraction alone (no model call)
    ("In which year was the Harrow Point light automated?", "1987"),
    ("How many steps does the climb to the gallery of Cape Vell Light take?", "219"),
    ("Who was the last principal keeper of the Harrow Point light?", None),
]


def answer_record(answer) -> tuple:
    return (answer.text, answer.found, answer.strategy,
            [(c.doc_id, c.page_index, c.page_label, c.quote) for c in answer.citations])


def test_ask_over_the_example_pdf_answers_alike_on_both_backends(tmp_path, postgres_url, example_pdf):
    results = {}
    for name, spec in (("sqlite", tmp_path / "ws"), ("postgresql", postgres_url)):
        with Workspace(spec) as ws:
            results[name] = [
                answer_record(api.ask(str(example_pdf), question, model=ScriptedRunner([]), workspace=ws, embed=False))
                for question, _ in README_QUESTIONS
            ]
            record, _ = ws.runs.load(ws.runs.recent(1)[0].id)
            assert record.status == "done"
    assert results["postgresql"] == results["sqlite"]
    for (question, expected), (text, found, _, citations) in zip(README_QUESTIONS, results["sqlite"]):
        assert found and citations, question
        if expected:
            assert text == expected


@pytest.mark.slow
def test_the_bundled_model_answers_alike_on_both_backends(tmp_path, postgres_url, example_pdf):
    questions = [question for question, _ in README_QUESTIONS] + [
        "What happened to the light at Merrow Sands?", "Which light is the tallest on the coast?"]
    results = {}
    for name, spec in (("sqlite", tmp_path / "ws"), ("postgresql", postgres_url)):
        with Workspace(spec) as ws:
            results[name] = [answer_record(api.ask(str(example_pdf), q, model="local", workspace=ws, embed=False))
                             for q in questions]
    assert results["postgresql"] == results["sqlite"]


def test_a_new_database_is_set_up_by_the_migrations(postgres_server):
    if postgres_server._stop is None:
        pytest.skip("needs the private test server (it creates a database)")
    import psycopg

    admin = postgres_server.base_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("CREATE DATABASE lcagent_fresh")
    try:
        url = postgres_server.base_url.rsplit("/", 1)[0] + "/lcagent_fresh"
        with Workspace(url) as ws:
            from lcagent.memory.postgres.migrations import MIGRATIONS

            names = [row[0] for row in ws.sql.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()]
            assert names == [name for name, _ in MIGRATIONS]
            extensions = {row[0] for row in ws.sql.execute("SELECT extname FROM pg_extension").fetchall()}
            assert {"pg_trgm", "unaccent"} <= extensions
        with Workspace(url) as again:  # opening it again applies nothing twice
            assert again.sql.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("DROP DATABASE lcagent_fresh WITH (FORCE)")


def test_accents_fold_like_fts5s_remove_diacritics(postgres_url, tmp_path):
    from lcagent.ingest import ingest_file

    (tmp_path / "ferry.txt").write_text("The ferry to Ålesund left at dawn.", encoding="utf-8")
    (tmp_path / "cafe.txt").write_text("The café on Smögen opened in 1921.", encoding="utf-8")
    with Workspace(postgres_url) as ws:
        names = {ingest_file(ws, tmp_path / name).document.id: name for name in ("ferry.txt", "cafe.txt")}
        assert [names[h.chunk.doc_id] for h in ws.search("Alesund")] == ["ferry.txt"]
        assert [names[h.chunk.doc_id] for h in ws.search("cafe smogen", mode="all")] == ["cafe.txt"]
        assert "\x02Smögen\x03" in ws.search("Smogen")[0].snippet  # marked as written


def test_pgvector_ranks_as_the_numpy_store(postgres_url, tmp_path):
    import numpy as np

    from lcagent.ingest import ingest_file
    from lcagent.memory.postgres.vectors import PgVectorStore
    from lcagent.memory.vectors import ChunkVector, VectorStore

    with Workspace(postgres_url) as ws:
        if not isinstance(ws.vectors, PgVectorStore):
            pytest.skip("the PostgreSQL server has no pgvector extension (not packaged for Debian 12)")
        rng = np.random.default_rng(3)
        documents = []
        for name in ("a.txt", "b.txt"):
            (tmp_path / name).write_text(f"{name} " + "words about the harbour " * 300, encoding="utf-8")
            documents.append(ingest_file(ws, tmp_path / name).document)
        for document in documents:
            rows = []
            for chunk in ws.chunks(document.id):
                for part in range(3):
                    vector = rng.normal(size=16).astype(np.float32)
                    rows.append(ChunkVector(chunk.ordinal, part, chunk.char_start, chunk.char_end, vector / np.linalg.norm(vector)))
            with ws.transaction():
                ws.vectors.add(document.id, "m", rows)
        numpy_store = VectorStore(ws.sql)  # the same rows, ranked in the process
        for _ in range(5):
            query = rng.normal(size=16).astype(np.float32)
            query /= np.linalg.norm(query)
            ids = [d.id for d in documents]
            in_database, in_process = ws.vectors.top_k(query, ids, "m", 7), numpy_store.top_k(query, ids, "m", 7)
            assert [(h.doc_id, h.chunk_ordinal, h.part) for h in in_database] == \
                [(h.doc_id, h.chunk_ordinal, h.part) for h in in_process]
            assert np.allclose([h.score for h in in_database], [h.score for h in in_process], atol=1e-5)
        with pytest.raises(ValueError, match="dimensions"):
            ws.vectors.top_k(np.ones(3, dtype=np.float32), ids, "m")


CHAIN_PAGES = [f"Page {n}. " + " ".join(f"Filler sentence {n}-{k} about tides and weather." for k in range(40))
               for n in range(1, 7)]
CHAIN_PAGES[4] += " The Merrow Sands light burned out in 1903."


def chain_model(log: list, interrupt_at: int | None):
    """Workers pass on a note for any part that mentions Merrow; Ctrl-C once at part ``interrupt_at``."""

    def respond(request):
        prompt = request.messages[-1].content
        part = re.search(r"Part (\d+) of (\d+)", prompt)
        if part and "Notes from previous parts" in prompt:
            log.append(int(part.group(1)))
            if int(part.group(1)) == interrupt_at and not respond.interrupted:
                respond.interrupted = True
                raise KeyboardInterrupt
            previous = prompt.split("Notes from previous parts:\n", 1)[1].rsplit("\n\nUpdated notes:", 1)[0]
            notes = "" if previous == "(none)" else previous
            if "Merrow" in prompt.split("Question:")[0]:
                notes += "\np. 5: The Merrow Sands light burned out in 1903."
            return notes.strip() or "(none)"
        return "1903" if "1903" in prompt else "not found"

    respond.interrupted = False
    return respond


def test_an_interrupted_chain_run_resumes_from_postgres_checkpoints(postgres_url, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("\f".join(CHAIN_PAGES))
    log: list[int] = []
    runner = ScriptedRunner(fn=chain_model(log, interrupt_at=3), context_window=700)
    with Workspace(postgres_url) as ws:
        with pytest.raises(KeyboardInterrupt):
            api.ask(str(path), "When did the Merrow Sands light burn out?", model=runner, workspace=ws,
                    strategy="chain", embed=False)
        run = ws.runs.recent(1)[0]
        assert run.status == "interrupted" and log == [1, 2, 3]
        tables = {row[0] for row in ws.sql.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}
        assert {"checkpoints", "checkpoint_writes"} <= tables  # LangGraph's Postgres saver, in the workspace
    log.clear()
    with Workspace(postgres_url) as ws:  # another process would open it the same way
        answer = api.resume(run.id, model=runner, workspace=ws)
        assert log[0] == 3 and 1 not in log, "resume restarts at the interrupted part"
        assert answer.text == "1903" and [c.page_index for c in answer.citations] == [5]
        assert ws.runs.load(run.id)[0].status == "done"


HOLD_WRITE_LOCK = textwrap.dedent(
    """
    import sys
    import psycopg
    from lcagent.memory.postgres.database import lock_key
    connection = psycopg.connect(sys.argv[1], autocommit=True)
    schema = connection.execute("SELECT current_schema()").fetchone()[0]
    connection.execute("BEGIN")
    connection.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(schema, "write")])
    print("locked", flush=True)
    sys.stdin.read()
    """
)


def test_a_write_waits_for_another_process_then_fails_in_one_line(postgres_url, tmp_path, example_pdf):
    from lcagent.ingest import ingest_file

    with Workspace(postgres_url) as ws:
        document = ingest_file(ws, example_pdf).document
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, postgres_url],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    told: list[str] = []
    try:
        assert holder.stdout.readline().strip() == "locked"
        with Workspace(postgres_url, lock_wait=2.0, on_lock_wait=told.append) as ws:
            started = time.monotonic()
            assert ws.search("Harrow Point automated")  # readers never wait
            assert ws.memex.archive(document.id, "a note", "text")  # nor single-row memory writes
            assert time.monotonic() - started < 1.0
            with pytest.raises(WorkspaceLocked, match="LCAGENT_LOCK_WAIT") as locked:
                ws.remove(document.id)
            assert 1.9 < time.monotonic() - started < 6
            assert "\n" not in str(locked.value) and len(told) == 1 and "waiting up to 2 s" in told[0]
            assert ws.get(document.id) is not None  # nothing was removed
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with Workspace(postgres_url, lock_wait=2.0) as ws:  # released: the write goes through
        ws.remove(document.id)
        assert ws.documents() == []


ARCHIVE_MANY = textwrap.dedent(
    """
    import sys
    from lcagent.memory.workspace import Workspace
    with Workspace(sys.argv[1]) as ws:
        for n in range(40):
            ws.memex.archive("doc", f"entry {sys.argv[2]}-{n}", f"content {n}")
            ws.hypergraph.insert("doc", f"unit {sys.argv[2]}-{n}", ["Harrow Point", f"keeper {n % 5}"])
    """
)


def test_several_processes_write_memory_at_once(postgres_url):
    Workspace(postgres_url).close()  # migrated before they start
    workers = [subprocess.Popen([sys.executable, "-c", ARCHIVE_MANY, postgres_url, name], stderr=subprocess.PIPE)
               for name in ("a", "b", "c")]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()
    with Workspace(postgres_url) as ws:
        entries = ws.memex.entries("doc")
        assert len(entries) == 120 and len({entry.index for entry in entries}) == 120
        assert len(ws.hypergraph.units("doc")) == 120
        assert sorted(name for name, _ in ws.hypergraph.vertices("doc")) == sorted(
            ["Harrow Point"] + [f"keeper {n}" for n in range(5)])  # one vertex per entity, whoever wrote first
        assert len(ws.hypergraph.units_with("doc", "Harrow Point")) == 120


def lcagent(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LCAGENT_EMBED_LIMIT": "0", "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "lcagent", *argv], capture_output=True, text=True, env=environment,
                          timeout=300)


def test_the_cli_reaches_a_postgresql_workspace_by_url(postgres_url, example_pdf):
    ingested = lcagent("ingest", str(example_pdf), "--json", env={"LCAGENT_WORKSPACE": postgres_url})
    assert ingested.returncode == 0, ingested.stderr
    listed = lcagent("docs", "--json", "--workspace", postgres_url)
    assert [d["name"] for d in json.loads(listed.stdout)] == ["field_guide.pdf"]
    found = lcagent("search", "field_guide.pdf", "Harrow Point automated", "--json", "-w", postgres_url)
    assert found.returncode == 0 and "[automated]" in json.loads(found.stdout)[0]["snippet"]
    removed = lcagent("rm", "field_guide.pdf", "-w", postgres_url)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(lcagent("docs", "--json", "-w", postgres_url).stdout) == []


def test_an_unreachable_server_is_one_line_that_says_what_to_check():
    result = lcagent("docs", "-w", "postgresql://nobody:secret@127.0.0.1:1/none")
    assert result.returncode == 1
    message = result.stderr.strip()
    assert "\n" not in message and "cannot open the PostgreSQL workspace" in message
    assert "secret" not in message and "nobody:***@" in message
