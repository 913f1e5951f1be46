"""Render examples/field_guide.txt (form-feed separated pages) to examples/field_guide.pdf.

The first two pages are front matter labelled i and ii; the body is labelled from 1.
Run from anywhere: ``python examples/make_example_pdf.py``. The output is deterministic.
"""

from __future__ import annotations

from pathlib import Path

from lcagent.pdfgen import render_text_pdf

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "field_guide.txt"
TARGET = HERE / "field_guide.pdf"
FRONT_MATTER_PAGES = 2
TITLE = "A Field Guide to the Lighthouses of the Corran Coast"


def render_field_guide(target: Path = TARGET) -> Path:
    pages = SOURCE.read_text(encoding="utf-8").rstrip("\n").split("\f")
    page_labels = [(0, "r", ""), (FRONT_MATTER_PAGES, "D", "")]
    return render_text_pdf(pages, target, page_labels=page_labels, title=TITLE)


def main() -> None:
    target = render_field_guide()
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
