"""PDF through pypdfium2: one page of text per PDF page, with the PDF's own page labels."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from lcagent.loaders.base import IngestError
from lcagent.loaders.pdfium_text import clean_pdfium_text
from lcagent.loaders.pdf_worker import WorkerDied, extract_in_workers
from lcagent.loaders.tables import drop_running_titles, extract_tables
from lcagent.records import LoadedDocument, PageText, Table

PDF_MAGIC = b"%PDF-"
# Readers accept the header anywhere in the first 1,024 bytes (PDF 32000-1, annex H).
HEADER_WINDOW = 1024
# Incremental updates and linearised files all end with %%EOF; junk some tools append
# after it is rarely longer than this.
EOF_WINDOW = 65536

NO_TEXT_LAYER_WARNING = "no text layer found; OCR is not included"

# PDFium's load error codes (fpdfview.h: FPDF_ERR_*).
_ERR_FILE, _ERR_PASSWORD, _ERR_SECURITY = 2, 4, 5


class PdfLoader:
    kinds = ("pdf",)
    suffixes = (".pdf",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return PDF_MAGIC in head[:HEADER_WINDOW]

    def load(self, path: Path, *, password: str | None = None) -> LoadedDocument:
        warnings: list[str] = []
        try:
            with path.open("rb") as file:
                head = file.read(HEADER_WINDOW)
                file.seek(max(0, path.stat().st_size - EOF_WINDOW))
                tail = file.read()
        except OSError as error:
            raise IngestError(f"{path}: cannot read it ({error.strerror}); check the path") from None
        if PDF_MAGIC not in head:
            described = "it is empty" if not head else f"it starts with {head[:16]!r}"
            raise IngestError(
                f"{path} is not a PDF ({described}); if it is text or HTML, give it a .txt, "
                ".md or .html name, otherwise convert it to PDF first")
        document = _open(path, password)
        try:
            if b"%%EOF" not in tail:
                warnings.append(
                    f"{path.name} has no %%EOF marker, so it is probably truncated; "
                    f"PDFium recovered {len(document)} pages, compare with the original")
            if len(document) == 0:
                raise IngestError(
                    f"{path} is a PDF with zero pages (or no page tree); there is nothing to ingest")
            workers = _worker_count(len(document))
            if workers > 1:
                extracted = _extract_in_parallel(path, password, len(document), workers)
            else:
                extracted = _extract_range(document, 0, len(document))
            title = (document.get_metadata_value("Title") or "").strip() or None
        finally:
            document.close()
        pages = extracted.pages
        warnings.extend(extracted.warnings)
        tables = drop_running_titles(extracted.tables, [page.text for page in pages])
        textless = [page.label for page in pages if not page.text]
        if len(textless) == len(pages):
            warnings.append(NO_TEXT_LAYER_WARNING)
        elif textless:
            shown = ", ".join(textless[:10]) + (" ..." if len(textless) > 10 else "")
            warnings.append(f"{len(textless)} of {len(pages)} pages have no text layer "
                            f"(labels {shown}); OCR is not included")
        return LoadedDocument(pages=pages, kind="pdf", title=title, warnings=warnings, tables=tables)


# Below this many pages a second process costs more than it saves.
PARALLEL_MIN_PAGES = 200


def _worker_count(pages: int) -> int:
    configured = os.environ.get("LCAGENT_PDF_WORKERS")
    if configured:
        return max(1, int(configured))
    if pages < PARALLEL_MIN_PAGES:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class _Extracted:
    """Pages of a range, the tables on them, and what went wrong reading tables."""

    pages: list[PageText] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _extract_range(document: pdfium.PdfDocument, start: int, stop: int) -> _Extracted:
    # Tables are read in the same pass, from the text page already loaded for the text.
    out = _Extracted()
    for index in range(start, stop):
        page = document[index]
        try:
            text_page = page.get_textpage()
            try:
                raw = text_page.get_text_range()
                text = clean_pdfium_text(raw)
                try:
                    out.tables.extend(extract_tables(text_page, index + 1, raw, text))
                except Exception as error:  # a table-reading bug must not lose the page's text
                    out.warnings.append(f"tables on page {index + 1} could not be read "
                                        f"({type(error).__name__}: {error}); please report it")
            finally:
                text_page.close()
        finally:
            page.close()
        out.pages.append(PageText(label=_page_label(document, index), text=text))
    return out


def _extract_worker(path: str, password: str | None, start: int, stop: int) -> _Extracted:
    # Each process opens its own document: PDFium is not thread-safe, processes share nothing.
    document = pdfium.PdfDocument(path, password=password)
    try:
        return _extract_range(document, start, stop)
    finally:
        document.close()


# Page ranges per worker: a worker slowed by other work on its core takes fewer of them.
RANGES_PER_WORKER = 4


def _extract_in_parallel(path: Path, password: str | None, pages: int, workers: int) -> _Extracted:
    """Contiguous page ranges extracted by separate processes, reassembled in order."""
    count = min(pages, workers * RANGES_PER_WORKER)
    bounds = [pages * i // count for i in range(count + 1)]
    # fork costs nothing, but forking a process that runs other threads can deadlock the child;
    # then fresh interpreters that import only the loaders (multiprocessing's spawn would
    # re-import the main module: the whole CLI)
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_extract_worker, [str(path)] * count, [password] * count, bounds[:-1], bounds[1:]))
    else:
        try:
            parts = extract_in_workers(str(path), password, list(zip(bounds[:-1], bounds[1:])), workers)
        except WorkerDied as died:
            raise IngestError(f"{path}: {died}; PDFium may have crashed on one of these pages: check the file, "
                              "or set LCAGENT_PDF_WORKERS=1 to read it in one process") from None
    return _Extracted(pages=[page for part in parts for page in part.pages],
                      tables=[table for part in parts for table in part.tables],
                      warnings=[warning for part in parts for warning in part.warnings])


def _open(path: Path, password: str | None) -> pdfium.PdfDocument:
    _reset_pdfium_last_error()
    try:
        return pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as error:
        code, message = error.err_code, str(error)
    if code == _ERR_PASSWORD and password is None:
        raise IngestError(f"{path} is encrypted; pass --password")
    if code == _ERR_PASSWORD:
        raise IngestError(f"{path}: wrong password; check --password")
    if code == _ERR_SECURITY:
        raise IngestError(
            f"{path} uses an encryption scheme PDFium does not support; decrypt it with the "
            "tool that made it (e.g. `qpdf --decrypt`) and ingest the decrypted copy")
    if code == _ERR_FILE:
        # The code is still the one _reset_pdfium_last_error left, and the file was just
        # read, so PDFium failed without recording a cause: it does that for a document
        # whose page tree has no pages (measured with pypdfium2 5.x on zero-page PDFs
        # written by pypdf, by PDFium itself and by lcagent.pdfgen).
        raise IngestError(
            f"{path} is a PDF with zero pages (or no readable page tree); there is nothing "
            "to ingest")
    reason = message.removeprefix("Failed to load document").strip(" ().")
    raise IngestError(
        f"{path} is a damaged or truncated PDF ({reason}); download or copy it again, or "
        "repair it (e.g. `qpdf in.pdf out.pdf`)")


def _reset_pdfium_last_error() -> None:
    """Set PDFium's last-error code to FPDF_ERR_FILE by opening a path that cannot exist.

    PDFium keeps one last-error value and only writes it on some failures; without a
    reset, a failure that records nothing reports the previous document's cause (a
    zero-page PDF opened after an encrypted one would say "encrypted"). Costs ~6 µs.
    """
    handle = pdfium.raw.FPDF_LoadDocument(b"/nonexistent/lcagent/reset-last-error.pdf", None)
    if handle:  # cannot happen unless that path exists; do not leak the handle
        pdfium.raw.FPDF_CloseDocument(handle)


def _page_label(document: pdfium.PdfDocument, index: int) -> str:
    # get_page_label returns "" when the PDF defines no label for the page.
    return document.get_page_label(index) or str(index + 1)
