"""``lcagent ingest --ray`` / ``--workers N``: the files spread over a worker pool, with a progress bar."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.progress import Progress, TaskID

from lcagent.chunking import ChunkSettings
from lcagent.cli.common import error_console
from lcagent.ingest import IngestResult
from lcagent.memory.workspace import Workspace


def ingest_with_pool(ws: Workspace, files: list[Path], progress: Progress, task: TaskID, *, ray: bool,
                     ray_address: str | None, workers: int | None, password: str | None, settings: ChunkSettings,
                     embed_limit: int | None, quiet: bool) -> tuple[list[IngestResult], list[tuple[Path, str]]]:
    """Ingest ``files`` on Ray or a local process pool; (stored results, (path, error) failures)."""
    from lcagent.cluster.ingest import ingest_on_pool
    from lcagent.cluster.pools import make_pool

    progress.update(task, description="starting Ray" if ray or ray_address else "starting workers")
    pool = make_pool(ray=ray, ray_address=ray_address, workers=workers)
    if not quiet:
        error_console().print(f"[dim]ingesting on a {escape(pool.description)}[/]")
    results: list[IngestResult] = []
    failures: list[tuple[Path, str]] = []
    sent = 0

    def started(path: Path) -> None:
        nonlocal sent
        sent += 1
        progress.update(task, description=f"{escape(path.name)}: sent to a worker ({sent} so far)")

    try:
        for outcome in ingest_on_pool(ws, files, pool, password=password, settings=settings,
                                      embed_limit=embed_limit, on_start=started):
            if outcome.result is not None:
                results.append(outcome.result)
                progress.update(task, description=f"{escape(outcome.path.name)}: stored")
            else:
                failures.append((outcome.path, outcome.error or "failed"))
            progress.advance(task)
    finally:
        pool.close()
    return results, failures
