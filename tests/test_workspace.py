"""The workspace on both backends (SQLite and PostgreSQL, through ``any_workspace`` /
``workspace_spec``): migrations, content-hash versions, indexes, atomicity, concurrent writers.
The SQLite workspace's page files, crash recovery and sweeping are tested at the end."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lcagent.ingest import ingest_file
from lcagent.memory.migrations import MIGRATIONS
from lcagent.memory.search_text import fts_query
from lcagent.memory.workspace import DocumentNotFound, Workspace, WorkspaceError

PAGES = [
    "The Harrow Point light was built in 1861.\nIts first keeper was Tomas Reyes.",
    "In 1987 the light was automated.\nThe fog signal sounded 4,112 times that winter.",
    "Appendix: storm log.\nAda Lindqvist logged 312 storms [sic] (estimated).",
]


def write_doc(path: Path, pages=PAGES) -> Path:
    path.write_text("\f".join(pages), encoding="utf-8")
    return path


def count(ws: Workspace, table: str) -> int:
    return ws.sql.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def snapshot(ws: Workspace) -> dict:
    """Every row the workspace holds, per table, and (SQLite) its index entries and page files."""
    tables = ["documents", "pages", "chunks", "document_paths", *ws.sql.per_document_tables()]
    counts = {table: count(ws, table) for table in sorted(set(tables))}
    if ws.sql.dialect == "sqlite":
        counts["fts"] = count(ws, "chunks_fts")
        counts["trigram"] = count(ws, "pages_trigram")
        counts["files"] = sorted(str(p.relative_to(ws.files_root)) for p in ws.files_root.rglob("*"))
    return counts


def test_migrations_are_recorded_once(workspace_spec):
    ws = Workspace(workspace_spec)
    names = [row["name"] for row in ws.sql.query("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]  # every migration, once, in the order defined
    ws.close()
    again = Workspace(workspace_spec)
    assert count(again, "_migrations") == len(MIGRATIONS)
    if again.sql.dialect == "sqlite":
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_ingest_stores_pages_chunks_and_indexes(any_workspace, tmp_path):
    workspace = any_workspace
    result = ingest_file(workspace, write_doc(tmp_path / "guide.txt"))
    doc = result.document
    assert result.status == "new" and doc.pages == 3 and doc.version == 1
    pages = workspace.pages(doc.id)
    assert [p.text for p in pages] == PAGES
    assert [p.line_start for p in pages] == [1, 3, 5]
    assert [p.label for p in pages] == ["1", "2", "3"]
    text = workspace.text(doc.id)
    for chunk in workspace.chunks(doc.id):
        assert text[chunk.char_start : chunk.char_end] == chunk.text
    hits = workspace.search("When was the light automated?", doc_ids=[doc.id])
    assert hits and "automated" in hits[0].chunk.text
    assert "\x02automated\x03" in hits[0].snippet  # matched words marked, the rest verbatim
    assert hits[0].snippet.replace("\x02", "").replace("\x03", "").strip("…") in hits[0].chunk.text
    grep = workspace.grep(r"\d+ storms", doc_ids=[doc.id])
    assert [(h.page_index, h.line, h.doc_line) for h in grep] == [(3, 2, 6)]
    assert workspace.document_frequency("Harrow Point", [doc.id]) == (1, doc.chunks)
    assert workspace.document_frequency("Harrow Lindqvist", [doc.id]) == (0, doc.chunks)
    assert workspace.documents_containing("Harrow Point", [doc.id, "0" * 64]) == {doc.id}
    assert workspace.documents_containing("Harrow Lindqvist", [doc.id]) == set()


def test_search_ranks_rare_terms_first_and_filters_by_document(any_workspace, tmp_path):
    workspace = any_workspace
    common = [f"Page {n}: the keeper wrote about the weather and the keeper's lamp." for n in range(8)]
    first = ingest_file(workspace, write_doc(tmp_path / "log.txt", common + ["The keeper saw a basking shark."])).document
    other = ingest_file(workspace, write_doc(tmp_path / "other.txt", ["A basking shark swam past the pier."])).document
    hits = workspace.search("keeper basking shark", doc_ids=[first.id], k=3)
    assert hits[0].chunk.doc_id == first.id and "shark" in hits[0].chunk.text  # rare words outweigh the common one
    assert all(hit.chunk.doc_id == first.id for hit in hits)
    assert {hit.chunk.doc_id for hit in workspace.search("basking shark", k=10)} == {first.id, other.id}
    assert workspace.search("keeper lamp", mode="all", doc_ids=[other.id]) == []
    assert [h.chunk.doc_id for h in workspace.search("basking shark swam", mode="phrase")] == [other.id]


def test_reingest_same_bytes_is_a_lookup(any_workspace, tmp_path, monkeypatch):
    workspace = any_workspace
    path = write_doc(tmp_path / "guide.txt")
    first = ingest_file(workspace, path)
    import lcagent.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "load_document", lambda *a, **k: pytest.fail("re-parsed unchanged bytes"))
    again = ingest_file(workspace, path)
    assert again.status == "unchanged" and again.document == first.document
    copy = write_doc(tmp_path / "copy.txt")  # same bytes, other name: still one document
    assert ingest_file(workspace, copy).document.id == first.document.id
    assert count(workspace, "documents") == 1


def test_changed_file_becomes_new_version(any_workspace, tmp_path):
    workspace = any_workspace
    path = write_doc(tmp_path / "guide.txt")
    v1 = ingest_file(workspace, path).document
    write_doc(path, PAGES + ["A fourth page about the 1990 refit."])
    result = ingest_file(workspace, path)
    assert result.status == "new version" and result.document.version == 2
    assert workspace.resolve(str(path)).id == result.document.id
    assert [d.id for d in workspace.documents()] == [result.document.id]
    assert {d.id for d in workspace.documents(all_versions=True)} == {v1.id, result.document.id}
    assert workspace.resolve(v1.id[:10]).version == 1


def test_resolve_by_id_prefix_path_and_name(any_workspace, tmp_path):
    workspace = any_workspace
    doc = ingest_file(workspace, write_doc(tmp_path / "guide.txt")).document
    assert workspace.resolve(doc.id) == doc
    assert workspace.resolve(doc.id[:6]) == doc
    assert workspace.resolve(str(tmp_path / "guide.txt")) == doc
    assert workspace.resolve("guide.txt") == doc
    with pytest.raises(DocumentNotFound, match="lcagent ingest"):
        workspace.resolve("nothing.pdf")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_arbitrary_query_text_never_breaks_search(request, tmp_path_factory, backend, query):
    ws = _shared_search_workspace(request, tmp_path_factory, backend)
    for mode in ("any", "all", "phrase"):
        ws.search(query, mode=mode)  # must not raise
    ws.document_frequency(query)
    if len(query) >= 3 and "\x00" not in query:
        assert all(query.lower() in hit.text.lower() for hit in ws.grep(query, regex=False, ignore_case=True))


_SEARCH_WS: dict = {}


def _shared_search_workspace(request, factory, backend: str) -> Workspace:
    if backend not in _SEARCH_WS:
        root = factory.mktemp("search")
        if backend == "sqlite":
            spec = root / "ws"
        else:
            server = request.getfixturevalue("postgres_server")
            spec = server.url(server.new_schema())
        ws = Workspace(spec)
        ingest_file(ws, write_doc(root / "g.txt"))
        _SEARCH_WS[backend] = ws
    return _SEARCH_WS[backend]


def test_fts_query_quotes_operators():
    assert fts_query('NEAR("a" OR b) AND -c*') == '"NEAR" OR "b" OR "c"'  # a/or/and are stop words
    assert fts_query("the", mode="any") == '"the"'  # stopwords only: keep them rather than nothing
    assert fts_query("Harrow Point", mode="phrase") == '"Harrow Point"'
    assert fts_query("?!") is None


def test_grep_literal_uses_trigram_and_respects_case(any_workspace, tmp_path):
    workspace = any_workspace
    doc = ingest_file(workspace, write_doc(tmp_path / "g.txt")).document
    assert workspace.grep("[sic]", regex=False, doc_ids=[doc.id])[0].page_index == 3
    assert workspace.grep("harrow point", regex=False) == []
    hits = workspace.grep("harrow point", regex=False, ignore_case=True, context=1)
    assert hits[0].page_index == 1 and hits[0].after == ("Its first keeper was Tomas Reyes.",)
    assert [h.page_index for h in workspace.grep("4,112", regex=False)] == [2]
    assert workspace.grep("100%", regex=False) == []  # LIKE's wildcards are plain text here
    with pytest.raises(WorkspaceError, match="invalid regular expression"):
        workspace.grep("([unclosed")


def test_remove_deletes_everything_kept_about_the_document(any_workspace, tmp_path):
    workspace = any_workspace
    kept = ingest_file(workspace, write_doc(tmp_path / "kept.txt", ["Another light, another keeper."])).document
    before = snapshot(workspace)
    doc = ingest_file(workspace, write_doc(tmp_path / "g.txt")).document
    workspace.tags.add([doc.id, kept.id], "lights")
    workspace.memex.archive(doc.id, "a finding", "The light was automated in 1987.")
    workspace.hypergraph.insert(doc.id, "automated", ["Harrow Point", "1987"])
    from lcagent.memory.vectors import ChunkVector
    import numpy as np

    workspace.vectors.add(doc.id, "m", [ChunkVector(0, 0, 0, 10, np.ones(4, dtype=np.float32) / 2)])
    from lcagent.records import Table, TableCell, TableRow

    workspace.tables.replace(doc.id, [Table(page_index=2, title="Signals", units=None, columns=["Year", "Times"],
                                            rows=[TableRow("1987", [TableCell("4,112", 4112.0)], "1987 4,112")])])
    workspace.remove(doc.id)
    after = snapshot(workspace)
    after.pop("document_tags"), before.pop("document_tags")
    assert after == before  # every row of the document went, in every table; the other's stayed
    assert workspace.tags.tags(kept.id) == ["lights"] and workspace.tags.documents("lights") == [kept.id]
    assert workspace.search("automated") == [] and workspace.grep("storms") == []
    assert [d.id for d in workspace.documents()] == [kept.id]


def _interrupt_inside_the_write(workspace, monkeypatch) -> None:
    """Make the next ingest raise KeyboardInterrupt (Ctrl-C) after some of its rows are written."""
    if workspace.sql.dialect == "sqlite":
        original = workspace.db.execute

        def explode(sql, *args, **kwargs):
            if sql.startswith("INSERT INTO pages_trigram"):
                raise KeyboardInterrupt
            return original(sql, *args, **kwargs)

        monkeypatch.setattr(workspace.db, "execute", explode)
    else:
        original = workspace.sql.copy_rows

        def explode(table, columns, rows):
            if table == "chunks":  # the document and its pages are in, its chunks not yet
                raise KeyboardInterrupt
            return original(table, columns, rows)

        monkeypatch.setattr(workspace.sql, "copy_rows", explode)


def test_interrupt_during_commit_leaves_nothing(any_workspace, tmp_path, monkeypatch):
    workspace = any_workspace
    ingest_file(workspace, write_doc(tmp_path / "keep.txt", ["kept document"]))
    before = snapshot(workspace)
    _interrupt_inside_the_write(workspace, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(workspace, write_doc(tmp_path / "g.txt"))
    monkeypatch.undo()
    assert snapshot(workspace) == before
    assert ingest_file(workspace, tmp_path / "g.txt").status == "new"  # and the workspace still works


INGEST_MANY = textwrap.dedent(
    """
    import sys
    from lcagent.memory.workspace import Workspace
    from lcagent.ingest import ingest_file
    ws = Workspace(sys.argv[1])
    for path in sys.argv[2:]:
        ingest_file(ws, path)
    """
)


def test_two_processes_ingesting_at_once_lose_nothing(workspace_spec, tmp_path):
    files = []
    for n in range(24):
        pages = [f"Document {n} page {p}: " + f"the tide rose {n * 10 + p} centimetres. " * 40 for p in range(4)]
        files.append(write_doc(tmp_path / f"doc{n}.txt", pages))
    shared = write_doc(tmp_path / "shared.txt")
    groups = [[str(shared)] + [str(f) for f in files[0::2]], [str(shared)] + [str(f) for f in files[1::2]]]
    workers = [
        subprocess.Popen([sys.executable, "-c", INGEST_MANY, str(workspace_spec), *group], stderr=subprocess.PIPE)
        for group in groups
    ]
    for worker in workers:
        assert worker.wait(timeout=300) == 0, worker.stderr.read().decode()
    ws = Workspace(workspace_spec)
    assert count(ws, "documents") == 25
    assert count(ws, "pages") == 24 * 4 + 3
    if ws.sql.dialect == "sqlite":
        assert count(ws, "chunks_fts") == count(ws, "chunks")
        assert len(list(ws.files_root.iterdir())) == 25
    for n in (0, 7, 23):
        hits = ws.search(f"Document {n} page 2", mode="phrase")
        assert hits and hits[0].chunk.page_start <= 3 <= hits[0].chunk.page_end
    ws.close()


RACE_TO_ADD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from lcagent.memory.workspace import Workspace
    from lcagent.ingest import ingest_file
    barrier, me = Path(sys.argv[3]), sys.argv[4]
    real_add = Workspace.add_document
    def add_after_both_parsed(self, new):
        # both processes have hashed and parsed the file before either stores it
        (barrier / me).touch()
        while len(list(barrier.iterdir())) < 2:
            time.sleep(0.01)
        return real_add(self, new)
    Workspace.add_document = add_after_both_parsed
    print(ingest_file(Workspace(sys.argv[1]), sys.argv[2]).status)
    """
)


def test_two_processes_ingesting_one_file_at_once_report_new_once(workspace_spec, tmp_path):
    path = write_doc(tmp_path / "guide.txt")
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    Workspace(workspace_spec).close()  # migrated before the race
    workers = [
        subprocess.Popen([sys.executable, "-c", RACE_TO_ADD, str(workspace_spec), str(path), str(barrier), name],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    statuses = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        statuses.append(out.strip())
    assert sorted(statuses) == ["new", "unchanged"]
    with Workspace(workspace_spec) as ws:
        assert count(ws, "documents") == 1 and count(ws, "pages") == len(PAGES)
        if ws.sql.dialect == "sqlite":
            assert [p.name for p in ws.files_root.iterdir()] == [ws.documents()[0].id[:16]]


def test_same_bytes_under_another_path_become_a_second_name(any_workspace, tmp_path):
    workspace = any_workspace
    first = ingest_file(workspace, write_doc(tmp_path / "guide.txt"))
    second = ingest_file(workspace, write_doc(tmp_path / "copy.txt"))
    assert (second.status, second.document) == ("already ingested", first.document)
    assert workspace.paths(first.document.id) == [str(tmp_path / "guide.txt"), str(tmp_path / "copy.txt")]
    assert workspace.resolve("copy.txt") == workspace.resolve("guide.txt") == first.document
    assert workspace.resolve(str(tmp_path / "copy.txt")) == first.document
    workspace.remove(first.document.id)
    assert count(workspace, "document_paths") == 0
    with pytest.raises(DocumentNotFound):
        workspace.resolve("copy.txt")


def test_a_path_names_the_document_last_ingested_from_it(any_workspace, tmp_path):
    workspace = any_workspace
    path = write_doc(tmp_path / "guide.txt")
    v1 = ingest_file(workspace, path).document
    write_doc(path, PAGES + ["A fourth page."])
    v2 = ingest_file(workspace, path).document
    write_doc(path)  # reverted to the first bytes
    reverted = ingest_file(workspace, path)
    assert reverted.document == v1 and workspace.resolve("guide.txt") == v1
    assert workspace.documents() == [v1]  # the path names v1 again; v2 is an older version now
    write_doc(path, ["A third text."])
    v3 = ingest_file(workspace, path).document
    assert (v2.version, v3.version) == (2, 3)  # versions never repeat, even after a revert


def test_time_limit_stops_sql(any_workspace, tmp_path):
    workspace = any_workspace
    ingest_file(workspace, write_doc(tmp_path / "g.txt"))
    slow = {"sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
            "postgresql": "SELECT pg_sleep(5)"}[workspace.sql.dialect]
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        with workspace.time_limit(0.3):
            workspace.sql.execute(slow)
    assert time.monotonic() - started < 3
    assert workspace.search("automated")  # the connection still works afterwards


# --- the SQLite workspace's page files -------------------------------------------------------

def test_page_files_mirror_the_database(workspace, tmp_path):
    doc = ingest_file(workspace, write_doc(tmp_path / "guide.txt")).document
    for page in workspace.pages(doc.id):  # the plain-file mirror matches the database byte for byte
        assert workspace.page_file(doc.id, page.index).read_text(encoding="utf-8") == page.text
    workspace.remove(doc.id)
    assert list(workspace.files_root.iterdir()) == []


CRASH_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from lcagent.memory.workspace import Workspace
    from lcagent.ingest import ingest_file
    ws = Workspace(sys.argv[1])
    real_replace = os.replace
    def crash(src, dst):
        real_replace(src, dst)
        os._exit(9)  # killed after the page files moved into place, before COMMIT
    os.replace = crash
    ingest_file(ws, sys.argv[2])
    """
)


def test_hard_crash_before_commit_leaves_no_half_document(tmp_path):
    doc = write_doc(tmp_path / "g.txt")
    result = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(tmp_path / "ws"), str(doc)], capture_output=True)
    assert result.returncode == 9, result.stderr.decode()
    ws = Workspace(tmp_path / "ws")
    assert count(ws, "documents") == 0 and count(ws, "pages") == 0
    leftovers = list(ws.files_root.iterdir())
    assert len(leftovers) == 1  # the orphaned page folder...
    assert ws.sweep() == leftovers  # ...is swept, and the next ingest works
    assert list(ws.files_root.iterdir()) == []
    assert ingest_file(ws, doc).status == "new"
    ws.close()


def test_dead_staging_folders_are_swept_without_the_write_lock(workspace, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    leftover = workspace.files_root / f".tmp-{dead_pid}-deadbeef"
    leftover.mkdir()
    (leftover / "page-0001.txt").write_text("half written")
    live = workspace.files_root / f".tmp-{os.getpid()}-0badf00d"  # a live ingest's folder
    live.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
         "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()", str(workspace.path / "workspace.db")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        assert workspace.sweep(wait=False) == [leftover]
        assert time.monotonic() - started < 0.5
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert [p.name for p in workspace.files_root.iterdir()] == [live.name]
