"""Where a page's words sit: PDFium's text lines regrouped into printed rows, each split into a
label and trailing numeric cells, and the runs of rows whose numbers line up in columns.

``lcagent.loaders.tables`` turns those runs into ``Table`` records.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A number as statements print it: 5,363  (1,577)  $5,363  12.5%  -0.3  (0.5)%
_NUMBER = re.compile(r"^[$€£]?\(?[$€£]?[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?%?\)?$")
DASH = frozenset("—–-−")  # an empty cell: "—", "–", "-"
_CURRENCY = frozenset("$€£")
# Screening: lines that end in two number-like tokens (or dashes). A page needs a few such
# lines before its character boxes are read, the cost that matters on 2,000-page manuals.
# The match starts at the last character of the first number, so most positions fail on
# their first character (a pattern that starts at the blank before a number was 6x slower).
_NUMERIC_LINE_END = re.compile(
    r"(?:\d\)?%?|[—–])[ \t]+(?:[$€£][ \t]?)?(?:\(?[-−]?\d[\d,.]*\)?%?|[—–])[ \t]*(?:\r?\n|\Z)")
MIN_NUMERIC_LINES = 3
# Label-only lines a table may hold in a row ("Equity", "Shareholders' equity:", ...).
MAX_LABEL_ONLY_RUN = 4

@dataclass
class Token:
    text: str
    x0: float
    x1: float
    line: int  # index of the PDFium text line it came from


@dataclass
class VisualRow:
    """Tokens sharing a baseline, left to right, split into a label and trailing cells."""

    y: float
    height: float
    tokens: list[Token]
    lines: list[int]
    label: list[Token] = field(default_factory=list)
    cells: list[Token] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.tokens[0].x0

    @property
    def x1(self) -> float:
        return self.tokens[-1].x1

    def text(self) -> str:
        return " ".join(token.text for token in self.tokens)


def may_hold_table(raw_text: str) -> bool:
    """Cheap screen on PDFium's page text: a few lines ending in two or more numbers."""
    matches = 0
    for _ in _NUMERIC_LINE_END.finditer(raw_text):
        matches += 1
        if matches >= MIN_NUMERIC_LINES:
            return True
    return False


def visual_rows(textpage: pdfium.PdfTextPage, raw: str, raw_lines: list[str]) -> list[VisualRow]:
    # Character i of get_text_range() is PDFium's character i only without surrogate pairs.
    if pdfium_c.FPDFText_CountChars(textpage.raw) != len(raw):
        return []
    box = pdfium_c.FS_RECTF()
    handle, loose_box = textpage.raw, pdfium_c.FPDFText_GetLooseCharBox
    pieces: list[tuple[float, float, list[Token]]] = []  # (baseline, height, tokens) per PDFium line
    offset = 0
    for number, line in enumerate(raw_lines):
        tokens: list[Token] = []
        baseline = height = 0.0
        for match in re.finditer(r"\S+", line):
            loose_box(handle, offset + match.start(), ctypes.byref(box))
            x0 = box.left
            if not tokens:
                baseline, height = box.bottom, box.top - box.bottom
            loose_box(handle, offset + match.end() - 1, ctypes.byref(box))
            tokens.append(Token(match.group(), x0, box.right, number))
        if tokens:
            pieces.append((baseline, height, _close_parentheses(tokens)))
        offset += len(line) + 2
    # PDFium starts a new line when the baseline moves, but one printed row can still come as
    # several lines (labels first, then the numbers): merge lines on the same baseline.
    pieces.sort(key=lambda piece: -piece[0])
    rows: list[VisualRow] = []
    for baseline, height, tokens in pieces:
        if rows and abs(rows[-1].y - baseline) < 0.4 * max(height, rows[-1].height, 1.0):
            rows[-1].tokens.extend(tokens)
            rows[-1].lines.append(tokens[0].line)
        else:
            rows.append(VisualRow(baseline, height, list(tokens), [tokens[0].line]))
    for row in rows:
        row.tokens.sort(key=lambda token: token.x0)
        _split_label_and_cells(row)
    return rows


def _close_parentheses(tokens: list[Token]) -> list[Token]:
    """"(554 )": some filings print a space before a negative's closing parenthesis; the ")" is
    part of the number, not a token of its own."""
    joined: list[Token] = []
    for token in tokens:
        if token.text == ")" and joined and re.fullmatch(r"[$€£]?\([$€£]?[\d,.]+%?", joined[-1].text):
            previous = joined[-1]
            joined[-1] = Token(previous.text + ")", previous.x0, token.x1, previous.line)
        else:
            joined.append(token)
    return joined


def _split_label_and_cells(row: VisualRow) -> None:
    """Trailing numbers and dashes are cells (a lone currency sign or % sticks to its number)."""
    tokens = row.tokens
    end = len(tokens)
    cells: list[Token] = []
    while end > 0:
        text = tokens[end - 1].text
        if text in _CURRENCY or text == "%":
            end -= 1
            continue
        if _NUMBER.match(text) or text in DASH or (text[0] in _CURRENCY and text[1:] in DASH):
            cells.append(tokens[end - 1])
            end -= 1
            continue
        break
    row.label, row.cells = tokens[:end], cells[::-1]


def line_pitch(rows: list[VisualRow]) -> float:
    gaps = [upper.y - lower.y for upper, lower in zip(rows, rows[1:]) if upper.y - lower.y > 0.5]
    return statistics.median(gaps) if gaps else 12.0


def overlaps(a0: float, a1: float, b0: float, b1: float, slack: float = 1.0) -> bool:
    return a0 <= b1 + slack and b0 <= a1 + slack


def table_spans(rows: list[VisualRow], pitch: float) -> list[tuple[int, int]]:
    """Runs of rows whose numbers line up in two or more shared columns (inclusive indices)."""
    spans: list[tuple[int, int]] = []
    start = last_data = previous = -1
    label_only = 0
    columns: list[list[float]] = []
    for index, row in enumerate(rows):
        if start >= 0 and rows[previous].y - row.y <= 3.5 * pitch:
            numeric_left = columns[0][0]
            cells = [c for c in row.cells if c.x1 > numeric_left - pitch]
            aligned = sum(any(overlaps(c.x0, c.x1, x0, x1) for x0, x1 in columns) for c in cells)
            if cells and aligned >= min(2, len(cells)):
                last_data = previous = index
                label_only = 0
                columns = merge_columns(columns, cells)
                continue
            if not cells and row.x1 < numeric_left and label_only < MAX_LABEL_ONLY_RUN:
                previous = index  # a label-only line (a section heading, a wrapped label)
                label_only += 1
                continue
        if start >= 0:
            spans.append((start, last_data))
            start = -1
        if len(row.cells) >= 2:
            start = last_data = previous = index
            label_only = 0
            columns = merge_columns([], row.cells)
    if start >= 0:
        spans.append((start, last_data))
    return [(first, last) for first, last in spans
            if sum(len(rows[i].cells) >= 2 for i in range(first, last + 1)) >= 2]


def merge_columns(columns: list[list[float]], cells: list[Token]) -> list[list[float]]:
    merged = [list(column) for column in columns]
    for cell in cells:
        for column in merged:
            if overlaps(cell.x0, cell.x1, column[0], column[1]):
                column[0], column[1] = min(column[0], cell.x0), max(column[1], cell.x1)
                break
        else:
            merged.append([cell.x0, cell.x1])
    merged.sort()
    # two columns that grew into each other are one
    out: list[list[float]] = []
    for column in merged:
        if out and overlaps(out[-1][0], out[-1][1], column[0], column[1], slack=0.0):
            out[-1][1] = max(out[-1][1], column[1])
        else:
            out.append(column)
    return out


def column_bounds(rows: list[VisualRow]) -> list[tuple[float, float, float, float]]:
    """Each column as (x0, x1, left, right): its cells' extent, and the span it claims, out
    to half-way to its neighbours, from ``rows`` that hold two or more numbers.

    Not columns: numbers only one row has (one that ends a label, "allowances of $95 and
    $103") when the table has more rows, and numbers where other rows' labels still run
    ("Authorized shares — 500; ... — none" left of the real columns).
    """
    extents = merge_columns([], [cell for row in rows for cell in row.cells])
    if len(rows) >= 3:
        extents = [(x0, x1) for x0, x1 in extents
                   if sum(any(overlaps(c.x0, c.x1, x0, x1) for c in row.cells) for row in rows) >= 2]
    label_ends = [row.label[-1].x1 for row in rows if row.label]
    extents = [(x0, x1) for x0, x1 in extents
               if 3 * sum(end > x0 for end in label_ends) <= len(label_ends)]
    if not extents:
        return []
    gaps = [b[0] - a[1] for a, b in zip(extents, extents[1:])]
    margin = min(gaps) / 2 if gaps else 20.0
    bounds = []
    for index, (x0, x1) in enumerate(extents):
        left = (extents[index - 1][1] + x0) / 2 if index else x0 - margin
        right = (x1 + extents[index + 1][0]) / 2 if index + 1 < len(extents) else x1 + margin
        bounds.append((x0, x1, left, right))
    return bounds


def column_of(token: Token, columns: list[tuple[float, float, float, float]]) -> int | None:
    centre = (token.x0 + token.x1) / 2
    for index, (_x0, _x1, left, right) in enumerate(columns):
        if left <= centre <= right:
            return index
    return None


def phrases(tokens: list[Token]) -> list[list[Token]]:
    """Split a row where the gap between words is wider than a few spaces."""
    phrases: list[list[Token]] = []
    for token in tokens:
        if phrases and token.x0 - phrases[-1][-1].x1 < 6.0:
            phrases[-1].append(token)
        else:
            phrases.append([token])
    return phrases
