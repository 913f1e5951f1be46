"""Bytes to text for the text-like loaders (plain text, Markdown, HTML).

The fallback is fixed and stated: UTF-8 (a BOM is honoured), else cp1252 when every
byte is defined there, else latin-1, which cannot fail. A fallback adds a warning.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from lcagent.loaders.base import IngestError

# Bytes below 0x20 that ordinary text uses: tab, newline, form feed, carriage return, escape.
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
# Share of other control bytes above which a file is treated as binary. Text with a few
# stray control characters (old logs, ANSI art) still loads.
MAX_CONTROL_RATIO = 0.05
_RATIO_SAMPLE_BYTES = 65536


def has_utf16_bom(data: bytes) -> bool:
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` is not text: a NUL byte, or too many control bytes."""
    if has_utf16_bom(data):
        return False  # UTF-16 text is full of NUL bytes by design
    if b"\x00" in data:
        return True
    sample = data[:_RATIO_SAMPLE_BYTES]
    if not sample:
        return False
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls / len(sample) > MAX_CONTROL_RATIO


def decode_text_file(path: Path) -> tuple[str, list[str]]:
    """The text of ``path`` and any warnings about how it was decoded.

    Raises ``IngestError`` for a binary file or one that holds only whitespace.
    """
    data = path.read_bytes()
    if not data:
        raise IngestError(f"{path} is empty (0 bytes); there is nothing to ingest")
    if looks_binary(data):
        raise IngestError(
            f"{path} is a binary file, not text; lcagent reads PDF, plain text, Markdown "
            "and HTML (convert other formats to one of these first)")
    text, warnings = decode_bytes(data, name=path.name)
    if not text.strip():
        raise IngestError(f"{path} contains only whitespace; there is nothing to ingest")
    return text, warnings


def decode_bytes(data: bytes, *, name: str) -> tuple[str, list[str]]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), []
        except UnicodeDecodeError:
            pass  # a BOM in front of non-UTF-8 bytes: fall back like any other file
    elif has_utf16_bom(data):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        position = error.start
    try:
        text = data.decode("cp1252")
        encoding = "cp1252 (Windows-1252)"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte.
        text = data.decode("latin-1")
        encoding = "latin-1 (ISO-8859-1)"
    warning = (f"{name} is not valid UTF-8 (first bad byte at offset {position}); "
               f"decoded as {encoding}; re-save it as UTF-8 if characters look wrong")
    return text, [warning]
