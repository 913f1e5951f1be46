"""A small, dependency-free PDF writer for text pages with real page labels.

It exists so the example document, the tests and the benchmark's PDF needle sets can be
generated on any machine, reproducibly, without a PDF library.

What it writes: PDF 1.4, one Helvetica (standard 14, WinAnsiEncoding) text object per
page, lines wrapped at ``WRAP_COLUMNS`` characters, a ``/PageLabels`` number tree and
a cross-reference table with exact byte offsets. The output is deterministic (no
timestamps), so regenerating a committed file gives the same bytes.

Character coverage: WinAnsi is Windows code page 1252. Text is NFC-composed first (so
``e`` + combining acute becomes ``é``); a character cp1252 cannot encode is replaced by
its NFKC compatibility form when that fits (``ﬁ`` -> ``fi``), otherwise written as ``?``
(so CJK, Greek and Cyrillic text come out as ``?``). Tabs become a space; other control
characters and soft hyphens are dropped.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lcagent.pdf_labels import (  # noqa: F401  (expected_page_labels: tests check output with it)
    PageLabelRange,
    check_label_ranges,
    expected_page_labels,
    page_labels_dict,
    pdf_text_string,
)

WRAP_COLUMNS = 90
FONT_SIZE = 10
LEADING = 12  # points between baselines
PAGE_WIDTH = 612  # US Letter
PAGE_HEIGHT = 792
MARGIN = 54
# PDF 1.4 viewers must accept pages up to 200 inches; a page that needs more lines than
# fit on Letter grows taller instead of silently losing text.
MAX_PAGE_HEIGHT = 14_400

def render_text_pdf(
    pages: list[str],
    path: str | Path,
    *,
    page_labels: list[PageLabelRange] | None = None,
    title: str | None = None,
) -> Path:
    """Write ``pages`` (one string per page) as a text PDF at ``path`` and return the path.

    ``page_labels`` example, two roman front-matter pages then decimal from 1:
    ``[(0, "r", ""), (2, "D", "")]``. Without it the PDF has no /PageLabels and readers
    show the 1-based index. An empty ``pages`` list writes a valid PDF with zero pages
    (loaders reject it; tests need exactly that file).
    """
    check_label_ranges(page_labels, len(pages))
    contents = [_page_content(_wrap(text)) for text in pages]
    return _write_pdf(Path(path), contents, page_labels=page_labels, title=title,
                      with_image=False)


def render_image_only_pdf(path: str | Path, n_pages: int) -> Path:
    """Write ``n_pages`` pages that show a grey image and a frame but carry no text layer.

    It stands in for a scanned document: what a reader sees is pixels, so text
    extraction finds nothing.
    """
    if n_pages < 1:
        raise ValueError(f"n_pages must be at least 1, got {n_pages}")
    stream = (
        f"q 0.2 G 2 w {MARGIN} {MARGIN} {PAGE_WIDTH - 2 * MARGIN} "
        f"{PAGE_HEIGHT - 2 * MARGIN} re S Q\n"
        f"q {PAGE_WIDTH - 4 * MARGIN} 0 0 {PAGE_HEIGHT - 4 * MARGIN} "
        f"{2 * MARGIN} {2 * MARGIN} cm /Im1 Do Q\n"
    ).encode("ascii")
    contents = [(stream, PAGE_HEIGHT)] * n_pages
    return _write_pdf(Path(path), contents, page_labels=None, title=None, with_image=True)


@dataclass(frozen=True)
class PlacedText:
    """A run of text drawn at a given horizontal position on a line of a positioned page.

    ``x`` is in points from the page's left edge; with ``align="right"`` it is where the
    run ends (how tables right-align numbers, so their last digits line up). Right
    alignment needs the run's width: only characters in ``HELVETICA_WIDTHS`` can be
    right-aligned.
    """

    x: float
    text: str
    align: Literal["left", "right"] = "left"
    size: int = FONT_SIZE


# Helvetica advance widths in 1/1000 em (Adobe's AFM) for what right-aligned table cells
# hold: digits, separators, signs, brackets, currency, and the capital letters and spaces
# of short headers such as "FY 2018".
HELVETICA_WIDTHS = {
    **dict.fromkeys("0123456789$", 556), ",": 278, ".": 278, " ": 278, "(": 333, ")": 333,
    "-": 333, "%": 889, "\u2014": 1000, "\u2013": 556, "\u20ac": 556, "\u00a3": 556,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278,
    "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722,
    "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
}


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """Width in points of ``text`` set in Helvetica at ``size``; ValueError for a
    character whose width ``HELVETICA_WIDTHS`` does not hold."""
    missing = sorted({char for char in text if char not in HELVETICA_WIDTHS})
    if missing:
        raise ValueError(f"no Helvetica width for {missing!r}; right-align only numbers, "
                         "signs and capitals, or left-align this run")
    return sum(HELVETICA_WIDTHS[char] for char in text) * size / 1000


def render_positioned_pdf(
    pages: list[list[list[PlacedText]]],
    path: str | Path,
    *,
    page_labels: list[PageLabelRange] | None = None,
    title: str | None = None,
) -> Path:
    """Write pages whose lines are runs placed at given x positions (tables, forms).

    Each page is a list of lines, one ``LEADING`` apart from the top margin down; each
    line is a list of ``PlacedText`` runs (an empty list leaves a blank line). Example,
    a row with a label and two right-aligned numbers:
    ``[PlacedText(54, "Net income"), PlacedText(400, "1,234", "right"),
    PlacedText(480, "(56)", "right")]``.
    """
    check_label_ranges(page_labels, len(pages))
    contents = [_positioned_content(lines) for lines in pages]
    return _write_pdf(Path(path), contents, page_labels=page_labels, title=title,
                      with_image=False)


def _positioned_content(lines: list[list[PlacedText]]) -> tuple[bytes, int]:
    needed = 2 * MARGIN + LEADING * len(lines)
    height = max(PAGE_HEIGHT, needed)
    if height > MAX_PAGE_HEIGHT:
        raise ValueError(f"a positioned page has {len(lines)} lines; split it into more pages")
    top = height - MARGIN - FONT_SIZE
    parts = [b"BT"]
    for number, line in enumerate(lines):
        baseline = top - LEADING * number
        for run in line:
            text = _clean_line(run.text)
            x = run.x - text_width(text, run.size) if run.align == "right" else run.x
            if not 0 <= x <= PAGE_WIDTH:
                raise ValueError(f"run {run.text!r} starts at x={x:.1f}, off the page "
                                 f"(0 to {PAGE_WIDTH} points)")
            # Tm places each run absolutely, so runs on one line can come in any order.
            parts.append(b"/F1 %d Tf 1 0 0 1 %s %d Tm " % (run.size, _number(x), baseline)
                         + _pdf_string(text) + b" Tj")
    parts.append(b"ET")
    return b"\n".join(parts) + b"\n", height


def _number(value: float) -> bytes:
    return (b"%.2f" % value).rstrip(b"0").rstrip(b".")


_NOT_DRAWN = re.compile("[\x00-\x1f\x7f\u00ad]")


def _clean_line(line: str) -> str:
    line = _NOT_DRAWN.sub("", unicodedata.normalize("NFC", line).replace("\t", " "))
    try:
        line.encode("cp1252")
        return line  # the common case, checked once per line rather than per character
    except UnicodeEncodeError:
        return "".join(_winansi_char(char) for char in line)


def _winansi_char(char: str) -> str:
    """``char`` if WinAnsi can show it, else its compatibility form (ligature ``ﬁ`` ->
    ``fi``, full-width ``１`` -> ``1``), else ``?``; control characters and the
    invisible soft hyphen (which Helvetica would draw as a visible ``-``) become ``""``."""
    if char < " " or char in "\x7f\u00ad":
        return ""
    try:
        char.encode("cp1252")
        return char
    except UnicodeEncodeError:
        compatible = unicodedata.normalize("NFKC", char)
        try:
            compatible.encode("cp1252")
            return compatible
        except UnicodeEncodeError:
            return "?"


def _wrap(text: str) -> list[str]:
    """Split a page into drawn lines: keep the author's line breaks, wrap long lines."""
    lines: list[str] = []
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _clean_line(raw_line).rstrip()
        if not line:
            lines.append("")
            continue
        lines.extend(_wrap_line(line, WRAP_COLUMNS))
    while lines and not lines[-1]:
        lines.pop()
    return lines


_NEEDS_ESCAPE = re.compile(rb"[()\\\x80-\xff]")


def _escape_byte(match: re.Match[bytes]) -> bytes:
    byte = match.group()
    # Octal escapes for bytes >= 0x80 keep the content stream plain ASCII.
    return b"\\" + byte if byte in b"()\\" else b"\\%03o" % byte[0]


def _wrap_line(line: str, width: int) -> list[str]:
    """Greedy word wrap; textwrap took ~10x longer on a 2,000-page benchmark document.

    No hyphens are added: a word longer than a line is cut where it must be. Runs of
    spaces inside a wrapped line shrink to one; PDF text extraction does that anyway.
    """
    if len(line) <= width:
        return [line]
    wrapped: list[str] = []
    current = ""
    for word in line.split(" "):
        if not word:
            continue
        while len(word) > width:
            if current:
                wrapped.append(current)
                current = ""
            wrapped.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            wrapped.append(current)
            current = word
    if current:
        wrapped.append(current)
    return wrapped


def _pdf_string(text: str) -> bytes:
    """A literal string in WinAnsi bytes, escaped so any input stays one valid token."""
    return b"(" + _NEEDS_ESCAPE.sub(_escape_byte, text.encode("cp1252", errors="replace")) + b")"


def _page_content(lines: list[str]) -> tuple[bytes, int]:
    """The page's content stream and the page height it needs."""
    needed = 2 * MARGIN + LEADING * len(lines)
    height = max(PAGE_HEIGHT, needed)
    if height > MAX_PAGE_HEIGHT:
        raise ValueError(
            f"a page has {len(lines)} wrapped lines; at most "
            f"{(MAX_PAGE_HEIGHT - 2 * MARGIN) // LEADING} fit on one PDF page; split the "
            "text into more pages")
    top = height - MARGIN - FONT_SIZE
    parts = [b"BT", b"/F1 %d Tf" % FONT_SIZE, b"%d TL" % LEADING, b"%d %d Td" % (MARGIN, top)]
    for line in lines:
        if line:
            parts.append(_pdf_string(line) + b" Tj")
        parts.append(b"T*")
    parts.append(b"ET")
    return b"\n".join(parts) + b"\n", height


def _write_pdf(
    path: Path,
    contents: list[tuple[bytes, int]],
    *,
    page_labels: list[PageLabelRange] | None,
    title: str | None,
    with_image: bool,
) -> Path:
    # Fixed object numbers: 1 catalog, 2 page tree, 3 font, 4 info, 5 image, then a
    # (page, content stream) pair per page.
    first_page_object = 6
    page_refs = [first_page_object + 2 * index for index in range(len(contents))]
    objects: dict[int, bytes] = {}

    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    if page_labels:
        catalog += b" /PageLabels " + page_labels_dict(page_labels)
    objects[1] = catalog + b" >>"
    kids = b" ".join(b"%d 0 R" % ref for ref in page_refs)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_refs))
    objects[3] = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                  b"/Encoding /WinAnsiEncoding >>")
    info = b"<< /Producer (lcagent.pdfgen)"
    if title:
        info += b" /Title " + pdf_text_string(title)
    objects[4] = info + b" >>"
    # A 4x4 greyscale checkerboard, scaled up on image-only pages.
    pixels = bytes([0x30, 0xC0] * 2 + [0xC0, 0x30] * 2) * 2
    objects[5] = (b"<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace "
                  b"/DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels)
                  + pixels + b"\nendstream")

    resources = b"<< /Font << /F1 3 0 R >>"
    if with_image:
        resources += b" /XObject << /Im1 5 0 R >>"
    resources += b" >>"
    for ref, (stream, height) in zip(page_refs, contents):
        objects[ref] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                        b"/Resources %s /Contents %d 0 R >>"
                        % (PAGE_WIDTH, height, resources, ref + 1))
        objects[ref + 1] = (b"<< /Length %d >>\nstream\n" % len(stream)
                            + stream + b"endstream")

    # The binary comment line tells transfer tools the file is binary (PDF 32000-1, 7.5.2).
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_offset = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n" % size
    # Each entry is exactly 20 bytes, hence the space before the newline.
    out += b"0000000000 65535 f \n"
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    file_id = hashlib.md5(bytes(out)).hexdigest().upper().encode("ascii")
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R /ID [<%s> <%s>] >>\n"
            % (size, file_id, file_id))
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    path.write_bytes(bytes(out))
    return path
