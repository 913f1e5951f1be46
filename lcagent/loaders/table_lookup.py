"""Reading stored tables: the cells under the row and column a question names, best first.

``find_cells(tables, row_terms={"purchases", "property", "plant", "equipment"},
column_terms={"2018"})`` gives the 2018 cell of the row "Purchases of property, plant and
equipment", with its column header, the table's units and the row as printed (to cite). Only
generic tokenisation: the words come from the caller (a question's analysis), not from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from lcagent.records import Table, TableCell, TableRow

# letters and digits apart, so "FY2018" gives "fy" and "2018"
_WORD = re.compile(r"[^\W\d_]+|\d+")
# Where a row term may be found, and what it is worth there: the row's own label counts most,
# the label-only line it sits under less, the table's title least.
LABEL_WEIGHT, SECTION_WEIGHT, TITLE_WEIGHT = 1.0, 0.6, 0.4
# A column term found only in the table's title ("Year ended December 31, 2018" over
# quarterly columns) counts this much.
COLUMN_IN_TITLE_WEIGHT = 0.7
# Prefixes of at least this many characters, within this many extra characters, match
# ("purchase" ~ "purchases"), without a language's stemming rules.
MIN_PREFIX, MAX_EXTRA = 4, 3


@dataclass(frozen=True)
class CellMatch:
    """One cell that answers a row-and-column question, with what a reader needs to cite it."""

    table: Table
    row: TableRow
    column: int  # index into table.columns and row.cells
    score: float  # 0-1: how well the row and the column match the terms

    @property
    def cell(self) -> TableCell:
        return self.row.cells[self.column]

    @property
    def header(self) -> str:
        return self.table.columns[self.column]

    @property
    def units(self) -> str | None:
        return self.table.units

    def render(self) -> str:
        units = f" {self.units}" if self.units else ""
        return f"{self.row.label} | {self.header or f'column {self.column + 1}'}: {self.cell.text}{units}"


def words(text: str) -> list[str]:
    """Lower-case word tokens: the only text processing the lookup does."""
    return [word.lower() for word in _WORD.findall(text)]


def _same_word(term: str, word: str) -> bool:
    if term == word:
        return True
    short, long = sorted((term, word), key=len)
    return len(short) >= MIN_PREFIX and long.startswith(short) and len(long) - len(short) <= MAX_EXTRA


def _found(term: str, vocabulary: Iterable[str]) -> bool:
    return any(_same_word(term, word) for word in vocabulary)


def _terms(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(word for term in terms for word in words(term)))


def row_score(table: Table, row: TableRow, row_terms: list[str]) -> float:
    """0-1: the share of ``row_terms`` the row carries (label, then section, then title),
    times how much of the label those terms cover (so the exact row beats a longer one)."""
    if not row_terms:
        return 0.0
    label, section, title = words(row.label), words(row.section), words(table.title or "")
    found = 0.0
    matched_label_words = set()
    for term in row_terms:
        in_label = [word for word in label if _same_word(term, word)]
        if in_label:
            found += LABEL_WEIGHT
            matched_label_words.update(in_label)
        elif _found(term, section):
            found += SECTION_WEIGHT
        elif _found(term, title):
            found += TITLE_WEIGHT
    coverage = found / len(row_terms)
    # label words no term asked for ("Proceeds from sale of ...") cost a little each
    extra = len([word for word in label if word not in matched_label_words])
    return coverage * (1.0 / (1.0 + 0.05 * extra))


def column_score(table: Table, column: int, column_terms: list[str]) -> float:
    if not column_terms:
        return 1.0
    header, title = words(table.columns[column]), words(table.title or "")
    found = sum(1.0 if _found(term, header) else COLUMN_IN_TITLE_WEIGHT if _found(term, title) else 0.0
                for term in column_terms)
    return found / len(column_terms)


def find_cells(tables: Iterable[Table], row_terms: Iterable[str], column_terms: Iterable[str] = (),
               *, limit: int = 5, min_score: float = 0.3) -> list[CellMatch]:
    """Non-empty cells whose row matches ``row_terms`` and whose column matches
    ``column_terms`` (every column when none are given), best first."""
    wanted_rows, wanted_columns = _terms(row_terms), _terms(column_terms)
    matches: list[CellMatch] = []
    for table in tables:
        columns = [(index, column_score(table, index, wanted_columns)) for index in range(len(table.columns))]
        columns = [(index, score) for index, score in columns if score > 0]
        if not columns:
            continue
        for row in table.rows:
            row_fit = row_score(table, row, wanted_rows)
            if row_fit <= 0:
                continue
            for index, column_fit in columns:
                if index < len(row.cells) and row.cells[index].text:
                    score = row_fit * column_fit
                    if score >= min_score:
                        matches.append(CellMatch(table, row, index, round(score, 4)))
    matches.sort(key=lambda match: (-match.score, match.table.page_index, match.table.ordinal))
    return matches[:limit]


def render_table(table: Table, *, max_rows: int | None = None) -> str:
    """The table as plain text for a reader: title, units, a header line, one line per row."""
    lines = [f"Table (p. {table.page_index}): {table.title or 'untitled'}"
             + (f" {table.units}" if table.units else "")]
    lines.append(" | ".join(["", *[column or f"column {i + 1}" for i, column in enumerate(table.columns)]]))
    for row in table.rows[:max_rows]:
        label = ("  " * row.indent) + row.label
        lines.append(" | ".join([label, *[cell.text for cell in row.cells]]))
    return "\n".join(lines)
