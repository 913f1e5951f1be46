"""Tables read from real PDFs: a generated cash-flow statement, stored and looked up, and the
Debian R manuals for "no crash, plausible output"."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from lcagent.ingest import ingest_file
from lcagent.loaders.pdf import PdfLoader
from lcagent.loaders.pdfium_text import clean_pdfium_text
from lcagent.loaders.table_lookup import find_cells, render_table
from lcagent.loaders.tables import extract_tables, may_hold_table, units_in
from lcagent.memory.tables import TableStore
from lcagent.memory.workspace import Workspace
from lcagent.pdfgen import PlacedText, render_positioned_pdf, render_text_pdf

YEARS = ("2018", "2017", "2016")
COLUMN_RIGHT_EDGES = (400, 470, 540)  # numbers are right-aligned on these
LABEL_X = {0: 54, 1: 64, 2: 74}  # one step of indentation per level

PROSE = ("The Company's cash flows are presented below. Amounts are in millions of dollars, "
         "and figures in parentheses are outflows.")


def _row(label: str, level: int, values: tuple[str, ...] = ()) -> list[PlacedText]:
    runs = [PlacedText(LABEL_X[level], label)]
    for value, right in zip(values, COLUMN_RIGHT_EDGES):
        runs.append(PlacedText(right, value, "right"))
    return runs


CASH_FLOW_LINES = [
    [PlacedText(54, PROSE[:PROSE.index(" and figures")])],
    [PlacedText(54, PROSE[PROSE.index(" and figures") + 1:])],
    [],
    [PlacedText(200, "ACME WIDGETS CORPORATION")],
    [PlacedText(180, "CONSOLIDATED STATEMENTS OF CASH FLOWS")],
    [PlacedText(240, "(In millions)")],
    [],
    [PlacedText(390, "Years Ended December 31,")],  # centred over the three columns
    [PlacedText(right, year, "right") for year, right in zip(YEARS, COLUMN_RIGHT_EDGES)],
    _row("Cash flows from operating activities:", 0),
    _row("Net income", 1, ("$ 5,363", "$ 4,869", "$ 5,058")),
    _row("Depreciation and amortization", 1, ("1,488", "1,544", "1,474")),
    _row("Net cash provided by operating activities", 0, ("6,439", "6,240", "6,662")),
    _row("Cash flows from investing activities:", 0),
    _row("Purchases of property, plant and equipment", 1, ("(1,577)", "(1,373)", "(1,420)")),
    _row("Proceeds from sale of property, plant and equipment", 1, ("262", "49", "58")),
    _row("Purchases of marketable securities and", 1),
    _row("investments, net", 2, ("(798)", "669", "(163)")),
    _row("Other - net", 1, ("9", "—", "(4)")),
    _row("Net cash used in investing activities", 0, ("(2,104)", "(655)", "(1,529)")),
    [],
    [PlacedText(54, "The accompanying notes are an integral part of these statements.")],
]

PROSE_PAGE = ("Management's discussion. In 2018 the Company spent more on plant and equipment than in "
              "2017, mainly for new lines in two of its 14 factories.\nNothing on this page is a table.")


@pytest.fixture(scope="module")
def statement_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "statement.pdf"
    prose = [[[PlacedText(54, line)]] for line in PROSE_PAGE.split("\n")]
    return render_positioned_pdf([[line for lines in prose for line in lines], CASH_FLOW_LINES], path)


def _page_tables(path: Path, index: int):
    document = pdfium.PdfDocument(path)
    try:
        text_page = document[index].get_textpage()
        raw = text_page.get_text_range()
        return extract_tables(text_page, index + 1, raw), clean_pdfium_text(raw)
    finally:
        document.close()


def test_statement_is_read_as_one_table_with_title_units_columns_and_rows(statement_pdf):
    tables, page_text = _page_tables(statement_pdf, 1)
    assert len(tables) == 1
    table = tables[0]
    assert table.page_index == 2
    assert table.title == "CONSOLIDATED STATEMENTS OF CASH FLOWS"
    assert table.units == "(In millions)"
    assert table.columns == [f"Years Ended December 31, {year}" for year in YEARS]
    assert [row.label for row in table.rows] == [
        "Net income",
        "Depreciation and amortization",
        "Net cash provided by operating activities",
        "Purchases of property, plant and equipment",
        "Proceeds from sale of property, plant and equipment",
        "Purchases of marketable securities and investments, net",  # a wrapped label, joined
        "Other - net",
        "Net cash used in investing activities",
    ]
    by_label = {row.label: row for row in table.rows}
    capex = by_label["Purchases of property, plant and equipment"]
    assert [cell.text for cell in capex.cells] == ["(1,577)", "(1,373)", "(1,420)"]
    assert [cell.value for cell in capex.cells] == [-1577.0, -1373.0, -1420.0]  # parentheses: negative
    assert [cell.value for cell in by_label["Net income"].cells] == [5363.0, 4869.0, 5058.0]
    other = by_label["Other - net"]
    assert (other.cells[1].text, other.cells[1].value) == ("—", None)  # a dash is an empty cell
    assert capex.section == "Cash flows from investing activities:"
    assert by_label["Net income"].section == "Cash flows from operating activities:"
    assert capex.indent > by_label["Net cash used in investing activities"].indent
    for row in table.rows:  # a citation of a row is a verbatim span of the stored page
        assert row.line_text in page_text, row.line_text
    assert capex.line_text == "Purchases of property, plant and equipment (1,577) (1,373) (1,420)"
    wrapped = by_label["Purchases of marketable securities and investments, net"]
    assert wrapped.line_text == "Purchases of marketable securities and\ninvestments, net (798) 669 (163)"


def test_a_prose_page_has_no_table_and_is_screened_out_cheaply(statement_pdf):
    tables, page_text = _page_tables(statement_pdf, 0)
    assert tables == []
    assert not may_hold_table(page_text)


def test_units_phrase_is_found_where_a_scale_is_named():
    assert units_in("(Millions, except per share amounts) 2018 2017") == "(Millions, except per share amounts)"
    assert units_in("Dollars in thousands") == "Dollars in thousands"
    assert units_in("(Unaudited)") is None
    assert units_in("Cash flows from investing activities:") is None


def test_ingest_stores_tables_with_the_document_and_removes_them_with_it(statement_pdf, tmp_path):
    loaded = PdfLoader().load(statement_pdf)
    with Workspace(tmp_path / "ws") as workspace:
        result = ingest_file(workspace, statement_pdf)
        doc_id = result.document.id
        store = TableStore(workspace.db)
        stored = store.tables(doc_id)
        assert stored == loaded.tables and len(stored) == 1
        assert store.tables(doc_id, pages=[1]) == []
        assert store.pages_with_tables(doc_id) == [2]
        page_text = workspace.page(doc_id, 2).text
        assert all(row.line_text in page_text for row in stored[0].rows)
        workspace.remove(doc_id)
        assert store.tables(doc_id) == []
        assert workspace.db.execute("SELECT count(*) FROM doc_table_rows").fetchone()[0] == 0


def test_lookup_reads_the_2018_cell_of_the_right_row_among_similar_rows(statement_pdf, tmp_path):
    with Workspace(tmp_path / "ws") as workspace:
        doc_id = ingest_file(workspace, statement_pdf).document.id
        tables = TableStore(workspace.db).tables(doc_id)
        page_text = workspace.page(doc_id, 2).text
    matches = find_cells(tables, {"purchases", "property", "plant", "equipment"}, {"FY2018"})
    best = matches[0]
    assert best.row.label == "Purchases of property, plant and equipment"
    assert best.header == "Years Ended December 31, 2018"
    assert (best.cell.text, best.cell.value, best.units) == ("(1,577)", -1577.0, "(In millions)")
    assert best.row.line_text in page_text
    runner_up = matches[1]
    assert runner_up.score < best.score
    assert runner_up.row.label == "Proceeds from sale of property, plant and equipment"
    assert all(match.header.endswith("2018") for match in matches)
    # the other years are other columns of the same row
    assert find_cells(tables, {"purchases", "property", "plant", "equipment"}, {"2016"})[0].cell.value == -1420.0
    # words that name no row find nothing rather than a guess
    assert find_cells(tables, {"dividends", "paid"}, {"2018"}) == []
    text = render_table(tables[0])
    assert "Purchases of property, plant and equipment | (1,577) | (1,373) | (1,420)" in text


def test_plain_text_pdfs_have_no_tables(tmp_path):
    path = render_text_pdf(["Chapter 1\nIn 1987 the light was automated.", PROSE_PAGE], tmp_path / "p.pdf")
    assert PdfLoader().load(path).tables == []


def test_pdfgen_right_aligns_runs_on_their_right_edge(tmp_path):
    path = render_positioned_pdf([[[PlacedText(300, "(1,577)", "right"), PlacedText(400, "9", "right")]]],
                                 tmp_path / "aligned.pdf")
    document = pdfium.PdfDocument(path)
    try:
        text_page = document[0].get_textpage()
        assert text_page.get_text_range().split() == ["(1,577)", "9"]
        rights = [text_page.get_charbox(index)[2] for index in (6, text_page.count_chars() - 1)]
        assert rights == pytest.approx([300, 400], abs=1.0)
    finally:
        document.close()
    with pytest.raises(ValueError, match="no Helvetica width"):
        render_positioned_pdf([[[PlacedText(300, "abc", "right")]]], tmp_path / "bad.pdf")


# --- real documents -----------------------------------------------------------------------

R_MANUALS_CACHE = Path(tempfile.gettempdir()) / "lcagent-bench-data"  # shared with benchmarks/ingest.py


def _r_manual(name: str) -> Path:
    found = glob.glob(str(R_MANUALS_CACHE / "**" / name), recursive=True)
    if found:
        return Path(found[0])
    if not shutil.which("apt-get"):
        pytest.skip("needs Debian's r-doc-pdf (apt-get download r-doc-pdf)")
    R_MANUALS_CACHE.mkdir(parents=True, exist_ok=True)
    fetched = subprocess.run(["apt-get", "download", "r-doc-pdf"], cwd=R_MANUALS_CACHE,
                             capture_output=True, text=True)
    debs = sorted(R_MANUALS_CACHE.glob("r-doc-pdf_*.deb"))
    if fetched.returncode != 0 or not debs:
        pytest.skip(f"apt-get download r-doc-pdf failed: {fetched.stderr.strip()[:200]}")
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(R_MANUALS_CACHE / "x")], check=True)
    return Path(glob.glob(str(R_MANUALS_CACHE / "**" / name), recursive=True)[0])


@pytest.mark.parametrize("name", ["R-intro.pdf", "R-data.pdf"])
def test_r_manual_tables_are_plausible(name):
    loaded = PdfLoader().load(_r_manual(name))
    assert not [warning for warning in loaded.warnings if "could not be read" in warning]
    pages = {index: page.text for index, page in enumerate(loaded.pages, start=1)}
    assert loaded.tables, "the R manuals print a few tables of numbers"
    for table in loaded.tables:
        assert len(table.columns) >= 2 and len(table.rows) >= 2
        assert all(len(row.cells) == len(table.columns) for row in table.rows)
        assert all(row.line_text in pages[table.page_index] for row in table.rows)
        assert any(cell.value is not None for row in table.rows for cell in row.cells)


def test_a_figure_is_read_for_the_company_the_statement_is_about_and_not_for_another(statement_pdf, tmp_path):
    """ACME's statement answers ACME's capital expenditure (its usual name is the row's); asked
    for another company the document never is about, the same row is no answer."""
    from lcagent import api
    from lcagent.runners.scripted import ScriptedRunner

    with Workspace(tmp_path / "ws") as workspace:
        own = api.ask(statement_pdf, "What was Acme Widgets' capital expenditure in FY2018?", workspace=workspace,
                      model=ScriptedRunner([]), strategy="tools")
        assert own.found and "1,577" in own.text and own.citations[0].page_index == 2
    # a competitor named in passing, far from the statement, is not what the document is about
    lines = lambda text: [[PlacedText(54, line)] for line in text.split("\n")]  # noqa: E731
    pages = [lines(PROSE_PAGE), CASH_FLOW_LINES, lines("Risk factors.\nDemand for widgets may fall."),
             lines("Properties.\nWe own 14 factories."),
             *[lines("\n".join(f"Note {n}.{k}: widget lines, factories and suppliers were reviewed in {2010 + k} "
                                 f"as every year, and the review found the plant in good order." for k in range(40)))
               for n in range(12)],
             lines("Competition.\nWe compete with Orbis Freight and many smaller makers of widgets.")]
    path = render_positioned_pdf(pages, tmp_path / "annual.pdf")
    with Workspace(tmp_path / "ws2") as workspace:
        other = api.ask(path, "What was Orbis Freight's capital expenditure in FY2018?", workspace=workspace,
                        model=ScriptedRunner([]), strategy="tools")
        assert not other.found and other.citations == []
        own = api.ask(path, "What was the capital expenditure in FY2018?", workspace=workspace,
                      model=ScriptedRunner([]), strategy="tools")
        assert own.found and "1,577" in own.text
