"""Tools: schemas, bounded outputs, paging, errors as text, and the read-only sandbox."""

import hashlib
import json
import random
import time

from cpu_load import busy_machine
from lcagent.memory.workspace import NewDocument, Workspace
from lcagent.records import Document, Page
from lcagent.tools import Limits, ToolContext, call, get_tools, openai_tools


def fingerprint(ws) -> dict:
    files = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.path.rglob("*") if p.is_file() and "-wal" not in p.name and "-shm" not in p.name}
    counts = {t: ws.db[t].count for t in ("documents", "pages", "chunks")}
    return {"files": {k: v for k, v in files.items() if not k.endswith(".db")}, "counts": counts}


def test_openai_schemas_are_complete():
    schemas = openai_tools()
    assert [s["function"]["name"] for s in schemas] == ["list_docs", "search", "grep", "read", "count", "word_frequencies"]
    search = next(s for s in schemas if s["function"]["name"] == "search")["function"]
    assert search["parameters"]["required"] == ["query"]
    assert search["parameters"]["additionalProperties"] is False
    assert search["description"].startswith("Find the passages")
    json.dumps(schemas)  # serialisable as-is


def test_each_tool_answers_from_the_document(guide):
    ws, doc = guide
    context = ToolContext(ws)
    assert "guide.txt" in call("list_docs", "{}", context).text
    found = call("search", {"query": "Harrow Point automated"}, context)
    assert found.ok and "1987" in found.text and "p. 3" in found.text
    grep = call("grep", {"pattern": r"\d+ storms", "context": 1}, context)
    assert grep.ok and grep.text.count("line") == 1 and "p. 4 line" in grep.text
    read = call("read", {"pages": "4"}, context)
    assert read.ok and "219 steps" in read.text and read.text.splitlines()[0].startswith("--- guide.txt p. 4")
    lines = call("read", {"lines": "1-2"}, context)
    assert lines.text.splitlines()[1] == "1: Front matter"
    count = call("count", {"pattern": "dazzling-bat"}, context)
    assert count.data["total"] == 2 and count.data["pages"] == {5: 2}
    words = call("word_frequencies", {"top": 3}, context)
    assert words.data[0] == ("light", 4)


def test_output_is_bounded_and_says_how_to_page_on(guide):
    ws, _ = guide
    small = ToolContext(ws, limits=Limits(max_chars=120, max_items=2))
    result = call("grep", {"pattern": "e"}, small)
    assert result.truncated
    assert "offset=2" in result.text or "output truncated" in result.text
    page_two = call("grep", {"pattern": "e", "offset": 2}, ToolContext(ws, limits=Limits(max_items=2)))
    assert page_two.ok and page_two.data and page_two.data[0].doc_line > result.data[0].doc_line


def test_model_mistakes_come_back_as_text(guide):
    ws, _ = guide
    context = ToolContext(ws)
    cases = {
        ("search", "{not json"): "not valid JSON",
        ("search", '{"query": ""}'): "bad arguments",
        ("search", '{"query": "x", "rm": "-rf"}'): "bad arguments",
        ("grep", '{"pattern": "(("}'): "invalid regular expression",
        ("read", '{"pages": "90"}'): "does not exist",
        ("read", '{"doc": "/etc/passwd", "pages": "1"}'): "no document",
        ("read", '{"doc": "../../../etc/shadow", "pages": "1"}'): "no document",
        ("shell", '{"cmd": "rm -rf ~"}'): "no tool",
    }
    for (name, arguments), expected in cases.items():
        result = call(name, arguments, context)
        assert not result.ok and expected in result.text, (name, arguments, result.text)


def test_catastrophic_regex_hits_the_time_limit(guide):
    ws, doc = guide
    (ws.path.parent / "long.txt").write_text("a" * 5000 + "!")
    from lcagent.ingest import ingest_file

    ingest_file(ws, ws.path.parent / "long.txt")
    result = call("grep", {"pattern": "(a+)+$"}, ToolContext(ws, limits=Limits(seconds=0.2)))
    assert not result.ok and "took longer" in result.text


def test_tools_never_write(guide):
    ws, doc = guide
    before = fingerprint(ws)
    context = ToolContext(ws)
    for tool in get_tools():
        arguments = {"list_docs": {}, "search": {"query": "keeper"}, "grep": {"pattern": "keeper"},
                     "read": {"pages": "1-5"}, "count": {"pattern": "keeper"}, "word_frequencies": {}}[tool.name]
        assert tool.call(arguments, context).ok
    assert fingerprint(ws) == before


def test_scope_limits_documents(guide, tmp_path):
    ws, doc = guide
    other = tmp_path / "other.txt"
    other.write_text("A secret about the Merrow Sands light.")
    from lcagent.ingest import ingest_file

    hidden = ingest_file(ws, other).document
    scoped = ToolContext(ws, doc_ids=[doc.id])
    hidden_search = call("search", {"query": "Merrow Sands secret"}, scoped)
    assert hidden_search.data == [] and "no passages match" in hidden_search.text
    refused = call("read", {"doc": hidden.id, "pages": "1"}, scoped)
    assert not refused.ok and "not available" in refused.text


def store_long_document(ws, pages: int, lines_per_page: int = 50, line: str | None = None):
    """A long document stored directly (no chunking): the tools below read pages only."""
    rng = random.Random(pages)
    words = ["keeper", "lantern", "storm", "gallery", "tide", "harbour", "signal", "beacon", "fog", "rock"]
    texts = [
        "\n".join(line or " ".join(rng.choice(words) for _ in range(12)) for _ in range(lines_per_page))
        for _ in range(pages)
    ]
    doc_id = hashlib.sha256("\f".join(texts).encode()).hexdigest()
    stored, char_start, line_start = [], 0, 1
    for index, text in enumerate(texts, start=1):
        stored.append(Page(doc_id, index, str(index), text, char_start, line_start))
        char_start += len(text) + 1
        line_start += text.count("\n") + 1
    document = Document(doc_id, "long.txt", str(ws.path / "long.txt"), "text", char_start, pages, 0, 0,
                        "2024-01-01T00:00:00+00:00")
    return ws.add_document(NewDocument(document, stored, [])).document


LIMIT = 0.6
SLACK = 0.35  # thread hand-off and bounding the output; the issue saw +2.5 s on grep and +5 s on word_frequencies


def timed_call(name: str, arguments: dict, context: ToolContext):
    started = time.monotonic()
    result = call(name, arguments, context)
    return result, time.monotonic() - started


def test_every_counting_tool_stops_at_its_wall_clock_limit(tmp_path):
    ws = Workspace(tmp_path / "ws")
    document = store_long_document(ws, pages=1500)  # about 5 MB: word_frequencies alone takes seconds
    context = ToolContext(ws, limits=Limits(seconds=LIMIT))
    with busy_machine():
        for name, arguments in (("word_frequencies", {"doc": document.id}),
                                ("count", {"pattern": r"(\w+\s?)+\d", "literal": False, "whole_word": False,
                                           "doc": document.id}),
                                ("grep", {"pattern": r"(\w+\s?)+\d"})):  # exponential backtracking
            result, seconds = timed_call(name, arguments, context)
            assert not result.ok and f"took longer than {LIMIT:g} s" in result.text, (name, result.text)
            assert seconds < LIMIT + SLACK, (name, seconds)
    ws.close()


def test_one_catastrophic_line_stops_at_the_limit_on_a_busy_machine(tmp_path):
    ws = Workspace(tmp_path / "ws")
    store_long_document(ws, pages=1, lines_per_page=1, line="a" * 60 + "!")
    with busy_machine():
        result, seconds = timed_call("grep", {"pattern": "(a|aa)+$"}, ToolContext(ws, limits=Limits(seconds=LIMIT)))
    assert not result.ok and "took longer" in result.text
    assert seconds < LIMIT + SLACK, seconds
    ws.close()
