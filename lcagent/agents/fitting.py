"""Making text fit a token budget."""

from __future__ import annotations

from typing import Callable


def truncate_middle(text: str, budget_tokens: int, count: Callable[[str], int]) -> str:
    """Keep the head and the tail of ``text`` within ``budget_tokens`` (binary search on characters)."""
    if count(text) <= budget_tokens:
        return text
    marker = "\n[… middle of the document omitted …]\n"
    low, high = 0, len(text) // 2
    while low < high:
        middle = (low + high + 1) // 2
        if count(text[:middle] + marker + text[-middle:]) <= budget_tokens:
            low = middle
        else:
            high = middle - 1
    return text[:low] + marker + text[-low:] if low else text[: budget_tokens]
