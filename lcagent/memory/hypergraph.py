"""Hypergraph memory (after HGMem): entities are vertices; each memory unit is a hyperedge that
joins several entities, with a description and links to the chunks and pages it came from.

Stored per document in ``hg_vertices``, ``hg_units``, ``hg_incidence`` and ``hg_sources``.
Operations: insert, update, merge (the merged unit joins the union of entities and sources),
and neighbourhood queries over live units.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from lcagent.memory.errors import WorkspaceError
from lcagent.memory.sql import SqlHandle, as_handle


@dataclass(frozen=True)
class SourceRef:
    """A chunk a unit was built from, and the pages it spans."""

    chunk_ordinal: int
    page_start: int
    page_end: int


@dataclass(frozen=True)
class MemoryUnit:
    id: int
    doc_id: str
    description: str
    entities: tuple[str, ...]  # vertex names, in the order they joined
    sources: tuple[SourceRef, ...]
    status: str  # "live" or "merged"
    merged_into: int | None = None

    @property
    def label(self) -> str:
        return f"U{self.id}"


@dataclass(frozen=True)
class Neighbourhood:
    units: tuple[MemoryUnit, ...]
    entities: tuple[str, ...]


def entity_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


class HypergraphStore:
    """The hypergraph of one workspace (``workspace.hypergraph``); every call names the document it is about."""

    def __init__(self, db: SqlHandle) -> None:
        self.db = as_handle(db)

    # --- writes -------------------------------------------------------------------------
    def insert(self, doc_id: str, description: str, entities: Iterable[str], sources: Iterable[SourceRef] = (),
               *, kinds: dict[str, str] | None = None) -> MemoryUnit:
        now = _now()
        unit_id = self.db.execute(
            "INSERT INTO hg_units (doc_id, description, status, created_at, updated_at) VALUES (?, ?, 'live', ?, ?) "
            "RETURNING id",
            [doc_id, description, now, now],
        ).fetchone()[0]
        self._link(doc_id, unit_id, entities, kinds or {})
        self._add_sources(doc_id, unit_id, sources)
        return self.unit(unit_id)

    def update(self, unit_id: int, *, description: str | None = None, add_entities: Iterable[str] = (),
               add_sources: Iterable[SourceRef] = (), kinds: dict[str, str] | None = None) -> MemoryUnit:
        unit = self.unit(unit_id)
        if unit.status != "live":
            raise WorkspaceError(f"memory unit U{unit_id} was merged into U{unit.merged_into}; update that one")
        if description is not None:
            self.db.execute("UPDATE hg_units SET description = ?, updated_at = ? WHERE id = ?", [description, _now(), unit_id])
        self._link(unit.doc_id, unit_id, add_entities, kinds or {})
        self._add_sources(unit.doc_id, unit_id, add_sources)
        return self.unit(unit_id)

    def merge(self, unit_ids: Sequence[int], description: str | None = None) -> MemoryUnit:
        """A new live unit joining the union of the entities and sources of ``unit_ids``;
        the originals are marked merged (kept, pointing at the new unit)."""
        units = [self.unit(u) for u in dict.fromkeys(unit_ids)]
        if len(units) < 2:
            raise WorkspaceError("a merge needs at least two memory units")
        if len({u.doc_id for u in units}) > 1:
            raise WorkspaceError("memory units of different documents cannot be merged")
        dead = [u.label for u in units if u.status != "live"]
        if dead:
            raise WorkspaceError(f"memory units {dead} were already merged; merge their successors")
        text = description or " ".join(dict.fromkeys(u.description for u in units))
        entities = [name for u in units for name in u.entities]
        sources = [s for u in units for s in u.sources]
        merged = self.insert(units[0].doc_id, text, entities, sources)
        self.db.execute(
            f"UPDATE hg_units SET status = 'merged', merged_into = ?, updated_at = ? "
            f"WHERE id IN ({','.join('?' * len(units))})",
            [merged.id, _now(), *[u.id for u in units]],
        )
        return merged

    def clear(self, doc_id: str) -> int:
        """Delete the document's whole hypergraph; return how many units it had."""
        count = self.db.execute("SELECT count(*) FROM hg_units WHERE doc_id = ?", [doc_id]).fetchone()[0]
        for table in ("hg_incidence", "hg_sources", "hg_units", "hg_vertices"):
            self.db.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])
        return count

    # --- reads --------------------------------------------------------------------------
    def unit(self, unit_id: int) -> MemoryUnit:
        rows = self.db.query("SELECT * FROM hg_units WHERE id = ?", [unit_id])
        if not rows:
            raise WorkspaceError(f"no memory unit U{unit_id}; `lcagent memory DOC --kind hypergraph` lists them")
        return self._unit(rows[0])

    def units(self, doc_id: str, *, include_merged: bool = False) -> list[MemoryUnit]:
        sql = "SELECT * FROM hg_units WHERE doc_id = ?" + ("" if include_merged else " AND status = 'live'") + " ORDER BY id"
        return [self._unit(row) for row in self.db.query(sql, [doc_id])]

    def vertices(self, doc_id: str) -> list[tuple[str, str]]:
        """(name, kind) of every entity of the document."""
        return [(r["name"], r["kind"]) for r in self.db.query("SELECT name, kind FROM hg_vertices WHERE doc_id = ? ORDER BY id", [doc_id])]

    def units_with(self, doc_id: str, entity: str) -> list[MemoryUnit]:
        rows = self.db.query(
            "SELECT hg_units.* FROM hg_units JOIN hg_incidence ON hg_incidence.unit_id = hg_units.id "
            "JOIN hg_vertices ON hg_vertices.id = hg_incidence.vertex_id "
            "WHERE hg_vertices.doc_id = ? AND hg_vertices.key = ? AND hg_units.status = 'live' ORDER BY hg_units.id",
            [doc_id, entity_key(entity)],
        )
        return [self._unit(row) for row in rows]

    def neighbourhood(self, doc_id: str, *, entity: str | None = None, unit_id: int | None = None,
                      depth: int = 1) -> Neighbourhood:
        """Live units reachable within ``depth`` hops (unit → its entities → units sharing them),
        starting from an entity or a unit; and the entities they join."""
        if (entity is None) == (unit_id is None):
            raise ValueError("neighbourhood needs exactly one of entity= or unit_id=")
        if unit_id is not None:
            start = self.unit(unit_id)
            frontier = [start] if start.status == "live" else []
        else:
            frontier = self.units_with(doc_id, entity)
        seen: dict[int, MemoryUnit] = {u.id: u for u in frontier}
        for _ in range(max(0, depth - 1) + (1 if unit_id is not None else 0)):
            names = {name for u in frontier for name in u.entities}
            frontier = [u for name in names for u in self.units_with(doc_id, name) if u.id not in seen]
            for u in frontier:
                seen[u.id] = u
            if not frontier:
                break
        units = tuple(sorted(seen.values(), key=lambda u: u.id))
        entities = tuple(dict.fromkeys(name for u in units for name in u.entities))
        return Neighbourhood(units, entities)

    # --- internals ----------------------------------------------------------------------
    def _link(self, doc_id: str, unit_id: int, entities: Iterable[str], kinds: dict[str, str]) -> None:
        for name in entities:
            name = " ".join(name.split())
            key = entity_key(name)
            if not key:
                continue
            self.db.execute(
                "INSERT INTO hg_vertices (doc_id, name, key, kind) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [doc_id, name, key, kinds.get(name, "name")],
            )
            vertex_id = self.db.execute("SELECT id FROM hg_vertices WHERE doc_id = ? AND key = ?", [doc_id, key]).fetchone()[0]
            self.db.execute("INSERT INTO hg_incidence (unit_id, vertex_id, doc_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                            [unit_id, vertex_id, doc_id])

    def _add_sources(self, doc_id: str, unit_id: int, sources: Iterable[SourceRef]) -> None:
        for source in sources:
            self.db.execute(
                "INSERT INTO hg_sources (unit_id, doc_id, chunk_ordinal, page_start, page_end) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [unit_id, doc_id, source.chunk_ordinal, source.page_start, source.page_end],
            )

    def _unit(self, row: dict) -> MemoryUnit:
        entities = tuple(r[0] for r in self.db.execute(
            "SELECT hg_vertices.name FROM hg_incidence JOIN hg_vertices ON hg_vertices.id = hg_incidence.vertex_id "
            "WHERE hg_incidence.unit_id = ? ORDER BY hg_incidence.rowid", [row["id"]]).fetchall())
        sources = tuple(SourceRef(*r) for r in self.db.execute(
            "SELECT chunk_ordinal, page_start, page_end FROM hg_sources WHERE unit_id = ? ORDER BY chunk_ordinal",
            [row["id"]]).fetchall())
        return MemoryUnit(row["id"], row["doc_id"], row["description"], entities, sources, row["status"], row["merged_into"])
