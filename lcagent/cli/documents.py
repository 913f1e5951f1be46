"""Document commands: ingest, docs, search, show, rm."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from lcagent.chunking import ChunkSettings
from lcagent.cli.common import console, error_console, json_option, open_workspace, print_json, workspace_option
from lcagent.ingest import IngestResult, expand_paths, ingest_file
from lcagent.loaders.base import IngestError
from lcagent.memory.tags import check_tag
from lcagent.memory.search_text import MARK_END, MARK_START
from lcagent.memory.workspace import WorkspaceError
from lcagent.pagespec import parse_ranges
from lcagent.records import page_ref
from lcagent.retrieval.indexing import INGEST_EMBED_LIMIT, EmbedOptions, EmbedProgress, EmbedReport


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--password", help="Password for encrypted PDFs.")
@click.option("--chunk-size", default=512, show_default=True, help="Tokens per chunk (cl100k).")
@click.option("--overlap", default=64, show_default=True, help="Tokens shared by neighbouring chunks.")
@click.option("--no-embed", is_flag=True, help="Store no dense embeddings (search uses bm25 alone for them).")
@click.option("--embed-limit", default=INGEST_EMBED_LIMIT, show_default=True, type=click.IntRange(min=0),
              envvar="LCAGENT_EMBED_LIMIT",
              help="Embed at ingest only documents with at most this many chunks left to embed "
              "(0: none); `lcagent embed DOC` embeds larger ones. Env: LCAGENT_EMBED_LIMIT.")
@click.option("--ray", "use_ray", is_flag=True,
              help="Extract, chunk and embed on a local Ray instance's workers (pip install \"lcagent[cluster]\").")
@click.option("--ray-address", metavar="ADDRESS", envvar="LCAGENT_RAY_ADDRESS",
              help="Join the Ray cluster at ADDRESS (e.g. 10.0.0.5:6379) instead. Env: LCAGENT_RAY_ADDRESS.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Files read at once: Ray workers (default: the CPUs), or without --ray a local process pool.")
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG",
              help="Tag the documents (repeatable); ask them together with `lcagent ask --tag TAG QUESTION`.")
@workspace_option
@json_option
def ingest(paths, password, chunk_size, overlap, no_embed, embed_limit, use_ray, ray_address, workers, tags, workspace,
           as_json) -> None:
    """Store documents in the workspace: PDF, text, Markdown, HTML.

    PATHS may be files, directories (searched recursively for supported files) or quoted
    globs (a file whose name holds glob characters, like "report[1].txt", is that file).
    Each file is stored once by content hash: ingesting it again is instant, a copy under
    another name becomes another name of the same document, and a changed file becomes a
    new version.

    \b
    Examples:
      lcagent ingest report.pdf
      lcagent ingest docs/ "notes/*.md"
      lcagent ingest locked.pdf --password s3cret
      lcagent ingest big-manual.pdf --no-embed
      lcagent ingest filings/ --tag filings
      lcagent ingest filings/ --ray --workers 8
      lcagent ingest filings/ --ray-address 10.0.0.5:6379 --workspace postgresql://db/lcagent

    Chunks are also embedded for hybrid search (all-MiniLM-L6-v2 on the CPU, a few chunks a
    second): interrupting that keeps what was done, and ingesting again continues it.

    With --ray or --workers, workers read, chunk and embed the files and this process stores
    each document whole; a file whose worker dies is read again by another worker, or reported.
    """
    settings = _chunk_settings(chunk_size, overlap)
    tags = [check_tag(tag) for tag in tags]
    files = expand_paths(paths)
    results: list[IngestResult] = []
    failures: list[tuple[Path, str]] = []
    with open_workspace(workspace) as ws:
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} {task.fields[unit]}"),
            TimeElapsedColumn(),
            console=error_console(),
            transient=True,
            disable=as_json,
        )
        with progress:
            task = progress.add_task("ingesting", total=len(files), unit="files")
            pooled = bool(use_ray or ray_address or workers)
            if pooled:
                from lcagent.cli.pool_ingest import ingest_with_pool

                results, failures = ingest_with_pool(
                    ws, files, progress, task, ray=use_ray, ray_address=ray_address, workers=workers,
                    password=password, settings=settings, embed_limit=None if no_embed else embed_limit or None,
                    quiet=as_json)
            for path in [] if pooled else files:
                describe = lambda phase, name=path.name: progress.update(task, description=f"{escape(name)}: {phase}")
                describe("hashing")
                try:
                    embed = None
                    if not no_embed and embed_limit:
                        embed = EmbedOptions(limit=embed_limit, progress=_embed_bar(progress, path.name))
                    results.append(ingest_file(ws, path, password=password, settings=settings, progress=describe,
                                               embed=embed))
                except IngestError as problem:
                    failures.append((path, str(problem)))
                progress.advance(task)
        for tag in tags:  # documents that failed to ingest carry no tag; those stored do, also when stored before
            ws.tags.add([r.document.id for r in results], tag)
        doc_tags = {r.document.id: ws.tags.tags(r.document.id) for r in results}
    if as_json:
        print_json(
            {
                "ingested": [
                    {"status": r.status, "seconds": round(r.seconds, 3), "warnings": r.warnings, **_doc_json(r.document),
                     "tags": doc_tags[r.document.id],
                     "embedding": _embedding_json(r.embedding)}
                    for r in results
                ],
                "errors": [{"path": str(p), "error": e} for p, e in failures],
            }
        )
    else:
        if results:
            _print_ingest_table(results)
            _print_embedding_notes(results)
        for result in results:
            for warning in result.warnings:
                error_console().print(f"[yellow]warning:[/] {escape(result.document.name)}: {escape(warning)}")
    if failures:
        if len(files) == 1:
            raise IngestError(failures[0][1])
        for path, problem in failures:
            error_console().print(f"[bold red]error:[/] {escape(problem)}")
        raise click.exceptions.Exit(1)


def _embed_bar(progress: Progress, name: str):
    """A second bar, in chunks, for the embedding that follows a file's ingest."""
    task = None

    def show(event: EmbedProgress) -> None:
        nonlocal task
        if task is None and event.total:
            task = progress.add_task(f"{escape(name)}: embedding", total=event.total, unit="chunks")
        if task is not None:
            progress.update(task, completed=event.done)
            if event.done >= event.total:
                progress.remove_task(task)
                task = None

    return show


def _embedding_json(report: EmbedReport | None) -> dict | None:
    if report is None:
        return None
    return {"model": report.model, "embedded": report.embedded, "already": report.already,
            "remaining": report.remaining, "vectors": report.windows, "seconds": round(report.seconds, 3),
            "skipped": report.skipped}


def _print_embedding_notes(results: list[IngestResult]) -> None:
    reasons: dict[str, list[str]] = {}
    for result in results:
        report = result.embedding
        if report is None:
            continue
        if report.skipped:
            reasons.setdefault(report.skipped, []).append(result.document.name)
        elif report.embedded:
            error_console().print(
                f"[dim]{escape(result.document.name)}: embedded {report.embedded:,} chunks ({report.windows:,} vectors) "
                f"in {report.seconds:.1f} s, {report.chunks_per_second():.1f} chunks/s[/]"
            )
    for reason, names in reasons.items():  # one line per reason, not one per file
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        error_console().print(f"[yellow]not embedded:[/] {escape(shown)}: {escape(reason)}; bm25 search works meanwhile")


def _chunk_settings(size: int, overlap: int) -> ChunkSettings:
    try:
        return ChunkSettings(size, overlap)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None


def _print_ingest_table(results: list[IngestResult]) -> None:
    table = Table(title=None, show_edge=False)
    for column in ("id", "name", "status", "pages", "tokens", "chunks", "seconds"):
        table.add_column(column, justify="right" if column in {"pages", "tokens", "chunks", "seconds"} else "left")
    for r in results:
        d = r.document
        table.add_row(d.short_id(), escape(d.name), r.status, str(d.pages), f"{d.tokens:,}", str(d.chunks), f"{r.seconds:.2f}")
    console().print(table)


def _doc_json(document) -> dict:
    return {
        "id": document.id,
        "name": document.name,
        "path": document.path,
        "kind": document.kind,
        "version": document.version,
        "bytes": document.bytes,
        "pages": document.pages,
        "tokens": document.tokens,
        "chunks": document.chunks,
        "title": document.title,
        "ingested_at": document.ingested_at,
    }


@click.command()
@click.option("--all", "all_versions", is_flag=True, help="Include older versions of changed files.")
@click.option("--tag", "-t", help="Only the documents tagged so (`lcagent ingest FILES --tag TAG`).")
@workspace_option
@json_option
def docs(all_versions, tag, workspace, as_json) -> None:
    """List the documents in the workspace, with their tags.

    \b
    Examples:
      lcagent docs
      lcagent docs --tag filings
      lcagent docs --all --json
    """
    with open_workspace(workspace) as ws:
        documents = ws.documents(all_versions=all_versions)
        if tag:
            tagged = set(ws.tags.documents(check_tag(tag)))
            documents = [d for d in documents if d.id in tagged]
        tags = {d.id: ws.tags.tags(d.id) for d in documents}
        paths = {d.id: ws.paths(d.id) for d in documents} if as_json else {}
    if as_json:
        print_json([{**_doc_json(d), "tags": tags[d.id], "paths": paths[d.id]} for d in documents])
        return
    if not documents:
        where = f"tagged {tag!r} " if tag else ""
        error_console().print(f"no documents {where}in {ws.location}; add some with `lcagent ingest FILE"
                              f"{' --tag ' + tag if tag else ''}`")
        return
    table = Table(show_edge=False)
    for column in ("id", "name", "v", "kind", "pages", "tokens", "KiB", "ingested", "tags"):
        table.add_column(column, justify="right" if column in {"v", "pages", "tokens", "KiB"} else "left")
    for d in documents:
        table.add_row(
            d.short_id(), escape(d.name), str(d.version), d.kind, str(d.pages), f"{d.tokens:,}",
            f"{d.bytes / 1024:,.0f}", d.ingested_at.replace("T", " ")[:16], escape(", ".join(tags[d.id])),
        )
    console().print(table)


@click.command()
@click.argument("document")
@click.argument("query")
@click.option("-k", "--limit", default=10, show_default=True, help="Number of hits.")
@click.option("--grep", "grep_mode", is_flag=True, help="Treat QUERY as a regular expression and list matching lines.")
@click.option("--literal", is_flag=True, help="With --grep: match QUERY as plain text, not a regex.")
@click.option("-i", "--ignore-case", is_flag=True, help="With --grep: case-insensitive.")
@click.option("-C", "--context", default=0, show_default=True, help="With --grep: lines of context.")
@click.option("--mode", type=click.Choice(["any", "all", "phrase"]), default="any", show_default=True,
              help="bm25 matching: any term (ranked), all terms, or the exact phrase.")
@click.option("--max-seconds", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Give up after this many seconds (some regular expressions never finish).")
@workspace_option
@json_option
def search(document, query, limit, grep_mode, literal, ignore_case, context, mode, max_seconds, workspace,
           as_json) -> None:
    """Search a document: bm25-ranked passages, or matching lines with --grep.

    DOCUMENT is an id, id prefix, path or file name (see `lcagent docs`); `all` searches
    every document. Any text is a valid QUERY: it is quoted before it reaches SQLite.

    \b
    Examples:
      lcagent search report.pdf "auditor findings 2023"
      lcagent search 3f2a "going concern" --mode phrase
      lcagent search report.pdf --grep "EUR [0-9,]+ million" -C 1
    """
    with open_workspace(workspace) as ws:
        doc_ids = None if document == "all" else [ws.resolve(document).id]
        names = {d.id: d.name for d in ws.documents(all_versions=True)}
        if grep_mode or literal:
            hits = _bounded(max_seconds, lambda: ws.grep(
                query, doc_ids=doc_ids, regex=not literal, ignore_case=ignore_case, context=context, limit=limit,
                seconds=max_seconds,
            ))
            if as_json:
                print_json([{**h.__dict__, "doc_name": names.get(h.doc_id, "")} for h in hits])
                return
            for h in hits:
                where = page_ref(h.page_index, h.page_label)
                for line in h.before:
                    console().print(f"[dim]{where}  {escape(line)}[/]")
                console().print(f"[cyan]{where}[/] [dim]l.{h.line}[/]  {escape(h.text)}")
                for line in h.after:
                    console().print(f"[dim]{where}  {escape(line)}[/]")
            if not hits:
                error_console().print("no matching lines")
            return
        hits = _bounded(max_seconds, lambda: _timed_search(ws, max_seconds, query, doc_ids, limit, mode))
    if as_json:
        print_json(
            [
                {
                    "doc_id": h.chunk.doc_id, "doc_name": h.doc_name, "chunk": h.chunk.ordinal, "score": round(h.score, 4),
                    "page_start": h.chunk.page_start, "page_end": h.chunk.page_end, "page_label": h.page_label,
                    "line_start": h.chunk.line_start, "line_end": h.chunk.line_end,
                    "snippet": h.snippet.replace(MARK_START, "[").replace(MARK_END, "]"),
                }
                for h in hits
            ]
        )
        return
    if not hits:
        error_console().print("no matches; try other words, --mode any, or --grep for exact text")
        return
    for rank, h in enumerate(hits, start=1):
        pages = page_ref(h.chunk.page_start, h.page_label) + (f" to {h.chunk.page_end}" if h.chunk.page_end != h.chunk.page_start else "")
        snippet = escape(" ".join(h.snippet.split())).replace(MARK_START, "[bold yellow]").replace(MARK_END, "[/]")
        console().print(f"[bold]{rank}.[/] [cyan]{escape(pages)}[/] [dim]score {h.score:.2f}[/]  {snippet}")


def _timed_search(ws, seconds: float, query: str, doc_ids, limit: int, mode: str):
    with ws.time_limit(seconds):
        return ws.search(query, doc_ids=doc_ids, k=limit, mode=mode)


def _bounded(seconds: float, work):
    try:
        return work()
    except TimeoutError:
        raise WorkspaceError(
            f"the search took longer than {seconds:g} s and was stopped; use a simpler pattern (or --literal), "
            "or raise --max-seconds"
        ) from None


@click.command()
@click.argument("document")
@click.option("--pages", "-p", "page_spec", help="Pages to print: 3, 3-5, 1,4,9-12 or a page label. Default: all.")
@click.option("--line-numbers", "-n", is_flag=True, help="Prefix each line with its number in the document.")
@workspace_option
@json_option
def show(document, page_spec, line_numbers, workspace, as_json) -> None:
    """Print stored pages of a document, with their page labels.

    \b
    Examples:
      lcagent show report.pdf --pages 3-5
      lcagent show report.pdf --pages xii -n
    """
    with open_workspace(workspace) as ws:
        doc = ws.resolve(document)
        labels = [p.label for p in ws.pages(doc.id)] if page_spec else []
        indices = parse_ranges(page_spec, doc.pages, labels=labels) if page_spec else list(range(1, doc.pages + 1))
        pages = [ws.page(doc.id, i) for i in indices]
    if as_json:
        print_json([{"doc_id": p.doc_id, "page": p.index, "label": p.label, "line_start": p.line_start, "text": p.text} for p in pages])
        return
    for page in pages:
        console().rule(f"{escape(doc.name)} · page {page.index} (label {escape(page.label)})")
        for offset, line in enumerate(page.text.split("\n")):
            prefix = f"[dim]{page.line_start + offset:>6}[/]  " if line_numbers else ""
            console().print(prefix + escape(line), soft_wrap=True)


@click.command()
@click.argument("documents", nargs=-1, required=True)
@workspace_option
@json_option
def rm(documents, workspace, as_json) -> None:
    """Remove documents (all their pages, chunks, indexes and page files) from the workspace.

    Your original files are not touched.

    \b
    Example:
      lcagent rm report.pdf
    """
    removed = []
    with open_workspace(workspace) as ws:
        targets = [ws.resolve(name) for name in documents]  # resolve all first: all or nothing
        for doc in targets:
            ws.remove(doc.id)
            removed.append(doc)
    if as_json:
        print_json({"removed": [_doc_json(d) for d in removed]})
    else:
        for doc in removed:
            console().print(f"removed {doc.short_id()} {escape(doc.name)}")


def register(group: click.Group) -> None:
    for command in (ingest, docs, search, show, rm):
        group.add_command(command)
