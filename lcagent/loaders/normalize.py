"""The one text normalisation every loader applies, so stored text is comparable.

Quotes are checked verbatim against stored pages, so every loader must produce the same
characters for the same visible text, and lines must split the same way everywhere.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that str.splitlines() treats as line breaks besides "\n". Turning them into
# "\n" keeps line numbers identical whether a reader splits on "\n" or uses splitlines().
_OTHER_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Invisible characters a reader cannot quote: C0/C1 controls except tab and newline,
# soft hyphens, zero-width spaces and byte-order marks, and noncharacters.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\ufeff\ufffe\uffff]")


def normalize_page_text(text: str) -> str:
    """NFKC-normalise ``text``, end every line with ``\\n`` and drop invisible characters.

    Trailing spaces on lines and blank lines at the start and end of the page go too:
    they carry no content and only shift line numbers.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _OTHER_LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    first = next((index for index, line in enumerate(lines) if line), len(lines))
    return "\n".join(lines[first:])
