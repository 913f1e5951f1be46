"""Tables in PDF pages, read from PDFium's text positions: each row with its label, its cells under
their column headers (years, periods), the table's title and units, and the row quotable verbatim.

Plain text extraction turns a financial statement into ragged lines; here the x-positions of
numbers aligned across lines give the columns. Most pages of a long document are prose, so a
page is first screened on its text alone and only candidates pay for character boxes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

import pypdfium2 as pdfium

from lcagent.loaders.pdfium_text import clean_pdfium_text
from lcagent.loaders.table_layout import (
    DASH,
    VisualRow,
    column_bounds,
    column_of,
    line_pitch,
    may_hold_table,
    overlaps,
    phrases,
    table_spans,
    visual_rows,
)
from lcagent.records import Table, TableCell, TableRow

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_PLAIN_NUMBER = re.compile(r"^\d+,?$")
_WORD = re.compile(r"\w+")


def extract_tables(textpage: pdfium.PdfTextPage, page_index: int, raw_text: str | None = None,
                   page_text: str | None = None) -> list[Table]:
    """The tables on one page (``page_index`` 1-based), top to bottom; [] for most pages.

    ``raw_text`` is the page's ``get_text_range()`` when the caller has it already;
    ``page_text`` its stored (cleaned) text, to which every row's ``line_text`` belongs.
    """
    raw = textpage.get_text_range() if raw_text is None else raw_text
    if not may_hold_table(raw):
        return []
    raw_lines = raw.split("\r\n")
    rows = visual_rows(textpage, raw, raw_lines)
    if not rows:
        return []
    stored = clean_pdfium_text(raw) if page_text is None else page_text
    cleaned_lines = [clean_pdfium_text(line) for line in raw_lines]
    pitch = line_pitch(rows)
    tables = []
    for first, last in table_spans(rows, pitch):
        table = _build_table(rows, first, last, pitch, page_index, len(tables), cleaned_lines, stored)
        if table:
            tables.append(table)
    return tables


def drop_running_titles(tables: list[Table], page_texts: list[str]) -> list[Table]:
    """Forget titles that are the document's running header or footer ("Table of Contents"
    atop every page of a filing): such a line names no table."""
    if not any(table.title for table in tables):
        return tables
    edges: Counter[str] = Counter()
    for text in page_texts:
        edges.update({" ".join(line.split()) for line in _edge_lines(text)})
    often = max(3, len(page_texts) // 5)
    return [replace(table, title=None) if table.title and edges[" ".join(table.title.split())] >= often
            else table for table in tables]


def _edge_lines(text: str, count: int = 2) -> list[str]:
    """The first and the last ``count`` non-blank lines of a page, read from both ends (a page
    holds hundreds of lines, and this runs for every page of a document)."""
    reach = 8 * count
    head = text.split("\n", reach)  # at most reach lines, then the rest in one piece
    tail = text.rsplit("\n", reach)
    first = [line for line in head[:reach] if line.strip()][:count]
    last = [line for line in tail[-reach:] if line.strip()][-count:]
    if (len(first) < count and len(head) > reach) or (len(last) < count and len(tail) > reach):
        lines = [line for line in text.split("\n") if line.strip()]  # mostly blank lines at an end
        return lines[:count] + lines[-count:]
    return first + last


# --- one table ------------------------------------------------------------------------------

# Words that give a table's scale; the units line is the phrase that holds one.
SCALE_WORDS = {"thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6,
               "billion": 1e9, "billions": 1e9, "percent": None, "percentage": None}
_PARENTHESISED = re.compile(r"\([^()]*\)")
MAX_HEADER_ROWS = 6
MAX_TITLE_DISTANCE_ROWS = 4


def units_in(text: str) -> str | None:
    """The phrase of ``text`` that states a scale ("(In millions, except per share data)")."""
    for group in _PARENTHESISED.findall(text):
        if any(word.lower() in SCALE_WORDS for word in _WORD.findall(group)):
            return group
    words = _WORD.findall(text)
    if len(words) <= 8 and any(word.lower() in SCALE_WORDS for word in words):
        return text.strip()
    return None


def _build_table(rows: list[VisualRow], first: int, last: int, pitch: float, page_index: int,
                 ordinal: int, cleaned_lines: list[str], stored: str) -> Table | None:
    # leading rows of years only ("2018 2017 2016") are headers, not data
    while first <= last and rows[first].cells and all(_YEAR.match(c.text) for c in rows[first].cells):
        first += 1
    # Columns come from rows with two or more numbers; a lone number may end a label.
    columns = column_bounds([row for row in rows[first:last + 1] if len(row.cells) >= 2])
    if len(columns) < 2:
        return None
    numeric_left = columns[0][0]
    # Label-only lines right above the first numbers ("Assets", "Current assets") belong to the
    # body when column headers sit above them; otherwise they are the caption.
    lead = first
    while (lead > 0 and first - lead < 3 and not rows[lead - 1].cells
           and rows[lead - 1].x1 < numeric_left and rows[lead - 1].y - rows[lead].y <= 2.5 * pitch):
        lead -= 1
    header_rows = _header_rows(rows, lead, columns, pitch) if lead < first else []
    if header_rows:
        first = lead
    else:
        header_rows = _header_rows(rows, first, columns, pitch)
    top = header_rows[0] if header_rows else first
    title_index = _title_row(rows, top, pitch)
    units = None
    for index in [*header_rows, *range(title_index if title_index is not None else top, top)]:
        units = units or units_in(rows[index].text())
    headers = _column_headers([rows[i] for i in header_rows], columns, numeric_left, units)
    table_rows = _table_rows(rows[first:last + 1], columns, numeric_left, cleaned_lines, stored)
    if len(table_rows) < 2:
        return None
    title = rows[title_index].text() if title_index is not None else None
    if title and units and units != title:
        title = title.replace(units, "").strip() or title
    return Table(page_index=page_index, ordinal=ordinal, title=title, units=units,
                 columns=headers, rows=table_rows)


def _header_rows(rows: list[VisualRow], first: int, columns, pitch: float) -> list[int]:
    """Rows just above the body whose words sit over the columns (years, periods), and a
    short dated line right above them in the stub ("Years ended December 31")."""
    numeric_left, column_left = columns[0][0], columns[0][2]
    found: list[int] = []
    below = first
    for index in range(first - 1, max(-1, first - 1 - MAX_HEADER_ROWS), -1):
        row = rows[index]
        gap = row.y - rows[below].y
        if gap > 2.5 * pitch:
            break
        over_columns = [t for t in row.tokens if t.x1 > numeric_left - pitch]
        left_part = len(row.tokens) - len(over_columns)
        # one number can be a date ("December 31"); two or more make a row of data
        non_year_numbers = len([c for c in row.cells if not _YEAR.match(c.text)
                                and c.x1 > numeric_left - pitch]) >= 2
        dated_stub_line = (not over_columns and found and gap <= 2.0 * pitch
                           and len(row.tokens) <= 8 and not row.tokens[-1].text.endswith(".")
                           and any(_PLAIN_NUMBER.match(t.text) for t in row.tokens))
        if not dated_stub_line and (not over_columns or non_year_numbers or left_part > 12):
            break
        # Prose, or a title centred on the page, runs from the stub into the columns; a stub
        # header ("(Millions)") stands well apart from the column headers.
        stub = [t for t in row.tokens if t.x1 <= column_left]
        if any(phrase[0].x0 < column_left - pitch and phrase[-1].x1 > column_left
               for phrase in phrases(row.tokens)):
            break
        if (stub and over_columns and min(t.x0 for t in over_columns) - stub[-1].x1 < 2 * pitch
                and len(_split_aligned([over_columns], columns)) == 1):
            break
        found.append(index)
        below = index
    return found[::-1]


def _title_row(rows: list[VisualRow], top: int, pitch: float) -> int | None:
    """The nearest heading-like line above the table: short, not a sentence, no row of numbers.

    A line with a bare number ("Years ended December 31") is taken only when no line above it
    qualifies: it states the period, the line above it usually names the table.
    """
    dated = None
    for index in range(top - 1, max(-1, top - 1 - MAX_TITLE_DISTANCE_ROWS), -1):
        row = rows[index]
        if rows[index].y - rows[top].y > (MAX_TITLE_DISTANCE_ROWS + 2) * pitch:
            break
        text = row.text()
        if units_in(text) == text.strip():
            continue  # a units line: the title is above it
        if len(row.cells) >= 2 or text.endswith(".") or len(_WORD.findall(text)) > 15:
            break
        if any(_PLAIN_NUMBER.match(token.text) for token in row.tokens):
            dated = index if dated is None else dated
            continue
        return index
    return dated


def _column_headers(header_rows: list[VisualRow], columns, numeric_left: float,
                    units: str | None) -> list[str]:
    parts: list[list[str]] = [[] for _ in columns]
    for row in header_rows:
        if row.x1 < numeric_left - 1.0:  # a dated line over the stub: it heads every column
            text = row.text()
            if text != units:
                for part in parts:
                    part.append(text)
            continue
        over = [(tokens[0].x0, tokens[-1].x1, " ".join(token.text for token in tokens))
                for tokens in _split_aligned(phrases(row.tokens), columns)]
        over = [(x0, x1, text) for x0, x1, text in over
                if x1 >= columns[0][2] and not (units and text == units)]  # not the stub's own header
        centres = [(c0 + c1) / 2 for c0, c1, _left, _right in columns]
        column_pitch = min(b - a for a, b in zip(centres, centres[1:]))
        for index, (c0, c1, left, right) in enumerate(columns):
            centre = centres[index]
            if len(over) == 1 and row is not header_rows[-1]:
                parts[index].append(over[0][2])  # the one phrase above the per-column headers
                continue
            if 1 < len(over) < len(columns) and len(columns) % len(over) == 0:
                # "Three Months Ended | Nine Months Ended" over four columns: each phrase heads an
                # equal run of columns, left to right (however the phrases happen to be centred)
                parts[index].append(over[index // (len(columns) // len(over))][2])
                continue
            if len(over) < len(columns):
                # Fewer phrases than columns: a phrase at least a column wide heads a group
                # ("Year Ended December 31," over three years), and a column takes the nearest
                # such phrase; a narrower one heads only the column it is centred over.
                def distance(phrase: tuple[float, float, str]) -> float:
                    return max(phrase[0] - centre, centre - phrase[1], 0.0)
                nearest = min(over, key=distance, default=None)
                if nearest and (distance(nearest) == 0.0 or (
                        nearest[1] - nearest[0] >= column_pitch and distance(nearest) <= column_pitch)):
                    parts[index].append(nearest[2])
                continue
            # one phrase a column: the one over its numbers, or centred in its span
            parts[index].extend(text for x0, x1, text in over
                                if overlaps(x0, x1, c0, c1) or left <= (x0 + x1) / 2 <= right)
    return [" ".join(part) for part in parts]


def _split_aligned(row_phrases: list[list], columns) -> list[list]:
    """Monospaced headers ("[,1] [,2] [,3]") are one phrase by their gaps, but each word sits
    over the numbers of its own column: such a phrase is one header per word."""
    out = []
    for tokens in row_phrases:
        homes = [next((index for index, (c0, c1, _l, _r) in enumerate(columns)
                       if overlaps(token.x0, token.x1, c0, c1)), None) for token in tokens]
        if len(tokens) > 1 and None not in homes and len(set(homes)) == len(homes):
            out.extend([token] for token in tokens)
        else:
            out.append(tokens)
    return out


@dataclass
class _PendingRow:
    label: str
    x0: float
    lines: list[int]
    cells: list[TableCell] | None = None  # None: a label-only line


def _table_rows(body: list[VisualRow], columns, numeric_left: float, cleaned_lines: list[str],
                stored: str) -> list[TableRow]:
    parsed: list[_PendingRow] = []
    for row in body:
        label_tokens = list(row.label)
        cells: list[list[str]] = [[] for _ in columns]
        placed = False
        for cell in row.cells:
            column = column_of(cell, columns)
            if column is None or cell.x1 < numeric_left - 1.0:
                label_tokens.append(cell)  # a number inside the label ("Notes due 2025")
            else:
                cells[column].append(cell.text)
                placed = True
        label = " ".join(token.text for token in label_tokens)
        x0 = label_tokens[0].x0 if label_tokens else row.x0
        parsed.append(_PendingRow(label, x0, list(row.lines),
                                  [_cell(" ".join(texts)) for texts in cells] if placed else None))
    # A wrapped label: a label-only line, then a row whose label goes on in lower case.
    merged: list[_PendingRow] = []
    for row in parsed:
        previous = merged[-1] if merged else None
        continues = bool(row.label) and row.label[0].islower()
        if previous and previous.cells is None and continues:
            previous.label = f"{previous.label} {row.label}"
            previous.lines += row.lines
            previous.cells = row.cells
        elif previous and previous.cells is not None and row.cells is None and continues:
            previous.label = f"{previous.label} {row.label}"  # numbers printed on the first line
            previous.lines += row.lines
        else:
            merged.append(row)
    indents = sorted({round(row.x0 / 3.0) for row in merged if row.label})
    out: list[TableRow] = []
    # Open label-only lines as [x0, label, indent of their first row]: a line heads the rows
    # after it down to the first one left of its first row's indent.
    sections: list[list] = []
    for row in merged:
        if row.cells is None:
            while sections and sections[-1][2] is not None and row.x0 < sections[-1][2] - 1.0:
                sections.pop()
            sections.append([row.x0, row.label, None])
            continue
        while sections and row.x0 < (sections[-1][2] if sections[-1][2] is not None
                                     else sections[-1][0]) - 1.0:
            sections.pop()
        for section in sections:
            if section[2] is None:
                section[2] = row.x0
        line_text = _line_text(sorted(set(row.lines)), cleaned_lines, stored)
        if line_text is None:
            continue
        indent = indents.index(round(row.x0 / 3.0)) if row.label else 0
        section = sections[-1][1] if sections else ""
        out.append(TableRow(label=row.label, cells=row.cells, line_text=line_text,
                            indent=indent, section=section))
    return out


def _cell(text: str) -> TableCell:
    """Parentheses or a minus make a negative; a dash or nothing is an empty cell."""
    core = text.replace(" ", "").strip("$€£%")
    if not core or core.strip("$€£") in DASH:
        return TableCell(text=text, value=None)
    negative = core.startswith("(") or core.startswith(("-", "−"))
    digits = core.strip("()$€£%-−+").replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return TableCell(text=text, value=None)
    return TableCell(text=text, value=-value if negative else value)


def _line_text(lines: list[int], cleaned_lines: list[str], stored: str) -> str | None:
    """The row as the stored page shows it: its PDFium lines when they follow each other,
    otherwise the one that holds most of it."""
    if lines == list(range(lines[0], lines[-1] + 1)):
        text = "\n".join(cleaned_lines[i] for i in lines).lstrip()
        if text and text in stored:
            return text
    for index in sorted(lines, key=lambda i: -len(cleaned_lines[i])):
        text = cleaned_lines[index].strip()
        if text and text in stored:
            return text
    return None
