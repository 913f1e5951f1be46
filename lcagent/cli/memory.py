"""``lcagent memory DOC``: inspect or clear what agents remembered about a document."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from lcagent.cli.common import console, error_console, json_option, open_workspace, print_json, workspace_option


@click.command()
@click.argument("document")
@click.option("--kind", type=click.Choice(["memex", "hypergraph"]), default="memex", show_default=True,
              help="memex: archived entries (index map); hypergraph: memory units and their entities.")
@click.option("--clear", is_flag=True, help="Delete this kind of memory for the document.")
@click.option("--all", "include_merged", is_flag=True, help="Hypergraph: also list units merged into others.")
@workspace_option
@json_option
def memory(document, kind, clear, include_merged, workspace, as_json) -> None:
    """List (or clear) the memory agents keep about DOCUMENT.

    The memex and hypergraph strategies write it; it persists across questions, so a follow-up
    question reuses what earlier ones found. `lcagent show`-style names work: id, name or path.

    \b
    Examples:
      lcagent memory report.pdf
      lcagent memory report.pdf --kind hypergraph --json
      lcagent memory 3f2a9c --clear
    """
    with open_workspace(workspace) as ws:
        doc = ws.resolve(document)
        if clear:
            with ws.transaction():
                removed = ws.memex.clear(doc.id) if kind == "memex" else ws.hypergraph.clear(doc.id)
            what = "entries" if kind == "memex" else "memory units"
            if as_json:
                print_json({"doc_id": doc.id, "kind": kind, "cleared": removed})
            else:
                error_console().print(f"cleared {removed} {kind} {what} of {escape(doc.name)}")
            return
        if kind == "memex":
            entries = ws.memex.entries(doc.id)
            if as_json:
                print_json({"doc_id": doc.id, "kind": kind, "entries": [
                    {"index": e.index, "description": e.description, "source": e.source, "key": e.key,
                     "chars": len(e.content), "created_at": e.created_at, "content": e.content} for e in entries]})
                return
            table = Table(show_edge=False)
            for column in ("index", "source", "chars", "description"):
                table.add_column(column, justify="right" if column == "chars" else "left")
            for e in entries:
                table.add_row(e.index, e.source, f"{len(e.content):,}", escape(e.description))
            _show(table, len(entries), "entries", doc.name, "memex")
        else:
            units = ws.hypergraph.units(doc.id, include_merged=include_merged)
            if as_json:
                print_json({"doc_id": doc.id, "kind": kind, "units": [
                    {"id": u.id, "label": u.label, "status": u.status, "merged_into": u.merged_into,
                     "description": u.description, "entities": list(u.entities),
                     "sources": [{"chunk": s.chunk_ordinal, "page_start": s.page_start, "page_end": s.page_end} for s in u.sources]}
                    for u in units]})
                return
            table = Table(show_edge=False)
            for column in ("unit", "status", "pages", "entities", "description"):
                table.add_column(column)
            for u in units:
                pages = ", ".join(dict.fromkeys(str(s.page_start) for s in u.sources))
                table.add_row(u.label, u.status, pages, escape(", ".join(u.entities[:8])), escape(u.description[:120]))
            _show(table, len(units), "memory units", doc.name, "hypergraph")


def _show(table: Table, count: int, what: str, name: str, strategy: str) -> None:
    if not count:
        error_console().print(f"no {what} for {escape(name)} yet; `lcagent ask DOC QUESTION --strategy {strategy}` writes them")
        return
    console().print(table)


def register(group: click.Group) -> None:
    group.add_command(memory)
