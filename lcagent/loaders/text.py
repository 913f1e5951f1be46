"""Plain text and Markdown: decode, then split into pages at form feeds or every N lines."""

from __future__ import annotations

import re
from pathlib import Path

from lcagent.loaders.decode import decode_text_file, looks_binary
from lcagent.loaders.normalize import normalize_page_text
from lcagent.records import LoadedDocument, PageText

LINES_PER_VIRTUAL_PAGE = 50
"""Lines per page for text without form feeds: small enough that a citation's page
narrows the evidence down, large enough that pages are not mostly headers."""

MARKDOWN_SUFFIXES = (".md", ".markdown")
_MARKDOWN_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def split_pages(text: str, lines_per_page: int = LINES_PER_VIRTUAL_PAGE) -> list[PageText]:
    """Pages of ``text``: at form feeds (``\\f``) when there are any, else every
    ``lines_per_page`` lines. Labels are the 1-based page index; texts are normalised."""
    if lines_per_page < 1:
        raise ValueError(f"lines_per_page must be at least 1, got {lines_per_page}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        raw_pages = text.split("\f")
        # A file that ends with a form feed (and maybe a newline) has no page after it.
        while len(raw_pages) > 1 and not raw_pages[-1].strip():
            raw_pages.pop()
    else:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the final newline ends the last line; it starts no new one
        raw_pages = ["\n".join(lines[start:start + lines_per_page])
                     for start in range(0, len(lines), lines_per_page)]
    return [PageText(label=str(index), text=normalize_page_text(page))
            for index, page in enumerate(raw_pages, start=1)]


class TextLoader:
    """Plain text (``kind="text"``) and Markdown (``kind="markdown"``), kept as written."""

    kinds = ("text", "markdown")
    suffixes = (".txt", ".text", ".rst") + MARKDOWN_SUFFIXES

    def sniff(self, head: bytes, path: Path) -> bool:
        return not looks_binary(head)

    def load(self, path: Path, *, password: str | None = None) -> LoadedDocument:
        text, warnings = decode_text_file(path)
        is_markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
        title = None
        if is_markdown and (heading := _MARKDOWN_TITLE.search(text)):
            title = heading.group(1)
        return LoadedDocument(pages=split_pages(text), kind="markdown" if is_markdown else "text",
                              title=title, warnings=warnings)
