"""Page files on their way into the workspace: written into a staging folder named after the
writing process, moved into place just before the commit, swept when their writer died.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import Sequence

from lcagent.memory.processes import pid_alive
from lcagent.records import Page

STAGING_PREFIX = ".tmp-"


def page_file_name(index: int) -> str:
    return f"page-{index:04d}.txt"


def new_staging_folder(files_root: Path) -> Path:
    folder = files_root / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    return folder


def staging_owner(name: str) -> int | None:
    """The pid in a staging folder's name, or None for a name that is not a staging folder."""
    if not name.startswith(STAGING_PREFIX):
        return None
    pid = name[len(STAGING_PREFIX) :].split("-")[0]
    return int(pid) if pid.isdigit() else 0


def sweep_dead_staging(files_root: Path) -> list[Path]:
    """Remove staging folders whose process is gone. Needs no lock: a dead process commits nothing.

    One directory listing, so it is cheap enough for every command that opens the workspace.
    """
    removed = []
    try:
        entries = list(os.scandir(files_root))
    except OSError:
        return removed
    for entry in entries:
        owner = staging_owner(entry.name)
        if owner is None or (owner and pid_alive(owner)):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


class PageFileWriter(threading.Thread):
    """Writes page files while SQLite builds the indexes (both release the GIL)."""

    def __init__(self, folder: Path, pages: Sequence[Page]) -> None:
        super().__init__(daemon=True)
        self.folder, self.pages = folder, pages
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for page in self.pages:
                with open(self.folder / page_file_name(page.index), "w", encoding="utf-8") as handle:
                    handle.write(page.text)
        except BaseException as error:  # surfaced by add_document, which rolls back
            self.error = error
