"""The Paul Graham essay haystack: the first N words, split into sentences.

RULER splits with NLTK's punkt model, which must be downloaded at run time; lcagent uses
a rule-based splitter instead (end punctuation, then a capital, digit or opening quote;
common abbreviations and initials excepted). Needles only ever go between sentences, so a
rare disagreement with punkt moves a needle by one sentence at most.

Past the end of the essays (about 700k cl100k tokens) the words start over from the
beginning; RULER stops growing there instead, so its 1M samples are shorter than asked.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from lcagent.bench.reference import essay_words

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "inc",
    "co", "corp", "ltd", "no", "vol", "fig", "cf", "al", "approx", "u.s", "u.k", "p.s",
}
# End punctuation, optional closing quotes/brackets, a space, then a sentence opener.
_BOUNDARY = re.compile(r"""[.!?]["')\]]*(?= ["'(\[]?[A-Z0-9])""")


def split_sentences(text: str) -> list[str]:
    """Sentences of single-spaced ``text``; joining them with spaces gives ``text`` back."""
    return [text[start:end] for start, end in _sentence_spans(text)]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if _is_abbreviation(text, match.start()):
            continue
        spans.append((start, end))
        start = end + 1  # skip the space
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = text.rfind(" ", 0, dot) + 1
    word = text[word_start:dot].lstrip("(\"'[").lower()
    # A single letter before the dot is an initial ("J. Smith") or a list marker.
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


class EssayHaystack:
    """Prefixes of the essay text with their sentence boundaries, computed once."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self.text = " ".join(words)
        # word_ends[i] = end offset of the i-th word in ``text``
        self.word_ends: list[int] = []
        offset = -1
        for word in words:
            offset += len(word) + 1
            self.word_ends.append(offset)
        self.spans = _sentence_spans(self.text)
        self.span_ends = [end for _, end in self.spans]

    def sentences(self, n_words: int) -> list[str]:
        """What RULER's ``sent_tokenize(" ".join(words[:n]).strip())`` yields, cycling past the end."""
        cycles, rest = divmod(n_words, len(self.words))
        sentences: list[str] = []
        for _ in range(cycles):
            sentences.extend(self.text[start:end] for start, end in self.spans)
        if rest:
            limit = self.word_ends[rest - 1]
            count = bisect.bisect_left(self.span_ends, limit)
            sentences.extend(self.text[start:end] for start, end in self.spans[:count])
            last_start = self.spans[count][0] if count < len(self.spans) else limit
            tail = self.text[last_start:limit].strip()
            if tail:
                sentences.append(tail)
        return [sentence for sentence in sentences if sentence.strip()]


@lru_cache(maxsize=1)
def essay_haystack() -> EssayHaystack:
    return EssayHaystack(essay_words())
