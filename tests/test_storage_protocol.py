"""One storage protocol: both backends implement it, and nothing outside lcagent/memory reaches
a database any other way (no ``.db`` / ``.sql`` handle, no SQL driver, no store built by hand)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from lcagent.memory import storage
from lcagent.memory.migrations import MIGRATIONS
from lcagent.memory.workspace import Workspace

PACKAGE = Path(__file__).resolve().parent.parent / "lcagent"
STORE_PROTOCOLS = {
    "tables": storage.TableStorage, "tags": storage.TagStorage, "vectors": storage.VectorStorage,
    "memex": storage.MemexStorage, "hypergraph": storage.HypergraphStorage, "runs": storage.RunStorage,
}
DRIVERS = ("sqlite3", "sqlite_utils", "psycopg", "langgraph.checkpoint")
STORE_CLASSES = {"TableStore", "TagStore", "VectorStore", "MemexStore", "HypergraphStore", "RunStore"}


def _protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member) for name, member in vars(protocol).items()
        if callable(member) and not name.startswith("_") or name in ("__enter__", "__exit__")
    }


def _same_parameters(implementation, expected: inspect.Signature) -> bool:
    actual = inspect.signature(implementation)
    describe = lambda signature: [(p.name, p.kind) for p in signature.parameters.values() if p.name != "self"]
    return describe(actual) == describe(expected)


def test_both_backends_implement_the_protocol(any_workspace):
    assert isinstance(any_workspace, storage.WorkspaceStorage)
    for name, signature in _protocol_methods(storage.WorkspaceStorage).items():
        assert _same_parameters(getattr(any_workspace, name), signature), name
    for attribute, protocol in STORE_PROTOCOLS.items():
        store = getattr(any_workspace, attribute)
        assert isinstance(store, protocol), attribute
        for name, signature in _protocol_methods(protocol).items():
            assert _same_parameters(getattr(store, name), signature), f"{attribute}.{name}"


def test_postgres_migrations_mirror_sqlite_ones_by_name():
    pytest.importorskip("psycopg")
    from lcagent.memory.postgres.migrations import MIGRATIONS as POSTGRES_MIGRATIONS

    assert [name for name, _ in POSTGRES_MIGRATIONS] == [name for name, _ in MIGRATIONS]


def test_both_backends_have_the_same_tables_and_columns(tmp_path, postgres_url):
    """The schema is the same; only index columns (tsvector, word counts, explicit rowid) are extra."""
    sqlite, postgres = Workspace(tmp_path / "ws"), Workspace(postgres_url)
    try:
        sqlite_tables = {
            table: {column[1] for column in sqlite.db.execute(f"PRAGMA table_info([{table}])").fetchall()}
            for table in sqlite.db.table_names() if not table.startswith(("chunks_fts", "pages_trigram", "sqlite_"))
        }
        postgres_tables: dict[str, set[str]] = {}
        for table, column in postgres.sql.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall():
            postgres_tables.setdefault(table, set()).add(column)
        extra = {"rowid", "fts", "fts_tokens", "embedding"}  # embedding: pgvector's column, where installed
        assert set(postgres_tables) == set(sqlite_tables)
        for table, columns in sqlite_tables.items():
            assert postgres_tables[table] - extra == columns, table
    finally:
        sqlite.close()
        postgres.close()


def _outside_memory() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "memory" not in path.relative_to(PACKAGE).parts[:1]]


def test_nothing_outside_memory_reaches_a_database_directly():
    problems = []
    for path in _outside_memory():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("db", "sql", "conn"):
                problems.append(f"{where}:{node.lineno} uses .{node.attr}")
            elif isinstance(node, ast.Import):
                problems += [f"{where}:{node.lineno} imports {a.name}" for a in node.names if a.name.startswith(DRIVERS)]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(DRIVERS):
                problems.append(f"{where}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in STORE_CLASSES:
                problems.append(f"{where}:{node.lineno} builds {node.func.id} itself; use workspace.<store>")
    assert problems == [], "\n".join(problems)

