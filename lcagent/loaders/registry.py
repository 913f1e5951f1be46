"""Which loader reads which file: content sniffing first, then the file name's suffix.

Call ``load_document(path)``; it raises ``IngestError`` with a one-line fix for bad input.
"""

from __future__ import annotations

from pathlib import Path

from lcagent.loaders.base import IngestError, Loader
from lcagent.records import LoadedDocument

HEAD_BYTES = 8192
"""How much of a file ``Loader.sniff`` sees."""

# Highest priority first. Later registrations go in front, so a plugin can take over a
# kind from a built-in loader; the plain-text loader, registered first, is the fallback.
_LOADERS: list[Loader] = []


def register_loader(loader: Loader) -> None:
    """Add ``loader`` with priority over every loader registered before it."""
    if not isinstance(loader, Loader):
        raise TypeError(f"{loader!r} does not implement lcagent.loaders.Loader")
    _LOADERS.insert(0, loader)


def registered_loaders() -> list[Loader]:
    """The registered loaders, highest priority first."""
    return list(_LOADERS)


def supported_suffixes() -> list[str]:
    return sorted({suffix for loader in _LOADERS for suffix in loader.suffixes})


def loader_for(path: Path) -> Loader:
    """The loader for ``path``.

    What the bytes look like decides, so a PDF saved as ``.txt`` is still read as a PDF.
    When content and suffix point at different loaders, the higher-priority one wins:
    a text file renamed ``.pdf`` goes to the PDF loader, which rejects it with a message
    instead of quietly ingesting it as text.
    """
    path = Path(path)
    head = _read_head(path)
    by_content = next((loader for loader in _LOADERS if loader.sniff(head, path)), None)
    suffix = path.suffix.lower()
    by_suffix = next((loader for loader in _LOADERS if suffix in loader.suffixes), None)
    if by_content is None and by_suffix is None:
        raise IngestError(
            f"{path}: unsupported file (binary file, not text, and no loader for "
            f"'{suffix or 'no suffix'}'); lcagent reads {', '.join(supported_suffixes())}")
    if by_content is None or by_suffix is None:
        # The suffix's loader, when it is the only candidate, explains what is wrong.
        return by_content or by_suffix  # type: ignore[return-value]
    return min(by_content, by_suffix, key=_LOADERS.index)


def load_document(path: Path | str, *, password: str | None = None) -> LoadedDocument:
    """Pick the loader for ``path`` and load it; the one entry point a store needs."""
    path = Path(path)
    return loader_for(path).load(path, password=password)


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise IngestError(f"{path} is a directory; pass the files in it one by one") from None
    except PermissionError:
        raise IngestError(f"{path}: permission denied; check the file's permissions") from None
    if not head:
        raise IngestError(f"{path} is empty (0 bytes); there is nothing to ingest")
    return head
