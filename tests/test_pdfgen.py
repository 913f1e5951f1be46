"""lcagent.pdfgen writes PDFs that two independent readers (PDFium, pypdf) agree on."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from lcagent.pdfgen import (
    WRAP_COLUMNS,
    expected_page_labels,
    render_image_only_pdf,
    render_text_pdf,
)
from pdf_fixtures import LABELLED_LABELS, LABELLED_PAGES, make_labelled_pdf


def _pdfium_pages(path) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def _words(text: str) -> list[str]:
    # PDFium turns a line-ending hyphen plus the break into U+FFFE; compare words only.
    return text.replace("\ufffe", "-\n").split()


def test_labels_come_back_as_given(tmp_path):
    path = make_labelled_pdf(tmp_path)
    document = pdfium.PdfDocument(path)
    assert len(document) == len(LABELLED_PAGES)
    assert [document.get_page_label(index) for index in range(len(document))] == [
        "i", "ii", "1", "2", "3"] == LABELLED_LABELS
    assert document.get_metadata_value("Title") == "Labelled fixture"


def test_text_round_trips_page_by_page(tmp_path):
    path = make_labelled_pdf(tmp_path)
    extracted = _pdfium_pages(path)
    assert [_words(text) for text in extracted] == [page.split() for page in LABELLED_PAGES]


def test_special_characters_are_escaped_or_replaced(tmp_path):
    page = ("Parens (nested (deep)) and a back\\slash, unbalanced ) and (. "
            "WinAnsi: café “quoted” — €5 naïve. Ligature ﬁsh, full-width １２. "
            "Greek αβ and 中文 are not WinAnsi.")
    path = render_text_pdf([page], tmp_path / "special.pdf")
    (text,) = _pdfium_pages(path)
    expected = (page.replace("ﬁ", "fi").replace("１２", "12")
                .replace("αβ", "??").replace("中文", "??"))
    assert _words(text) == expected.split()


def test_long_lines_wrap_without_losing_words(tmp_path):
    words = [f"word{number}" for number in range(200)]
    page = " ".join(words) + "\n" + "x" * 250  # the last word is longer than a line
    path = render_text_pdf([page], tmp_path / "wrap.pdf")
    (text,) = _pdfium_pages(path)
    lines = text.split("\r\n")
    assert max(len(line) for line in lines) <= WRAP_COLUMNS
    assert text.split()[:200] == words
    assert "".join(text.split()[200:]) == "x" * 250


def test_a_page_with_many_lines_grows_taller_instead_of_dropping_text(tmp_path):
    page = "\n".join(f"line {number}" for number in range(1, 201))
    path = render_text_pdf([page], tmp_path / "tall.pdf")
    document = pdfium.PdfDocument(path)
    assert len(document) == 1
    assert document[0].get_height() > 792
    assert _pdfium_pages(path)[0].split("\r\n") == page.split("\n")


def test_xref_offsets_point_at_their_objects(tmp_path):
    data = make_labelled_pdf(tmp_path).read_bytes()
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[start:].startswith(b"xref\n0 ")
    count = int(data[start:].split(b"\n")[1].split()[1])
    entries = data[start:].split(b"\n")[2:2 + count]
    assert entries[0] == b"0000000000 65535 f "
    for number, entry in enumerate(entries[1:], start=1):
        assert len(entry) + 1 == 20  # fixed-width entries, newline included
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj\n" % number)


def test_pypdf_reads_it_strictly(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(make_labelled_pdf(tmp_path), strict=True)
    assert len(reader.pages) == 5
    assert reader.page_labels == LABELLED_LABELS
    assert "marmalade" in reader.pages[3].extract_text()


def test_output_is_deterministic(tmp_path):
    first = make_labelled_pdf(tmp_path, name="one.pdf").read_bytes()
    second = make_labelled_pdf(tmp_path, name="two.pdf").read_bytes()
    assert first == second


def test_label_styles_and_prefixes(tmp_path):
    ranges = [(0, "R", ""), (2, "a", "App. "), (4, "D", "S-"), (6, "", "Cover")]
    expected = ["I", "II", "App. a", "App. b", "S-1", "S-2", "Cover"]
    assert expected_page_labels(7, ranges) == expected
    path = render_text_pdf([f"page {n}" for n in range(7)], tmp_path / "styles.pdf",
                           page_labels=ranges)
    document = pdfium.PdfDocument(path)
    assert [document.get_page_label(index) for index in range(7)] == expected


def test_expected_labels_count_letters_like_pdf_readers():
    labels = expected_page_labels(53, [(0, "A", "")])
    assert labels[0] == "A" and labels[25] == "Z" and labels[26] == "AA" and labels[52] == "AAA"
    assert expected_page_labels(3, None) == ["1", "2", "3"]
    assert expected_page_labels(4, [(2, "r", "")]) == ["1", "2", "i", "ii"]


@pytest.mark.parametrize("ranges, message", [
    ([(0, "x", "")], "style 'x'"),
    ([(5, "D", "")], "starts at page index 5"),
    ([(0, "D", ""), (0, "r", "")], "same page"),
])
def test_bad_label_ranges_are_refused(tmp_path, ranges, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        render_text_pdf(["a", "b"], tmp_path / "bad.pdf", page_labels=ranges)


def test_image_only_pdf_has_pages_but_no_text_objects(tmp_path):
    path = render_image_only_pdf(tmp_path / "scan.pdf", 2)
    document = pdfium.PdfDocument(path)
    assert len(document) == 2
    for index in range(2):
        page = document[index]
        kinds = {obj.type for obj in page.get_objects()}
        assert pdfium.raw.FPDF_PAGEOBJ_IMAGE in kinds
        assert pdfium.raw.FPDF_PAGEOBJ_TEXT not in kinds
        assert page.get_textpage().get_text_range() == ""


def test_zero_pages_is_a_valid_file_that_pypdf_reads(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    path = render_text_pdf([], tmp_path / "empty.pdf")
    assert len(pypdf.PdfReader(path, strict=True).pages) == 0
