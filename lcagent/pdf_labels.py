"""Page labels (PDF 32000-1, 12.4.2): the /PageLabels number tree lcagent's PDF writer emits,
and the labels a conforming reader derives from it, for checking what the loaders read back."""

from __future__ import annotations

# Label styles of the /PageLabels number tree (PDF 32000-1, 12.4.2).
LABEL_STYLES = {"D": "decimal", "r": "lowercase roman", "R": "uppercase roman",
                "a": "lowercase letters", "A": "uppercase letters", "": "prefix only"}

PageLabelRange = tuple[int, str, str]
"""``(first_page_index, style, prefix)``: from 0-based page ``first_page_index`` on, label
pages with ``style`` (a key of ``LABEL_STYLES``) counting from 1, each after ``prefix``."""


def expected_page_labels(n_pages: int, page_labels: list[PageLabelRange] | None) -> list[str]:
    """The labels a conforming reader derives from ``page_labels``, for checking output.

    Pages before the first range (or all pages without ranges) get the 1-based index,
    which is also what lcagent's loaders fall back to.
    """
    labels = [str(index + 1) for index in range(n_pages)]
    ranges = sorted(page_labels or [])
    for position, (first, style, prefix) in enumerate(ranges):
        end = ranges[position + 1][0] if position + 1 < len(ranges) else n_pages
        for number, index in enumerate(range(first, end), start=1):
            labels[index] = prefix + _format_label_number(number, style)
    return labels


def _format_label_number(number: int, style: str) -> str:
    if style == "D":
        return str(number)
    if style in ("r", "R"):
        roman = _to_roman(number)
        return roman.lower() if style == "r" else roman
    if style in ("a", "A"):
        # PDF letters repeat rather than count in base 26: 27 -> "aa", 53 -> "aaa".
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter if style == "a" else letter.upper()
    return ""


def _to_roman(number: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, numeral in numerals:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def check_label_ranges(page_labels: list[PageLabelRange] | None, n_pages: int) -> None:
    if not page_labels:
        return
    starts = [first for first, _, _ in page_labels]
    if len(set(starts)) != len(starts):
        raise ValueError(f"page_labels has two ranges starting on the same page: {starts}")
    for first, style, _prefix in page_labels:
        if style not in LABEL_STYLES:
            raise ValueError(f"page label style {style!r} is not one of {sorted(LABEL_STYLES)}")
        if not 0 <= first < max(n_pages, 1):
            raise ValueError(
                f"page label range starts at page index {first}, but the document has "
                f"{n_pages} pages (indices are 0-based)")


def page_labels_dict(page_labels: list[PageLabelRange]) -> bytes:
    entries = []
    for first, style, prefix in sorted(page_labels):
        fields = b""
        if style:
            fields += b" /S /" + style.encode("ascii")
        if prefix:
            fields += b" /P " + pdf_text_string(prefix)
        entries.append(b"%d <<%s >>" % (first, fields))
    return b"<< /Nums [" + b" ".join(entries) + b"] >>"


def pdf_text_string(text: str) -> bytes:
    """A PDF text string (for /Title, prefixes): UTF-16BE with BOM, written in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"
