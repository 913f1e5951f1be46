"""The embed command: dense vectors for hybrid search, for documents ingest left unembedded."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from lcagent.cli.common import console, error_console, json_option, open_workspace, print_json, workspace_option
from lcagent.retrieval.embeddings import MODEL_TAG, EmbeddingUnavailable, default_embedder, unavailable_reason
from lcagent.retrieval.indexing import EmbedProgress, embed_document


@click.command()
@click.argument("documents", nargs=-1)
@click.option("--limit", type=click.IntRange(min=1), help="Embed at most this many chunks per document this time.")
@click.option("--status", "status_only", is_flag=True, help="Only show how many chunks of each document have vectors.")
@click.option("--remove", is_flag=True, help="Delete the documents' vectors (hybrid search then uses bm25 alone).")
@workspace_option
@json_option
def embed(documents, limit, status_only, remove, workspace, as_json) -> None:
    """Embed documents' chunks for hybrid search (bm25 fused with dense vectors).

    DOCUMENTS are ids, id prefixes, paths or file names; none means every document. Only
    chunks without a vector from the current model are embedded, in batches that are kept as
    they finish: interrupt with Ctrl-C at any time and run the command again to continue.
    Vectors take about 0.55 KiB per 128 word pieces of text (about 2.3 MiB per 1,000 chunks of
    512 tokens); embedding takes about 0.3 CPU seconds per chunk.

    \b
    Examples:
      lcagent embed big-manual.pdf
      lcagent embed --status
      lcagent embed report.pdf --remove
    """
    with open_workspace(workspace) as ws:
        targets = [ws.resolve(name) for name in documents] if documents else ws.documents()
        store = ws.vectors
        if remove:
            with ws.transaction():
                removed = {d.id: store.delete(d.id) for d in targets}
            if as_json:
                print_json({"removed": [{"id": d.id, "name": d.name, "vectors": removed[d.id]} for d in targets]})
            else:
                for d in targets:
                    console().print(f"removed {removed[d.id]:,} vectors of {d.short_id()} {escape(d.name)}")
            return
        reports = []
        if not status_only:
            reason = unavailable_reason()
            if reason:
                raise click.ClickException(reason)
            progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                TextColumn("{task.completed}/{task.total} chunks"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=error_console(), transient=True, disable=as_json,
            )
            with progress:
                for d in targets:
                    task = progress.add_task(escape(d.name), total=None)

                    def show(event: EmbedProgress, task=task) -> None:
                        progress.update(task, total=event.total, completed=event.done)

                    try:
                        reports.append(embed_document(ws, d.id, default_embedder(), limit=limit, progress=show))
                    except EmbeddingUnavailable as problem:
                        raise click.ClickException(str(problem)) from None
                    progress.remove_task(task)
        counts = {d.id: store.models(d.id).get(MODEL_TAG, 0) for d in targets}
    rates = {r.doc_id: r for r in reports}
    if as_json:
        print_json([
            {"id": d.id, "name": d.name, "chunks": d.chunks, "embedded_chunks": counts[d.id], "model": MODEL_TAG,
             "embedded_now": rates[d.id].embedded if d.id in rates else 0,
             "seconds": round(rates[d.id].seconds, 3) if d.id in rates else 0.0}
            for d in targets
        ])
        return
    if not targets:
        error_console().print("no documents; add one with `lcagent ingest FILE`")
        return
    table = Table(show_edge=False)
    for column in ("id", "name", "chunks", "with vectors", "embedded now", "chunks/s"):
        table.add_column(column, justify="left" if column in {"id", "name"} else "right")
    for d in targets:
        report = rates.get(d.id)
        table.add_row(
            d.short_id(), escape(d.name), f"{d.chunks:,}", f"{counts[d.id]:,}",
            f"{report.embedded:,}" if report else "-", f"{report.chunks_per_second():.1f}" if report and report.embedded else "-",
        )
    console().print(table)
    console().print(f"[dim]model {MODEL_TAG}[/]")


def register(group: click.Group) -> None:
    group.add_command(embed)
