"""Loaders turn real files into normalised, labelled pages, and refuse bad input clearly."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from lcagent.loaders import (
    LINES_PER_VIRTUAL_PAGE,
    HtmlLoader,
    IngestError,
    PdfLoader,
    TextLoader,
    load_document,
    loader_for,
    normalize_page_text,
    register_loader,
    split_pages,
)
from lcagent.loaders import registry
from lcagent.loaders.pdf import NO_TEXT_LAYER_WARNING, clean_pdfium_text
from lcagent.records import LoadedDocument, PageText
from pdf_fixtures import (
    LABELLED_LABELS,
    LABELLED_PAGES,
    PASSWORD,
    make_binary_file,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_labelled_pdf,
    make_text_renamed_pdf,
    make_truncated_pdf,
    make_unlabelled_pdf,
    make_zero_page_pdf,
)


def _ingest_error(path: Path, **kwargs) -> str:
    with pytest.raises(IngestError) as caught:
        load_document(path, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message  # the user learns which file failed
    return message


# --- PDF ------------------------------------------------------------------------------

def test_pdf_pages_keep_their_order_labels_and_text(tmp_path):
    document = load_document(make_labelled_pdf(tmp_path))
    assert document.kind == "pdf"
    assert document.title == "Labelled fixture"
    assert document.warnings == []
    assert [page.label for page in document.pages] == LABELLED_LABELS == ["i", "ii", "1", "2", "3"]
    assert [page.text for page in document.pages] == LABELLED_PAGES
    # Index 3 (1-based) is the page labelled "1": both identities survive.
    assert document.pages[2] == PageText(label="1", text=LABELLED_PAGES[2])


def test_pdf_without_page_labels_falls_back_to_the_index(tmp_path):
    document = load_document(make_unlabelled_pdf(tmp_path, ["first", "second", "third"]))
    assert [page.label for page in document.pages] == ["1", "2", "3"]
    assert [page.text for page in document.pages] == ["first", "second", "third"]


def test_pdf_text_is_split_into_lines_with_newlines_only(tmp_path):
    page = "Line one\nLine two has trailing spaces   \nwell-\nknown words continue here"
    (loaded,) = load_document(make_unlabelled_pdf(tmp_path, [page])).pages
    assert "\r" not in loaded.text
    # PDFium hides a line-end hyphen and the break in U+FFFE; the loader restores both.
    assert loaded.text.split("\n") == [
        "Line one", "Line two has trailing spaces", "well-", "known words continue here"]


def test_clean_pdfium_text_undoes_pdfium_markers():
    assert clean_pdfium_text("hyphen\ufffeated\r\nnext  \r\n") == "hyphen-\nated\nnext"
    # Older PDFium builds put U+0002 before the line break instead.
    assert clean_pdfium_text("hyphen\x02\r\nated") == "hyphen-\nated"


def test_pdf_saved_with_a_text_suffix_is_still_read_as_pdf(tmp_path):
    disguised = tmp_path / "report.txt"
    shutil.copy(make_labelled_pdf(tmp_path), disguised)
    assert isinstance(loader_for(disguised), PdfLoader)
    assert [page.label for page in load_document(disguised).pages] == LABELLED_LABELS


def test_encrypted_pdf_needs_the_password(tmp_path):
    pytest.importorskip("pypdf")
    path = make_encrypted_pdf(tmp_path)
    assert _ingest_error(path).endswith("is encrypted; pass --password")
    assert "wrong password" in _ingest_error(path, password="not-it")
    document = load_document(path, password=PASSWORD)
    assert [page.label for page in document.pages] == LABELLED_LABELS
    assert [page.text for page in document.pages] == LABELLED_PAGES


def test_image_only_pdf_loads_with_a_warning(tmp_path):
    document = load_document(make_image_only_pdf(tmp_path, n_pages=3))
    assert document.pages == [PageText("1", ""), PageText("2", ""), PageText("3", "")]
    assert document.warnings == [NO_TEXT_LAYER_WARNING]
    assert NO_TEXT_LAYER_WARNING == "no text layer found; OCR is not included"


def test_truncated_pdf(tmp_path):
    message = _ingest_error(make_truncated_pdf(tmp_path))
    assert "damaged or truncated PDF" in message and "copy it again" in message


def test_zero_page_pdf(tmp_path):
    assert "zero pages" in _ingest_error(make_zero_page_pdf(tmp_path))


def test_pdf_errors_do_not_leak_into_the_next_file(tmp_path):
    # PDFium keeps a global last-error code and does not set it for zero-page files.
    pytest.importorskip("pypdf")
    encrypted = make_encrypted_pdf(tmp_path)
    zero_pages = make_zero_page_pdf(tmp_path)
    truncated = make_truncated_pdf(tmp_path)
    for path, expected in [(encrypted, "encrypted"), (zero_pages, "zero pages"),
                           (truncated, "truncated"), (zero_pages, "zero pages"),
                           (encrypted, "encrypted")]:
        assert expected in _ingest_error(path)


def test_text_file_renamed_pdf_is_caught(tmp_path):
    path = make_text_renamed_pdf(tmp_path)
    assert isinstance(loader_for(path), PdfLoader)
    message = _ingest_error(path)
    assert "is not a PDF (it starts with b'These are meetin')" in message
    assert ".txt" in message  # says how to fix it


def test_pdf_loader_checks_the_header_itself(tmp_path):
    path = make_binary_file(tmp_path, name="random.pdf")
    with pytest.raises(IngestError, match="is not a PDF"):
        PdfLoader().load(path)


# --- files that are not documents ---------------------------------------------------------

def test_missing_file(tmp_path):
    assert "no such file; check the path" in _ingest_error(tmp_path / "absent.pdf")


def test_directory(tmp_path):
    assert "is a directory" in _ingest_error(tmp_path)


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "empty.html", "empty"])
def test_zero_byte_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert "is empty (0 bytes)" in _ingest_error(path)


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.md"
    path.write_text("  \n\n\t\f \r\n")
    assert "only whitespace" in _ingest_error(path)


@pytest.mark.parametrize("name", ["blob.bin", "blob.txt", "blob"])
def test_binary_file(tmp_path, name):
    message = _ingest_error(make_binary_file(tmp_path, name=name))
    assert "binary file, not text" in message


def test_text_with_a_nul_byte_is_binary(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_bytes(b"looks like text\x00but is not\n" * 10)
    assert "binary file, not text" in _ingest_error(path)


# --- normalisation --------------------------------------------------------------------------

def test_normalisation_nfkc_newlines_and_invisible_characters():
    raw = ("\n\n\ufb01ne \uff11\uff12\uff13 caf\u0065\u0301  \r\n"
           "soft\u00adhyphen zero\u200bwidth\rold mac\u2028unicode break\n\n")
    text = normalize_page_text(raw)
    assert text == "fine 123 café\nsofthyphen zerowidth\nold mac\nunicode break"
    # Every reader splits the stored text into the same lines.
    assert text.splitlines() == text.split("\n")


def test_text_file_is_normalised(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes("The \ufb01rst ﬂoor\r\nRoom \uff14\uff12\r\n".encode("utf-8"))
    document = load_document(path)
    assert document.kind == "text"
    assert document.warnings == []
    assert document.pages == [PageText("1", "The first floor\nRoom 42")]


# --- plain text and Markdown ------------------------------------------------------------------

def test_form_feeds_make_pages(tmp_path):
    path = tmp_path / "paged.txt"
    path.write_text("Page one\nstill one\n\fPage two\n\f\nPage three\n\f\n")
    document = load_document(path)
    assert [(page.label, page.text) for page in document.pages] == [
        ("1", "Page one\nstill one"), ("2", "Page two"), ("3", "Page three")]


def test_virtual_pages_of_fixed_line_count(tmp_path):
    assert LINES_PER_VIRTUAL_PAGE == 50
    path = tmp_path / "long.txt"
    path.write_text("".join(f"line {number}\n" for number in range(1, 121)))
    pages = load_document(path).pages
    assert [page.label for page in pages] == ["1", "2", "3"]
    assert [len(page.text.split("\n")) for page in pages] == [50, 50, 20]
    # Lines stay in order across pages, each exactly once.
    all_lines = [line for page in pages for line in page.text.split("\n")]
    assert all_lines == [f"line {number}" for number in range(1, 121)]
    assert pages[1].text.split("\n")[0] == "line 51"


def test_virtual_page_size_is_configurable():
    pages = split_pages("\n".join(str(number) for number in range(25)), lines_per_page=10)
    assert [page.text.split("\n")[0] for page in pages] == ["0", "10", "20"]
    with pytest.raises(ValueError):
        split_pages("x", lines_per_page=0)


def test_utf8_bom_is_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "naïve text".encode("utf-8"))
    document = load_document(path)
    assert document.pages == [PageText("1", "naïve text")]
    assert document.warnings == []


def test_utf16_with_bom_is_text_not_binary(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("UTF-16 text, ok".encode("utf-16"))
    assert load_document(path).pages == [PageText("1", "UTF-16 text, ok")]


def test_cp1252_fallback_is_stated(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"caf\xe9 \x93quoted\x94 \x80 5")
    document = load_document(path)
    assert document.pages == [PageText("1", "café “quoted” € 5")]
    (warning,) = document.warnings
    assert "windows.txt is not valid UTF-8" in warning and "cp1252" in warning


def test_latin1_fallback_when_cp1252_has_undefined_bytes(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"\xe9t\xe9 \x81 end")  # 0x81 is undefined in cp1252
    document = load_document(path)
    assert document.pages == [PageText("1", "été  end")]  # U+0081 is a control: dropped
    (warning,) = document.warnings
    assert "latin-1" in warning


def test_markdown_kind_and_title(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text("Intro line\n\n# The Corran Guide\n\nBody text.\n")
    document = load_document(path)
    assert document.kind == "markdown"
    assert document.title == "The Corran Guide"
    assert isinstance(loader_for(path), TextLoader)


# --- HTML -------------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html><head>
  <title>Harrow   Point &amp; Light</title>
  <style>body { color: red; }</style>
  <script>var hidden = "script text";</script>
  <meta charset="utf-8">
</head>
<body>
  <h1>Harrow Point</h1>
  <p>Automated in   1987 &mdash; keeper &lt;Ada&gt; Lindqvist&#39;s log.</p>
  <noscript>Enable JavaScript</noscript>
  <template><p>template text</p></template>
  <ul><li>312 storms</li><li>caf&eacute;</li></ul>
  Line<br>break
  <table><tr><td>cell a</td><td>cell b</td></tr></table>
  <pre>  indented
    code</pre>
  <script type="module">document.write("more script")</script>
</body></html>
"""


def test_html_visible_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE)
    document = load_document(path)
    assert isinstance(loader_for(path), HtmlLoader)
    assert document.kind == "html"
    assert document.title == "Harrow Point & Light"
    (page,) = document.pages
    assert page.text.split("\n") == [
        "Harrow Point",
        "Automated in 1987 — keeper <Ada> Lindqvist's log.",
        "312 storms",
        "café",
        "Line",
        "break",
        "cell a cell b",
        "  indented",
        "    code",
    ]
    for hidden in ("color: red", "script text", "Enable JavaScript", "template text",
                   "more script", "Light"):
        assert hidden not in page.text


def test_html_head_closed_implicitly(tmp_path):
    path = tmp_path / "sloppy.htm"
    path.write_text("<html><head><title>T</title><p>Body starts here")
    document = load_document(path)
    assert document.title == "T"
    assert document.pages == [PageText("1", "Body starts here")]


def test_html_self_closed_elements_do_not_swallow_the_rest(tmp_path):
    path = tmp_path / "xhtml.xhtml"
    path.write_text('<html><body><script src="a.js"/><pre/><p>one   two</p>'
                    '<p>three<br/>four</p></body></html>')
    assert load_document(path).pages == [PageText("1", "one two\nthree\nfour")]


def test_html_sniffed_without_html_suffix(tmp_path):
    path = tmp_path / "saved_page"
    path.write_text("<!-- saved -->\n<!doctype HTML><html><body><p>x</p></body></html>")
    assert isinstance(loader_for(path), HtmlLoader)


def test_html_without_visible_text(tmp_path):
    path = tmp_path / "app.html"
    path.write_text("<html><head><script>render()</script></head><body></body></html>")
    assert "no visible text" in _ingest_error(path)


# --- registry ---------------------------------------------------------------------------------

def test_registered_loader_takes_priority(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_LOADERS", list(registry._LOADERS))

    class CsvLoader:
        kinds = ("csv",)
        suffixes = (".csv",)

        def sniff(self, head: bytes, path: Path) -> bool:
            return False

        def load(self, path: Path, *, password: str | None = None) -> LoadedDocument:
            return LoadedDocument(pages=[PageText("1", "rows")], kind="csv")

    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n")
    assert isinstance(loader_for(path), TextLoader)  # text until a CSV loader exists
    register_loader(CsvLoader())
    assert load_document(path).kind == "csv"
    with pytest.raises(TypeError):
        register_loader(object())  # type: ignore[arg-type]


# --- the example document -------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_example_pdf",
                                                  EXAMPLES / "make_example_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_pdf_is_up_to_date_with_its_source(tmp_path):
    regenerated = _example_script().render_field_guide(tmp_path / "field_guide.pdf")
    committed = EXAMPLES / "field_guide.pdf"
    assert committed.stat().st_size < 100_000
    assert regenerated.read_bytes() == committed.read_bytes(), (
        "examples/field_guide.pdf is stale: run python examples/make_example_pdf.py")


def test_example_questions_cite_the_right_pages():
    import re

    document = load_document(EXAMPLES / "field_guide.pdf")
    assert [page.label for page in document.pages] == ["i", "ii"] + [str(n) for n in range(1, 10)]
    rows = [line for line in (EXAMPLES / "QUESTIONS.md").read_text().splitlines()
            if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 6
    for row in rows:
        _, _number, _question, _answer, indices, labels, evidence, _ = row.split("|")
        indices = [int(index) for index in re.findall(r"\d+", indices)]
        labels = re.findall(r"\b[ivx]+\b|\d+", labels)
        assert [document.pages[index - 1].label for index in indices] == labels
        for quote in re.findall(r'"([^"]+)"', evidence):
            assert any(quote in document.pages[index - 1].text for index in indices), quote
