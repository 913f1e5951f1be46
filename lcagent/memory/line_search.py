"""Line search over pages for ``Workspace.grep``: plain string work, no SQL, so that
``lcagent.time_limits.run_within`` may abandon it at the deadline."""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from lcagent.records import GrepHit, Page
from lcagent.time_limits import TimeLimit

BATCH_CHARS = 1 << 20  # text handed to one bounded regex worker at a time


def batches(pages: Iterable[Page], chars: int) -> Iterator[list[Page]]:
    batch: list[Page] = []
    size = 0
    for page in pages:
        batch.append(page)
        size += len(page.text)
        if size >= chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def grep_pages(pages: Sequence[Page], compiled, context: int, limit: int, time_limit: TimeLimit | None) -> list[GrepHit]:
    """Up to ``limit`` lines of ``pages`` that ``compiled`` matches, with ``context`` lines around each."""
    hits: list[GrepHit] = []
    for page in pages:
        lines = page.text.split("\n")
        for number, line in enumerate(lines, start=1):
            remaining = time_limit.remaining() if time_limit else None
            if compiled.search(line, timeout=remaining, concurrent=time_limit is not None):
                hits.append(
                    GrepHit(
                        doc_id=page.doc_id,
                        page_index=page.index,
                        page_label=page.label,
                        line=number,
                        doc_line=page.line_start + number - 1,
                        text=line,
                        before=tuple(lines[max(0, number - 1 - context) : number - 1]),
                        after=tuple(lines[number : number + context]),
                    )
                )
                if len(hits) >= limit:
                    return hits
    return hits
