"""The document commands as a user runs them, through the real entry point."""

import json
import subprocess
import sys
import time

import pytest

from lcagent.cli import main
from lcagent.memory.workspace import Workspace
from pdf_fixtures import (
    PASSWORD,
    make_binary_file,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_labelled_pdf,
    make_text_renamed_pdf,
    make_truncated_pdf,
    make_zero_page_pdf,
)


@pytest.fixture
def ws_dir(tmp_path):
    return tmp_path / "ws"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def state(ws_dir):
    ws = Workspace(ws_dir)
    try:
        return (
            ws.db["documents"].count,
            ws.db["pages"].count,
            ws.db["chunks"].count,
            sorted(p.name for p in ws.files_root.iterdir()),
        )
    finally:
        ws.close()


def test_ingest_docs_search_show_rm_roundtrip(capsys, ws_dir, example_pdf):
    code, out, err = run(capsys, "ingest", str(example_pdf), "-w", str(ws_dir), "--json")
    assert code == 0, err
    ingested = json.loads(out)["ingested"][0]
    assert ingested["status"] == "new" and ingested["pages"] == 11 and ingested["kind"] == "pdf"

    code, out, _ = run(capsys, "docs", "-w", str(ws_dir), "--json")
    assert [d["name"] for d in json.loads(out)] == ["field_guide.pdf"]

    code, out, _ = run(capsys, "search", "field_guide.pdf", "Harrow Point automated", "-w", str(ws_dir), "--json")
    hits = json.loads(out)
    assert code == 0 and hits
    assert "[" in hits[0]["snippet"]  # matched terms are marked

    code, out, _ = run(capsys, "show", ingested["id"][:8], "--pages", "i", "-w", str(ws_dir), "--json")
    shown = json.loads(out)
    assert code == 0 and shown[0]["page"] == 1 and shown[0]["label"] == "i"

    code, out, _ = run(capsys, "search", "field_guide.pdf", "--grep", r"\b1[0-9]{3}\b", "-w", str(ws_dir), "--json")
    assert code == 0 and all(h["page_label"] for h in json.loads(out))

    code, out, _ = run(capsys, "ingest", str(example_pdf), "-w", str(ws_dir), "--json")
    assert json.loads(out)["ingested"][0]["status"] == "unchanged"

    code, out, _ = run(capsys, "rm", "field_guide.pdf", "-w", str(ws_dir))
    assert code == 0 and "removed" in out
    assert state(ws_dir) == (0, 0, 0, [])


def test_show_bad_page_range_is_one_line(capsys, ws_dir, example_pdf):
    run(capsys, "ingest", str(example_pdf), "-w", str(ws_dir))
    code, _, err = run(capsys, "show", "field_guide.pdf", "--pages", "40-45", "-w", str(ws_dir))
    assert code == 1 and "pages 1-11" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR NOT", "NEAR(a b", "*", "col:umn", "🙂 ^ $"])
def test_any_query_text_is_safe(capsys, ws_dir, example_pdf, query):
    run(capsys, "ingest", str(example_pdf), "-w", str(ws_dir))
    code, _, err = run(capsys, "search", "field_guide.pdf", query, "-w", str(ws_dir))
    assert code == 0, err


def bad_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    no_supported = tmp_path / "images"
    no_supported.mkdir()
    (no_supported / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    links = tmp_path / "links"
    links.mkdir()
    (links / "report.txt").symlink_to(tmp_path / "empty.txt")
    control = tmp_path / "bad\x1b[31mname.txt"
    control.write_text("hello")
    return {
        "missing file": ([str(tmp_path / "nope.pdf")], "does not exist"),
        "directory with no supported files": ([str(no_supported)], "no supported files"),
        "empty file": ([str(empty)], "empty"),
        "non-PDF renamed .pdf": ([str(make_text_renamed_pdf(tmp_path))], "not a PDF"),
        "truncated PDF": ([str(make_truncated_pdf(tmp_path))], "truncated"),
        "encrypted PDF without password": ([str(make_encrypted_pdf(tmp_path))], "--password"),
        "encrypted PDF with wrong password": (
            [str(make_encrypted_pdf(tmp_path, name="enc2.pdf")), "--password", "wrong"],
            "password",
        ),
        "binary file": ([str(make_binary_file(tmp_path))], "binary"),
        "PDF with zero pages": ([str(make_zero_page_pdf(tmp_path))], "zero pages"),
        "control characters in the name": ([str(control)], "control characters"),
        "missing file behind '..'": ([str(tmp_path / "sub" / ".." / "nope.txt")], "does not exist"),
        "directory of symbolic links": ([str(links)], "links inside a folder are not followed"),
    }


CASES = [
    "missing file", "directory with no supported files", "empty file", "non-PDF renamed .pdf", "truncated PDF",
    "encrypted PDF without password", "encrypted PDF with wrong password", "binary file", "PDF with zero pages",
    "control characters in the name", "missing file behind '..'", "directory of symbolic links",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_nonzero_and_changes_nothing(capsys, tmp_path, ws_dir, example_pdf, case):
    run(capsys, "ingest", str(example_pdf), "-w", str(ws_dir))
    before = state(ws_dir)
    argv, expected = bad_inputs(tmp_path)[case]
    code, out, err = run(capsys, "ingest", *argv, "-w", str(ws_dir))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:") and expected.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in err
    assert state(ws_dir) == before


def test_encrypted_pdf_with_password_ingests(capsys, tmp_path, ws_dir):
    path = make_encrypted_pdf(tmp_path)
    code, out, err = run(capsys, "ingest", str(path), "--password", PASSWORD, "-w", str(ws_dir), "--json")
    assert code == 0, err
    assert json.loads(out)["ingested"][0]["pages"] >= 1


def test_image_only_pdf_is_stored_with_a_warning(capsys, tmp_path, ws_dir):
    code, out, err = run(capsys, "ingest", str(make_image_only_pdf(tmp_path)), "-w", str(ws_dir))
    assert code == 0
    assert "no text layer" in err and "OCR is not included" in err
    assert state(ws_dir)[0] == 1


def test_directory_and_glob_ingest(capsys, tmp_path, ws_dir):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Alpha\nThe alpha note.")
    (folder / "b.txt").write_text("The beta note.")
    (folder / "skip.jpg").write_bytes(b"\xff\xd8")
    make_labelled_pdf(folder)
    code, out, err = run(capsys, "ingest", str(folder), "-w", str(ws_dir), "--json")
    assert code == 0, err
    assert sorted(d["name"] for d in json.loads(out)["ingested"]) == ["a.md", "b.txt", "labelled.pdf"]
    code, out, err = run(capsys, "ingest", str(folder / "*.md"), "-w", str(ws_dir), "--json")
    assert json.loads(out)["ingested"][0]["status"] == "unchanged"


def test_console_script_help_teaches():
    result = subprocess.run([sys.executable, "-m", "lcagent.cli", "ingest", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "Examples:" in result.stdout and "lcagent ingest report.pdf" in result.stdout


def test_a_file_named_like_a_glob_is_that_file(capsys, tmp_path, ws_dir):
    folder = tmp_path / "reports"
    folder.mkdir()
    exact = folder / "report[1].txt"
    exact.write_text("The report with brackets in its name.")
    (folder / "report1.txt").write_text("The report the pattern report[1].txt would match.")
    code, out, err = run(capsys, "ingest", str(exact), "-w", str(ws_dir), "--json")
    assert code == 0, err
    assert [d["name"] for d in json.loads(out)["ingested"]] == ["report[1].txt"]
    code, out, err = run(capsys, "show", "report[1].txt", "-w", str(ws_dir), "--json")
    assert code == 0 and "brackets in its name" in json.loads(out)[0]["text"]
    # a pattern that names no file is still a pattern
    code, out, err = run(capsys, "ingest", str(folder / "report[0-9].txt"), "-w", str(ws_dir), "--json")
    assert code == 0 and [d["name"] for d in json.loads(out)["ingested"]] == ["report1.txt"]


def test_relative_dotdot_path_is_the_same_file_as_its_absolute_path(capsys, tmp_path, ws_dir, monkeypatch):
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>Harrow Point</h1><p>The light was automated in 1987.</p></body></html>")
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    code, out, err = run(capsys, "ingest", "../page.html", "-w", str(ws_dir), "--json")
    assert code == 0, err
    first = json.loads(out)["ingested"][0]
    assert first["status"] == "new" and first["path"] == str(page)
    code, out, err = run(capsys, "ingest", str(inside / ".." / "page.html"), "-w", str(ws_dir), "--json")
    again = json.loads(out)["ingested"][0]
    assert code == 0 and (again["id"], again["status"]) == (first["id"], "unchanged")
    code, out, err = run(capsys, "show", "../page.html", "-w", str(ws_dir), "--json")
    assert code == 0 and "automated in 1987" in json.loads(out)[0]["text"]


def test_the_same_bytes_under_a_second_name_answer_to_both_names(capsys, tmp_path, ws_dir):
    guide = tmp_path / "guide.txt"
    copy = tmp_path / "copy.txt"
    guide.write_text("The Harrow Point light was automated in 1987.")
    copy.write_bytes(guide.read_bytes())
    code, out, err = run(capsys, "ingest", str(guide), str(copy), "-w", str(ws_dir), "--json")
    assert code == 0, err
    statuses = [(d["name"], d["status"]) for d in json.loads(out)["ingested"]]
    assert statuses == [("guide.txt", "new"), ("guide.txt", "already ingested")]
    for name in ("copy.txt", str(copy), "guide.txt"):
        code, out, err = run(capsys, "show", name, "-w", str(ws_dir), "--json")
        assert code == 0 and "automated in 1987" in json.loads(out)[0]["text"], (name, err)
    code, out, _ = run(capsys, "docs", "-w", str(ws_dir), "--json")
    assert [d["paths"] for d in json.loads(out)] == [[str(guide), str(copy)]]
    code, out, err = run(capsys, "ingest", str(copy), "-w", str(ws_dir), "--json")
    assert json.loads(out)["ingested"][0]["status"] == "unchanged"

    copy.write_text("The copy was edited: the light was automated in 1988.")
    code, out, err = run(capsys, "ingest", str(copy), "-w", str(ws_dir), "--json")
    edited = json.loads(out)["ingested"][0]
    assert (edited["status"], edited["version"], edited["name"]) == ("new version", 2, "copy.txt")
    code, out, _ = run(capsys, "show", "copy.txt", "-w", str(ws_dir), "--json")
    assert "1988" in json.loads(out)[0]["text"]
    code, out, _ = run(capsys, "show", "guide.txt", "-w", str(ws_dir), "--json")
    assert "1987" in json.loads(out)[0]["text"]


def test_a_catastrophic_grep_stops_at_its_time_limit(capsys, tmp_path, ws_dir):
    path = tmp_path / "long.txt"
    path.write_text(("a" * 40 + "!\n") * 20)
    run(capsys, "ingest", str(path), "-w", str(ws_dir))
    started = time.monotonic()
    # exponential backtracking on every line: it would run for years
    code, out, err = run(capsys, "search", "long.txt", "--grep", "(a|aa)+$", "--max-seconds", "1", "-w", str(ws_dir))
    elapsed = time.monotonic() - started
    assert code == 1 and elapsed < 3, elapsed
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "longer than 1 s" in lines[0] and "--max-seconds" in lines[0]
