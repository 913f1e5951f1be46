"""How PDFium's page text is turned into stored text, shared by the PDF loader and table reading.

Table rows quote lines of the stored page, so both must clean text the same way.
"""

from __future__ import annotations

import re

from lcagent.loaders.normalize import normalize_page_text

# PDFium replaces a hyphen that ends a line, together with the line break, by U+FFFE
# ("hyphen\ufffeated" for "hyphen-" / "ated"; measured with pypdfium2 5.15). Putting back
# "-" and the break gives the text as printed, so quotes match the page. U+0002, another
# marker PDFium has used for hyphens, is treated the same way defensively; it was not
# seen here. Stray NULs (pypdfium2 issue #261) are dropped by normalize_page_text.
_PDFIUM_LINE_END_HYPHEN = re.compile("[\ufffe\x02](?:\r\n|\r|\n)?")


def clean_pdfium_text(text: str) -> str:
    """PDFium page text with its line-end hyphen markers restored, then normalised."""
    return normalize_page_text(_PDFIUM_LINE_END_HYPHEN.sub("-\n", text))
