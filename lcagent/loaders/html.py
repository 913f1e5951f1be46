"""HTML: the text a browser would show, paginated like plain text.

Built on the standard library's ``html.parser``; scripts, styles and the document head
are dropped, ``<title>`` becomes the document title and block elements end lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from lcagent.loaders.base import IngestError
from lcagent.loaders.decode import decode_text_file
from lcagent.loaders.text import split_pages
from lcagent.records import LoadedDocument

# Elements whose content is never shown.
SKIPPED_ELEMENTS = {"script", "style", "noscript", "template", "head"}
# What may appear inside <head>; any other start tag means the head has ended, because
# browsers close it implicitly and many pages never write </head>.
HEAD_ELEMENTS = {"title", "meta", "link", "style", "script", "noscript", "base", "template"}
BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
}
CELL_ELEMENTS = {"td", "th"}
# Void elements have no end tag, so they must never be pushed on the skip stack.
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}

_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)
_WHITESPACE = re.compile(r"\s+")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skipping: list[str] = []  # open skipped elements, innermost last
        self._in_title = False
        self._in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "head" in self._skipping and tag not in HEAD_ELEMENTS:
            del self._skipping[self._skipping.index("head"):]
        if tag == "title":
            self._in_title = True
        elif tag in SKIPPED_ELEMENTS:
            self._skipping.append(tag)
        elif tag == "pre":
            self._in_pre += 1
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_ELEMENTS:
            self._end_line()
        elif tag in CELL_ELEMENTS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> is just a start tag; <pre/> or <script/> open and close at once, so no
        # state (skipping, inside-pre) stays switched on after them.
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._skipping:
            del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag):]
        elif tag == "pre" and self._in_pre:
            self._in_pre -= 1
        if tag in BLOCK_ELEMENTS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skipping:
            return
        if self._in_pre:
            self.parts.append(data)
            return
        # Outside <pre>, a run of whitespace shows as one space, and none at a line start.
        data = _WHITESPACE.sub(" ", data)
        if not self.parts or self.parts[-1].endswith("\n"):
            data = data.lstrip()
        if data:
            self.parts.append(data)

    def _end_line(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def visible_text(self) -> str:
        text = "".join(self.parts)
        # A paragraph break is one blank line, however many empty blocks made it.
        return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n\n", text)


class HtmlLoader:
    kinds = ("html",)
    suffixes = (".html", ".htm", ".xhtml")

    def sniff(self, head: bytes, path: Path) -> bool:
        return _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")) is not None

    def load(self, path: Path, *, password: str | None = None) -> LoadedDocument:
        markup, warnings = decode_text_file(path)
        parser = _VisibleText()
        parser.feed(markup)
        parser.close()
        title = _WHITESPACE.sub(" ", "".join(parser.title_parts)).strip() or None
        pages = split_pages(parser.visible_text())
        if not any(page.text for page in pages):
            raise IngestError(
                f"{path} has no visible text (a page built by JavaScript looks like this); "
                "save the page as rendered by a browser, or print it to PDF, and ingest that")
        return LoadedDocument(pages=pages, kind="html", title=title, warnings=warnings)
