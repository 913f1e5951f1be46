"""bm25 over PostgreSQL's tsvector, scored as SQLite FTS5 scores it, so both backends rank alike.

``ts_rank`` has no inverse document frequency: a passage that repeats a common query word would
outrank one holding the rare word that matters, and answers would differ from the SQLite
workspace's. So the score here is FTS5's bm25: for every query term (a word, or a phrase for
words PostgreSQL keeps together), idf = ln((N - n + 0.5) / (n + 0.5)) (at least 1e-6) over the
whole workspace's chunks, times tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)), k1 = 1.2,
b = 0.75. Term frequencies come from the tsvector's positions, the GIN index finds candidates.

Known differences from FTS5 (documented in README): Snowball English stems instead of Porter's;
a phrase's frequency in a chunk is the least frequency of its words (FTS5 counts the phrase);
``dl`` counts words as runs of letters and digits, which FTS5's tokenizer nearly matches.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from lcagent.memory.postgres.database import PostgresHandle
from lcagent.memory.postgres.migrations import TEXT_CONFIG, WORDS_ONLY
from lcagent.memory.search_text import MARK_END, MARK_START

K1, B = 1.2, 0.75
SNIPPET_WORDS = 16  # as FTS5's snippet(..., 16) in the SQLite workspace
WORD = re.compile(r"[^\W_]+")


def word_count(text: str) -> int:
    """``chunks.fts_tokens``: the chunk's length in words, for bm25's length normalisation."""
    return len(WORD.findall(text))


@dataclass(frozen=True)
class Term:
    """One query term as stored lexemes: a single word, or a phrase of words in order."""

    lexemes: tuple[str, ...]
    gaps: tuple[int, ...]  # position distance to the next lexeme (1 = adjacent)

    def tsquery(self) -> str:
        parts = [_quote(self.lexemes[0])]
        for gap, lexeme in zip(self.gaps, self.lexemes[1:]):
            parts.append(f"<{gap}>" if gap != 1 else "<->")
            parts.append(_quote(lexeme))
        return "(" + " ".join(parts) + ")"


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def as_terms(db: PostgresHandle, words: Sequence[str]) -> list[Term]:
    """Each search word (or phrase) as PostgreSQL stores it: normalised, parsed and stemmed."""
    if not words:
        return []
    rows = db.execute(
        f"SELECT t.i, u.lexeme, p FROM unnest(?::text[]) WITH ORDINALITY AS t(word, i), "
        f"unnest(to_tsvector('{TEXT_CONFIG}', {WORDS_ONLY.format(text='t.word')})) AS u, unnest(u.positions) AS p "
        "ORDER BY t.i, p",
        [list(words)],
    ).fetchall()
    by_word: dict[int, list[tuple[int, str]]] = {}
    for index, lexeme, position in rows:
        by_word.setdefault(index, []).append((position, lexeme))
    terms = []
    for index in sorted(by_word):
        positions = by_word[index]
        lexemes = tuple(lexeme for _, lexeme in positions)
        gaps = tuple(b[0] - a[0] for a, b in zip(positions, positions[1:]))
        terms.append(Term(lexemes, gaps))
    return list(dict.fromkeys(terms))


def match_query(terms: Sequence[Term], mode: str) -> str:
    return (" & " if mode == "all" else " | ").join(term.tsquery() for term in terms)


def ranked_chunk_ids(db: PostgresHandle, terms: Sequence[Term], mode: str, doc_ids: Sequence[str] | None,
                     k: int) -> list[tuple[int, float]]:
    """(chunk id, bm25 score) of the ``k`` best chunks, best first (ties by id, as stored)."""
    total, average = db.execute("SELECT count(*), coalesce(avg(fts_tokens), 0)::float8 FROM chunks").fetchone()
    counts = [
        row[0] for row in db.execute(
            "SELECT (SELECT count(*) FROM chunks WHERE fts @@ q::tsquery) FROM unnest(?::text[]) WITH ORDINALITY "
            "AS t(q, i) ORDER BY i",
            [[term.tsquery() for term in terms]],
        ).fetchall()
    ]
    idf = [max(math.log((total - n + 0.5) / (n + 0.5)), 1e-6) for n in counts]
    term_of, lexeme_of = [], []
    for number, term in enumerate(terms):
        for lexeme in dict.fromkeys(term.lexemes):
            term_of.append(number)
            lexeme_of.append(lexeme)
    scope, params = "", []
    if doc_ids:
        scope = " AND doc_id = ANY(?::text[])"
        params = [list(doc_ids)]
    sql = (
        "WITH terms AS (SELECT * FROM unnest(?::int[], ?::text[]) AS t(term, lexeme)), "
        "weights AS (SELECT * FROM unnest(?::int[], ?::float8[], ?::int[]) AS w(term, idf, size)), "
        "matched AS (SELECT id, fts_tokens, ts_filter(setweight(fts, 'A', ?::text[]), '{a}') AS found "
        "FROM chunks WHERE fts @@ ?::tsquery" + scope + "), "
        "frequencies AS (SELECT m.id, m.fts_tokens, t.term, count(*) AS present, "
        "min(cardinality(u.positions)) AS tf FROM matched AS m CROSS JOIN LATERAL unnest(m.found) AS u "
        "JOIN terms AS t ON t.lexeme = u.lexeme GROUP BY m.id, m.fts_tokens, t.term) "
        "SELECT f.id, sum(w.idf * f.tf * (? + 1) / (f.tf + ? * (1 - ? + ? * f.fts_tokens / ?))) AS score "
        "FROM frequencies AS f JOIN weights AS w ON w.term = f.term AND f.present = w.size "
        "GROUP BY f.id ORDER BY score DESC, f.id LIMIT ?"
    )
    sizes = [len(set(term.lexemes)) for term in terms]
    rows = db.execute(sql, [
        term_of, lexeme_of, list(range(len(terms))), idf, sizes, lexeme_of, match_query(terms, mode), *params,
        K1, K1, B, B, max(average, 1.0), k,
    ]).fetchall()
    return [(row[0], float(row[1])) for row in rows]


def snippet(text: str, matches: Sequence[str]) -> str:
    """FTS5-style snippet: the ``SNIPPET_WORDS``-word window with the most distinct matched terms
    (then the most matches, as FTS5 scores them), cut verbatim from ``text``, matched words
    between ``MARK_START`` and ``MARK_END``, '…' where cut.

    ``matches`` are "POSITION LEXEME" strings: 1-based word positions as ``tsvector`` keeps them.
    """
    words = list(WORD.finditer(text))
    if not words:
        return text
    lexeme_at = {}
    for match in matches:
        position, lexeme = match.split(" ", 1)
        if 0 < int(position) <= len(words):
            lexeme_at[int(position) - 1] = lexeme
    matched = set(lexeme_at)
    start = 0
    if len(words) > SNIPPET_WORDS:
        best = -1
        for first in range(len(words) - SNIPPET_WORDS + 1):
            inside = [lexeme_at[p] for p in range(first, first + SNIPPET_WORDS) if p in lexeme_at]
            score = 1000 * len(set(inside)) + len(inside)
            if score > best:
                best, start = score, first
    window = range(start, min(start + SNIPPET_WORDS, len(words)))
    begin = 0 if start == 0 else words[start].start()
    end = len(text) if window[-1] == len(words) - 1 else words[window[-1]].end()
    pieces, cursor = [], begin
    for index in window:
        if index in matched:
            word = words[index]
            pieces += [text[cursor:word.start()], MARK_START, word.group(), MARK_END]
            cursor = word.end()
    pieces.append(text[cursor:end])
    return ("…" if begin > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")
