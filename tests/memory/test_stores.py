"""The memex and hypergraph stores on both backends: rows stored, exact recall, merges that keep
entity unions."""

import pytest

from lcagent.memory.hypergraph import SourceRef
from lcagent.memory.memex import MemexError, TextRef
from lcagent.memory.workspace import WorkspaceError

EXACT = "line one\r\n\ttabbed  trailing  \nunicode: Ålesund — “quotes” ✓ 😀\n\n  last line without newline"


def test_migrations_are_recorded_in_order(any_films):
    ws, _ = any_films
    from lcagent.memory.migrations import MIGRATIONS

    names = [row["name"] for row in ws.sql.query("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]  # every migration, once, in the order defined
    assert names[2:4] == ["m003_memex", "m004_hypergraph"]
    assert {"memex_entries", "hg_vertices", "hg_units", "hg_incidence", "hg_sources"} <= set(ws.sql.per_document_tables())


def test_archive_and_recall_are_byte_for_byte(any_films):
    ws, doc = any_films
    store = ws.memex
    index = store.archive(doc.id, "a tricky   block\nof text", EXACT, source="tool", key="search x",
                          refs=[TextRef(doc.id, "chunk", 2), TextRef(doc.id, "line", 3, 2)])
    assert index.startswith("m") and index[1:].isdigit()
    assert store.recall(index).encode("utf-8") == EXACT.encode("utf-8")
    row = ws.sql.query("SELECT * FROM memex_entries WHERE id = ?", [int(index[1:])])[0]
    assert (row["doc_id"], row["description"], row["source"], row["key"]) == (doc.id, "a tricky block of text", "tool", "search x")
    entry = store.entry(f"[{index}]")
    assert entry.refs == (TextRef(doc.id, "chunk", 2), TextRef(doc.id, "line", 3, 2))
    assert store.index_map(doc.id) == [f"- [{index}] a tricky block of text"]
    assert store.find(doc.id, "search x").index == index and store.find(doc.id, "search y") is None


def test_archive_span_takes_the_exact_span_between_anchors(any_films):
    ws, doc = any_films
    store = ws.memex
    conversation = "<s1> searched Oslo\n<s2> found  Karel Vos\r\n<s3> recall m4: exact\ttext\n<s4> later"
    index = store.archive_span(doc.id, conversation, "<s2>", "exact\ttext", "steps 2-3")
    assert store.recall(index) == "<s2> found  Karel Vos\r\n<s3> recall m4: exact\ttext"
    assert store.entry(index).source == "span"
    with pytest.raises(MemexError, match="start anchor"):
        store.archive_span(doc.id, conversation, "<s9>", "later", "x")
    with pytest.raises(MemexError, match="does not follow"):
        store.archive_span(doc.id, conversation, "<s3>", "<s1>", "x")


def test_bad_indices_say_what_indices_look_like(any_films):
    ws, _ = any_films
    store = ws.memex
    with pytest.raises(MemexError, match="look like m12"):
        store.recall("entry 3")
    with pytest.raises(MemexError, match="no memory entry"):
        store.recall("m999")


def test_clear_is_per_document_and_indices_are_never_reused(any_films, tmp_path):
    ws, doc = any_films
    store = ws.memex
    first = store.archive(doc.id, "a", "A")
    other = store.archive("other-doc", "b", "B")
    assert store.clear(doc.id) == 1
    assert store.entries(doc.id) == [] and store.recall(other) == "B"
    again = store.archive(doc.id, "c", "C")
    assert int(again[1:]) > int(other[1:]) > int(first[1:])
    ws.remove(doc.id)  # removing a document removes its memory too
    assert store.count(doc.id) == 0


def test_hypergraph_insert_update_and_vertices(any_films):
    ws, doc = any_films
    graph = ws.hypergraph
    unit = graph.insert(doc.id, "Karel Vos was born in Oslo.", ["Karel Vos", "Oslo"], [SourceRef(1, 2, 2)])
    assert unit.entities == ("Karel Vos", "Oslo") and unit.sources == (SourceRef(1, 2, 2),) and unit.status == "live"
    updated = graph.update(unit.id, description="Karel Vos, born in Oslo.", add_entities=["karel  vos", "1971"],
                           add_sources=[SourceRef(1, 2, 2), SourceRef(3, 4, 4)], kinds={"1971": "number"})
    assert updated.entities == ("Karel Vos", "Oslo", "1971")  # the same entity, differently spaced, is one vertex
    assert updated.sources == (SourceRef(1, 2, 2), SourceRef(3, 4, 4))
    assert graph.vertices(doc.id) == [("Karel Vos", "name"), ("Oslo", "name"), ("1971", "number")]
    rows = ws.sql.query("SELECT count(*) AS n FROM hg_incidence WHERE unit_id = ?", [unit.id])
    assert rows[0]["n"] == 3


def test_merge_joins_the_union_of_entities_and_sources(any_films):
    ws, doc = any_films
    graph = ws.hypergraph
    a = graph.insert(doc.id, "A", ["Karel Vos", "Oslo"], [SourceRef(1, 2, 2)])
    b = graph.insert(doc.id, "B", ["Karel Vos", "Northern Tide"], [SourceRef(3, 4, 4)])
    c = graph.insert(doc.id, "C", ["Northern Tide", "Ilse Marrow"], [SourceRef(4, 6, 6), SourceRef(3, 4, 4)])
    merged = graph.merge([a.id, b.id, c.id])
    assert set(merged.entities) == {"Karel Vos", "Oslo", "Northern Tide", "Ilse Marrow"}
    assert len(merged.entities) == 4
    assert merged.sources == (SourceRef(1, 2, 2), SourceRef(3, 4, 4), SourceRef(4, 6, 6))
    assert merged.description == "A B C"
    for old in (a, b, c):
        kept = graph.unit(old.id)
        assert (kept.status, kept.merged_into) == ("merged", merged.id)
    assert [u.id for u in graph.units(doc.id)] == [merged.id]
    assert len(graph.units(doc.id, include_merged=True)) == 4
    with pytest.raises(WorkspaceError, match="already merged"):
        graph.merge([a.id, merged.id])
    with pytest.raises(WorkspaceError, match="merged into"):
        graph.update(a.id, description="x")


def test_neighbourhood_by_entity_and_by_unit(any_films):
    ws, doc = any_films
    graph = ws.hypergraph
    born = graph.insert(doc.id, "born", ["Karel Vos", "Oslo"])
    lead = graph.insert(doc.id, "lead", ["Karel Vos", "Northern Tide"])
    directed = graph.insert(doc.id, "directed", ["Northern Tide", "Ilse Marrow"])
    graph.insert(doc.id, "elsewhere", ["Salt Road", "Pieter Hald"])
    assert [u.id for u in graph.neighbourhood(doc.id, entity="oslo").units] == [born.id]
    two = graph.neighbourhood(doc.id, entity="Oslo", depth=2)
    assert [u.id for u in two.units] == [born.id, lead.id]
    assert two.entities == ("Karel Vos", "Oslo", "Northern Tide")
    three = graph.neighbourhood(doc.id, entity="Oslo", depth=3)
    assert [u.id for u in three.units] == [born.id, lead.id, directed.id]
    around = graph.neighbourhood(doc.id, unit_id=lead.id)
    assert [u.id for u in around.units] == [born.id, lead.id, directed.id]
    with pytest.raises(ValueError):
        graph.neighbourhood(doc.id)
    assert graph.clear(doc.id) == 4
    assert graph.units(doc.id) == [] and graph.vertices(doc.id) == []
