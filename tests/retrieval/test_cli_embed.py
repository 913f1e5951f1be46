"""Embeddings from the command line: ingest embeds by default, --no-embed and
LCAGENT_EMBED_LIMIT=0 skip it, `lcagent embed` fills in, shows status and removes, and
`lcagent rm` takes the vectors with the document."""

from __future__ import annotations

import json

from lcagent.cli import main
from lcagent.memory.workspace import Workspace
from lcagent.retrieval.embeddings import MODEL_TAG


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def vector_rows(ws_dir) -> list[tuple[str, str]]:
    with Workspace(ws_dir) as ws:
        return ws.db.execute("SELECT DISTINCT doc_id, model FROM chunk_embeddings").fetchall()


def test_ingest_embeds_by_default_and_not_with_no_embed(capsys, tmp_path, example_pdf, minilm):
    embedded_ws, plain_ws = tmp_path / "embedded", tmp_path / "plain"
    code, out, err = run(capsys, "ingest", str(example_pdf), "-w", str(embedded_ws), "--json")
    assert code == 0, err
    report = json.loads(out)["ingested"][0]["embedding"]
    assert report["model"] == MODEL_TAG and report["embedded"] == json.loads(out)["ingested"][0]["chunks"]
    assert report["skipped"] is None and report["remaining"] == 0
    assert [row[1] for row in vector_rows(embedded_ws)] == [MODEL_TAG]

    code, out, err = run(capsys, "ingest", str(example_pdf), "-w", str(plain_ws), "--no-embed", "--json")
    assert code == 0, err
    assert json.loads(out)["ingested"][0]["embedding"] is None
    assert vector_rows(plain_ws) == []


def test_embed_limit_zero_in_the_environment_turns_embedding_off(capsys, tmp_path, example_pdf, monkeypatch):
    monkeypatch.setenv("LCAGENT_EMBED_LIMIT", "0")
    code, out, err = run(capsys, "ingest", str(example_pdf), "-w", str(tmp_path / "ws"), "--json")
    assert code == 0, err
    assert json.loads(out)["ingested"][0]["embedding"] is None and vector_rows(tmp_path / "ws") == []


def test_a_document_over_the_limit_is_stored_and_the_note_says_what_to_run(capsys, tmp_path, example_pdf):
    code, out, err = run(capsys, "ingest", str(example_pdf), "-w", str(tmp_path / "ws"), "--embed-limit", "1")
    assert code == 0, err
    assert "field_guide.pdf" in out  # the ingest table
    assert "not embedded:" in err and "over the ingest limit of 1" in err and "lcagent embed" in err
    assert vector_rows(tmp_path / "ws") == []


def test_embed_fills_in_shows_status_and_removes(capsys, tmp_path, example_pdf, minilm):
    ws_dir = str(tmp_path / "ws")
    run(capsys, "ingest", str(example_pdf), "-w", ws_dir, "--no-embed")
    code, out, err = run(capsys, "embed", "--status", "-w", ws_dir, "--json")
    assert code == 0, err
    [status] = json.loads(out)
    assert status["embedded_chunks"] == 0 and status["chunks"] > 0

    code, out, err = run(capsys, "embed", "field_guide.pdf", "--limit", "2", "-w", ws_dir, "--json")
    assert code == 0, err
    assert json.loads(out)[0]["embedded_now"] == 2 and json.loads(out)[0]["embedded_chunks"] == 2

    code, out, err = run(capsys, "embed", "-w", ws_dir)  # every document, the rest of the chunks
    assert code == 0, err
    assert "embedded now" in out and MODEL_TAG in out
    code, out, _ = run(capsys, "embed", "--status", "-w", ws_dir, "--json")
    assert json.loads(out)[0]["embedded_chunks"] == status["chunks"]

    code, out, err = run(capsys, "embed", "field_guide.pdf", "--remove", "-w", ws_dir)
    assert code == 0 and "removed" in out and vector_rows(ws_dir) == []


def test_rm_removes_the_vectors_with_the_document(capsys, tmp_path, example_pdf, minilm):
    ws_dir = str(tmp_path / "ws")
    run(capsys, "ingest", str(example_pdf), "-w", ws_dir)
    assert vector_rows(ws_dir)
    code, _, err = run(capsys, "rm", "field_guide.pdf", "-w", ws_dir)
    assert code == 0, err
    assert vector_rows(ws_dir) == []


def test_embed_names_an_unknown_document_in_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "embed", "nothing.pdf", "-w", str(tmp_path / "ws"))
    assert code == 1 and "no document 'nothing.pdf'" in err and "Traceback" not in err
