"""Is a short answer right? An automatic check for real-document questions with short gold answers.

Rules (each example is tested in tests/bench/test_realdocs.py):
- Only the head of the prediction counts: its first ``max(12, 3 x gold words)`` words, so a
  paragraph that happens to contain the answer somewhere does not pass.
- Numbers compare by value: "1,577" = "$1577.00", "1.2 billion" = "1,200 million", "20.2%" =
  "0.202", "3.0" (the question said "in billion") = "$3.0 billion". Two numbers match when they
  differ by at most half the coarser one's last digit ("97.8" matches "97.75"; "2003" never
  matches "2002"). The sign is not compared: text says "a decrease of 3.65%" for -3.65%.
- Yes/no: the first word decides.
- Text: equal after normalising (case, punctuation, articles), or the gold's words appear in
  order as a run in the prediction's head; a gold of four or more words also passes on token F1
  of at least 0.5 (a paraphrased phrase).
- Lists: F1 between gold items found in the prediction and prediction items (split on commas,
  semicolons, "and", new lines) that match a gold item. The only score between 0 and 1.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from lcagent.bench.scoring import normalize_answer, token_f1

# Scale words real reports put after a number; value multiplies the number before it.
SCALE_WORDS: dict[str, float] = {
    "thousand": 1e3, "k": 1e3,                  # "12k", "12 thousand"
    "million": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6,   # "1,200 million", "$3m"
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9,   # "1.2 billion", "$4bn"
    "trillion": 1e12,
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5,      # Indian reports: "Rupees in lacs"
    "crore": 1e7, "crores": 1e7,
}
# Spelled-out counts a reader may answer with ("three steps").
NUMBER_WORDS: dict[str, int] = {
    word: value for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split())
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
     "hundred": 100}
# Words a numeric gold may carry besides its number ("$3.0 billion", "5 years", "USD 12").
UNIT_WORDS = frozenset("usd us dollars dollar rs rupees inr eur euro euros percent per cent years year "
                       "months days hours minutes people times".split()) | frozenset(SCALE_WORDS)

_NUMBER = re.compile(
    r"(?<![\w.])(?P<mantissa>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<percent>%|percent\b|per cent\b))?"
    r"(?:\s?(?P<scale>" + "|".join(sorted(SCALE_WORDS, key=len, reverse=True)) + r")\b)?",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:[,;\n]|\band\b)\s*", re.IGNORECASE)
_YES_NO = {"yes", "no"}
MIN_HEAD_WORDS = 12


@dataclass(frozen=True)
class Quantity:
    """A number read from text, with the size of its last digit (what "equal" may ignore)."""

    value: float
    unit: float


def quantities(text: str) -> list[list[Quantity]]:
    """Each number in ``text`` (digits or a spelled-out count), as the readings it may stand for:
    as written, scaled by its scale word, and as a fraction when it is a percentage."""
    found: list[tuple[int, list[Quantity]]] = []
    for match in _NUMBER.finditer(text):
        mantissa = match.group("mantissa").replace(",", "")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        value, unit = float(mantissa), 10.0 ** -decimals
        readings = [Quantity(value, unit)]
        scale = match.group("scale")
        if scale:
            factor = SCALE_WORDS[scale.lower()]
            readings.append(Quantity(value * factor, unit * factor))
        if match.group("percent"):  # "20.2%" may be written as the ratio 0.202 ...
            readings.append(Quantity(value / 100, unit / 100))
        elif value < 1 and decimals >= 2:  # ... and "0.202" as 20.2 (%); "0.1" stays 0.1
            readings.append(Quantity(value * 100, unit * 100))
        found.append((match.start(), readings))
    for match in _NUMBER_WORD.finditer(text):
        found.append((match.start(), [Quantity(float(NUMBER_WORDS[match.group(1).lower()]), 1.0)]))
    return [readings for _, readings in sorted(found, key=lambda item: item[0])]


def same_quantity(first: list[Quantity], second: list[Quantity]) -> bool:
    for a in first:
        for b in second:
            tolerance = 0.5 * max(a.unit, b.unit) + 1e-9 * max(abs(a.value), abs(b.value))
            if abs(abs(a.value) - abs(b.value)) <= tolerance:
                return True
    return False


def is_numeric(gold: str) -> bool:
    """One number and nothing but units and scale words around it: "$1,577.00", "60.3%", "3.0 bn"."""
    numbers = _NUMBER.findall(gold)
    if len(numbers) != 1:
        return False
    rest = _NUMBER.sub(" ", gold)
    return all(word in UNIT_WORDS for word in normalize_answer(rest).split())


def head(prediction: str, gold_words: int) -> str:
    words = " ".join(prediction.split()).split(" ")
    return " ".join(words[: max(MIN_HEAD_WORDS, 3 * gold_words)])


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    if not needle:
        return False
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def item_matches(prediction: str, gold: str) -> bool:
    """Does ``prediction`` (already cut to its head) state the single answer ``gold``?"""
    gold_normal = normalize_answer(gold)
    if not gold_normal:
        return False
    if is_numeric(gold):
        wanted = quantities(gold)[0]
        return any(same_quantity(wanted, readings) for readings in quantities(prediction))
    said = normalize_answer(prediction).split()
    if gold_normal in _YES_NO:
        return bool(said) and said[0] == gold_normal
    expected = gold_normal.split()
    if said == expected or _contains_run(said, expected):
        return True
    return len(expected) >= 4 and token_f1(prediction, gold) >= 0.5


def _piece_of(piece: str, item: str) -> bool:
    """A prediction piece is right when it states the item or is a part of it ("Safety" of
    "Safety and Graphics", split at its "and")."""
    return item_matches(piece, item) or _contains_run(normalize_answer(item).split(),
                                                      normalize_answer(piece).split())


def gold_items(gold: str) -> list[str] | None:
    """The items of a list-shaped gold ("['a', 'b']"), or None for a single answer."""
    text = gold.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        items = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(items, (list, tuple)):
        return None
    return [str(item).strip() for item in items if str(item).strip()]


def answer_score(prediction: str, gold: str) -> float:
    """1.0 when ``prediction`` states ``gold``; for list golds, item F1 in [0, 1]."""
    if not prediction.strip():
        return 0.0
    items = gold_items(gold)
    if items is None:
        return float(item_matches(head(prediction, len(gold.split())), gold))
    if not items:
        return 0.0
    if len(items) == 1:
        return float(item_matches(head(prediction, len(items[0].split())), items[0]))
    shown = head(prediction, sum(len(item.split()) for item in items))
    found = sum(1 for item in items if item_matches(shown, item))
    pieces = [piece for piece in _LIST_SPLIT.split(shown) if normalize_answer(piece)]
    right = sum(1 for piece in pieces if any(_piece_of(piece, item) for item in items))
    if not found or not right:
        return 0.0
    recall, precision = found / len(items), right / len(pieces)
    return 2 * precision * recall / (precision + recall)
