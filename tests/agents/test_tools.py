"""Tools: schemas, bounded outputs, paging, errors as text, and the read-only sandbox."""

import hashlib
import json

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
