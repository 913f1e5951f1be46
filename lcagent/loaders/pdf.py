"""PDF through pypdfium2: one page of text per PDF page, with the PDF's own page labels."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium

from lcagent.loaders.base import IngestError
from lcagent.loaders.normalize import normalize_page_text
from lcagent.records import LoadedDocument, PageText

PDF_MAGIC = b"%PDF-"
# Readers accept the header anywhere in the first 1,024 bytes (PDF 32000-1, annex H).
HEADER_WINDOW = 1024
# Incremental updates and linearised files all end with %%EOF; junk some tools append
# after it is rarely longer than this.
EOF_WINDOW = 65536

# PDFium replaces a hyphen that ends a line, together with the line break, by U+FFFE
# ("hyphen\ufffeated" for "hyphen-" / "ated"; measured with pypdfium2 5.15). Putting back
# "-" and the break gives the text as printed, so quotes match the page. U+0002, another
# marker PDFium has used for hyphens, is treated the same way defensively; it was not
# seen here. Stray NULs (pypdfium2 issue #261) are dropped by normalize_page_text.
_PDFIUM_LINE_END_HYPHEN = re.compile("[\ufffe\x02](?:\r\n|\r|\n)?")

NO_TEXT_LAYER_WARNING = "no text layer found; OCR is not included"

# PDFium's load error codes (fpdfview.h: FPDF_ERR_*).
_ERR_FILE, _ERR_PASSWORD, _ERR_SECURITY = 2, 4, 5


def clean_pdfium_text(text: str) -> str:
    """PDFium page text with its line-end hyphen markers restored, then normalised."""
    return normalize_page_text(_PDFIUM_LINE_END_HYPHEN.sub("-\n", text))


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
                pages = _extract_in_parallel(path, password, len(document), workers)
            else:
                pages = _extract_range(document, 0, len(document))
            title = (document.get_metadata_value("Title") or "").strip() or None
        finally:
            document.close()
        textless = [page.label for page in pages if not page.text]
        if len(textless) == len(pages):
            warnings.append(NO_TEXT_LAYER_WARNING)
        elif textless:
            shown = ", ".join(textless[:10]) + (" ..." if len(textless) > 10 else "")
            warnings.append(f"{len(textless)} of {len(pages)} pages have no text layer "
                            f"(labels {shown}); OCR is not included")
        return LoadedDocument(pages=pages, kind="pdf", title=title, warnings=warnings)


# Below this many pages a second process costs more than it saves.
PARALLEL_MIN_PAGES = 200


def _worker_count(pages: int) -> int:
    configured = os.environ.get("LCAGENT_PDF_WORKERS")
    if configured:
        return max(1, int(configured))
    if pages < PARALLEL_MIN_PAGES:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _extract_range(document: pdfium.PdfDocument, start: int, stop: int) -> list[PageText]:
    return [PageText(label=_page_label(document, index), text=clean_pdfium_text(_page_text(document, index)))
            for index in range(start, stop)]


def _extract_worker(path: str, password: str | None, start: int, stop: int) -> list[PageText]:
    # Each process opens its own document: PDFium is not thread-safe, processes share nothing.
    document = pdfium.PdfDocument(path, password=password)
    try:
        return _extract_range(document, start, stop)
    finally:
        document.close()


def _extract_in_parallel(path: Path, password: str | None, pages: int, workers: int) -> list[PageText]:
    """Contiguous page ranges extracted by separate processes, reassembled in order."""
    # fork is cheapest, but forking a process that runs other threads can deadlock
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    bounds = [pages * i // workers for i in range(workers + 1)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        parts = pool.map(_extract_worker, [str(path)] * workers, [password] * workers, bounds[:-1], bounds[1:])
        return [page for part in parts for page in part]


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


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        text_page = page.get_textpage()
        try:
            return text_page.get_text_range()
        finally:
            text_page.close()
    finally:
        page.close()
