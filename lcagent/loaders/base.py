"""What every document loader is: the ``Loader`` protocol and the ``IngestError`` it raises.

A loader turns one file into a ``LoadedDocument`` of normalised page texts; the registry
(``registry.py``) decides which loader gets a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from lcagent.records import LoadedDocument


class IngestError(Exception):
    """A file cannot be ingested, caused by the input, not by lcagent.

    The message is one line that names the file and says what to do; the CLI prints it
    and exits non-zero.
    """

    def __init__(self, message: str) -> None:
        # One line, so that a CLI error line and a log line stay readable.
        super().__init__(" ".join(message.split()))


@runtime_checkable
class Loader(Protocol):
    """Reads one kind of file. Register an instance with ``register_loader``."""

    kinds: tuple[str, ...]
    """The ``LoadedDocument.kind`` values this loader can return, e.g. ``("pdf",)``."""

    suffixes: tuple[str, ...]
    """Lower-case file name suffixes it claims, with the dot, e.g. ``(".pdf",)``."""

    def sniff(self, head: bytes, path: Path) -> bool:
        """Whether the file's first bytes (up to ``HEAD_BYTES``) look like this loader's kind."""
        ...

    def load(self, path: Path, *, password: str | None = None) -> LoadedDocument:
        """Read the whole file. Raise ``IngestError`` for anything the user must fix."""
        ...
