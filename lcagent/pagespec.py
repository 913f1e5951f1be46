"""Parse page and line selections such as ``3``, ``3-5``, ``1,4,9-12`` or ``xii``."""

from __future__ import annotations

from typing import Sequence


class PageSpecError(ValueError):
    pass


def parse_ranges(spec: str, maximum: int, *, what: str = "page", labels: Sequence[str] = ()) -> list[int]:
    """1-based indices selected by ``spec``; page labels (``xii``) are accepted when given."""
    if maximum <= 0:
        raise PageSpecError(f"the document has no {what}s")
    selected: list[int] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        if part in labels and not part.isdigit():
            selected.append(list(labels).index(part) + 1)
            continue
        first, _, last = part.partition("-")
        try:
            start = int(first) if first else 1
            end = int(last) if last else (maximum if _ else start)
        except ValueError:
            raise PageSpecError(
                f"bad {what} selection {part!r}; use forms like 3, 3-5, 1,4,9-12" + (" or a page label" if labels else "")
            ) from None
        if start < 1 or end < start:
            raise PageSpecError(f"bad {what} range {part!r}; {what}s are numbered from 1")
        if start > maximum:
            raise PageSpecError(f"{what} {start} does not exist; the document has {what}s 1-{maximum}")
        selected.extend(range(start, min(end, maximum) + 1))
    if not selected:
        raise PageSpecError(f"empty {what} selection")
    return list(dict.fromkeys(selected))
