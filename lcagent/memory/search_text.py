"""How text a user or an agent searches for becomes index terms, the same for both backends.

Every term is quoted, so search syntax in user text is inert; stop words come from the one list
in ``lcagent.query.lexicon``.
"""

from __future__ import annotations

import re

from lcagent.query.lexicon import STOPWORDS

# Search snippets mark matched terms with these; callers choose how to render them.
MARK_START, MARK_END = "\x02", "\x03"
_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(text: str, mode: str = "any") -> list[str]:
    """The terms a search for ``text`` looks for: the words less stop words (all of them when
    only stop words are left), each once; ``phrase``: one term, every word in order."""
    terms = _TERM.findall(text)
    if mode == "phrase":
        return [" ".join(terms)] if terms else []
    kept = [t for t in terms if t.lower() not in STOPWORDS] or terms
    return list(dict.fromkeys(kept))


def fts_query(text: str, mode: str = "any") -> str | None:
    """Turn arbitrary user text into a safe SQLite FTS5 query.

    ``any``: OR of the terms (bm25 ranks by how many and how rare); ``all``: AND;
    ``phrase``: the exact phrase.
    """
    terms = search_terms(text, mode)
    if not terms:
        return None
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    return (" AND " if mode == "all" else " OR ").join(quoted)
