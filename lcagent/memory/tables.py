"""Tables read from a document's PDF pages, stored per document and page in the workspace.

Rows live in ``doc_tables`` / ``doc_table_rows`` (migration ``m007_tables``) and go with their
document: ``Workspace.remove`` clears every table keyed by ``doc_id``.
"""

from __future__ import annotations

import json
from typing import Sequence

from lcagent.memory.sql import SqlHandle, as_handle, write_transaction
from lcagent.records import Table, TableCell, TableRow


class TableStore:
    """Store and load a document's tables; takes the workspace's SQL handle (``workspace.tables``)."""

    def __init__(self, db: SqlHandle) -> None:
        self.db = as_handle(db)

    def replace(self, doc_id: str, tables: Sequence[Table]) -> None:
        """Store ``tables`` as the document's tables, replacing any stored before."""
        with write_transaction(self.db):
            self.db.execute("DELETE FROM doc_table_rows WHERE doc_id = ?", [doc_id])
            self.db.execute("DELETE FROM doc_tables WHERE doc_id = ?", [doc_id])
            for table in tables:
                table_id = self.db.execute(
                    "INSERT INTO doc_tables (doc_id, page_index, ordinal, title, units, columns) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    [doc_id, table.page_index, table.ordinal, table.title, table.units,
                     json.dumps(table.columns)]).fetchone()[0]
                self.db.executemany(
                    "INSERT INTO doc_table_rows (table_id, doc_id, ordinal, label, cells, line_text, "
                    "indent, section) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(table_id, doc_id, ordinal, row.label,
                      json.dumps([[cell.text, cell.value] for cell in row.cells]), row.line_text,
                      row.indent, row.section)
                     for ordinal, row in enumerate(table.rows)])

    def tables(self, doc_id: str, pages: Sequence[int] | None = None) -> list[Table]:
        """The document's tables in page order, or only those on ``pages`` (1-based indices)."""
        where, params = "doc_id = ?", [doc_id]
        if pages is not None:
            wanted = sorted(set(pages))
            if not wanted:
                return []
            where += f" AND page_index IN ({', '.join('?' * len(wanted))})"
            params += wanted
        heads = self.db.query(f"SELECT * FROM doc_tables WHERE {where} ORDER BY page_index, ordinal", params)
        if not heads:
            return []
        rows: dict[int, list[TableRow]] = {head["id"]: [] for head in heads}
        ids = list(rows)
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            batch = ids[start:start + 500]
            for row in self.db.query(
                    f"SELECT * FROM doc_table_rows WHERE table_id IN ({', '.join('?' * len(batch))}) "
                    "ORDER BY table_id, ordinal", batch):
                rows[row["table_id"]].append(TableRow(
                    label=row["label"],
                    cells=[TableCell(text, value) for text, value in json.loads(row["cells"])],
                    line_text=row["line_text"], indent=row["indent"], section=row["section"]))
        return [Table(page_index=head["page_index"], title=head["title"], units=head["units"],
                      columns=json.loads(head["columns"]), rows=rows[head["id"]],
                      ordinal=head["ordinal"])
                for head in heads]

    def pages_with_tables(self, doc_id: str) -> list[int]:
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT page_index FROM doc_tables WHERE doc_id = ? ORDER BY page_index", [doc_id])]
