"""Builders for the PDF and text files that loader tests need, each written into a folder.

Plain functions, not pytest fixtures, so any test can call them with its ``tmp_path``.
Encrypted fixtures need ``pypdf`` (a test dependency).
"""

from __future__ import annotations

from pathlib import Path

from lcagent.pdfgen import expected_page_labels, render_image_only_pdf, render_text_pdf

# Two roman front-matter pages, then the body numbered from 1.
LABELLED_PAGES = [
    "Preface\nThis page is labelled i in the PDF's own numbering.",
    "Contents\nChapter One, page 1\nChapter Two, page 3",
    "Chapter One\nThe first body page carries the label 1.",
    "A second body page, with the keyword marmalade on it.",
    "Chapter Two\nThe last page (label 3) mentions 1987 and 312 storms.",
]
LABELLED_RANGES = [(0, "r", ""), (2, "D", "")]
LABELLED_LABELS = expected_page_labels(len(LABELLED_PAGES), LABELLED_RANGES)  # i ii 1 2 3
PASSWORD = "corran"


def make_labelled_pdf(directory: Path, name: str = "labelled.pdf") -> Path:
    """Five text pages labelled i, ii, 1, 2, 3 (see ``LABELLED_PAGES``)."""
    return render_text_pdf(LABELLED_PAGES, directory / name, page_labels=LABELLED_RANGES,
                           title="Labelled fixture")


def make_unlabelled_pdf(directory: Path, pages: list[str], name: str = "plain.pdf") -> Path:
    return render_text_pdf(pages, directory / name)


def make_encrypted_pdf(directory: Path, password: str = PASSWORD,
                       name: str = "encrypted.pdf") -> Path:
    """The labelled PDF encrypted with a user password (RC4-128: pypdf needs no extras)."""
    import pypdf

    source = make_labelled_pdf(directory, name="unencrypted-source.pdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password + "-owner",
                   algorithm="RC4-128")
    target = directory / name
    with target.open("wb") as file:
        writer.write(file)
    return target


def make_truncated_pdf(directory: Path, name: str = "truncated.pdf") -> Path:
    """The labelled PDF cut in half, as an interrupted download leaves it."""
    data = make_labelled_pdf(directory, name="whole-source.pdf").read_bytes()
    target = directory / name
    target.write_bytes(data[: len(data) // 2])
    return target


def make_image_only_pdf(directory: Path, n_pages: int = 3, name: str = "scan.pdf") -> Path:
    return render_image_only_pdf(directory / name, n_pages)


def make_zero_page_pdf(directory: Path, name: str = "zero-pages.pdf") -> Path:
    """A well-formed PDF whose page tree is empty."""
    return render_text_pdf([], directory / name)


def make_text_renamed_pdf(directory: Path, name: str = "notes.pdf") -> Path:
    """A plain text file that only pretends to be a PDF by its name."""
    target = directory / name
    target.write_text("These are meeting notes, saved with the wrong suffix.\n", encoding="utf-8")
    return target


def make_binary_file(directory: Path, name: str = "blob.bin") -> Path:
    target = directory / name
    target.write_bytes(bytes(range(256)) * 8)
    return target
