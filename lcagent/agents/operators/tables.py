"""A figure read from a table: the row named like the question's relation, the column its
period qualifier picks ("2018"), the scale the table states ("in millions"), cited by the row.

Row words are matched literally first; when no row matches, the rows of the best pages are
compared with the relation by sentence embeddings ("capital expenditure" finds "Purchases of
property, plant and equipment"), where the embedder is installed.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext
from lcagent.agents.evidence import EvidencePool
from lcagent.agents.operators.lookup import prominent
from lcagent.agents.reader import Reading, not_found
from lcagent.agents.seeding import relation_terms
from lcagent.loaders.table_lookup import CellMatch, column_score, row_score, words
from lcagent.query.plan import QuestionPlan
from lcagent.records import Citation, Table

TABLE_PAGES = 6
PRIOR_LIFT = 0.1  # how much a page's retrieval prior lifts a table cell's score
EXPANSION_WEIGHT = 0.95  # a row found by another name of the line item, against one named as asked
MIN_SIMILARITY = 0.45  # cosine of the relation and a row label for an embedding match


def read_table(plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading | None:
    """The cell answering a number question, or None when no table row answers it well."""
    if plan.answer_type != "number" or plan.intent != "lookup":
        return None
    row_terms = relation_terms(plan)
    if not row_terms:
        return None
    years = column_terms(plan)
    store = context.workspace.tables
    tables: list[tuple[str, Table]] = []
    for doc_id, index in candidate_pages(pool):
        tables += [(doc_id, table) for table in store.tables(doc_id, [index])]
    named = [_name_part(s) for s in plan.subjects if len(s) >= 2]
    if named:
        # only tables of a document about a subject asked, or tables naming one in their title or
        # rows: Lyft's reserves asked of Uber's 10-K are not Uber's reserves (a page of Uber's notes
        # may name Lyft in a lawsuit beside Uber's revenue table), Uber's capex is not in Amazon's 10-Q
        about = _about_subjects(named, {doc_id for doc_id, _ in tables}, context)
        kept = [(doc_id, table) for doc_id, table in tables if doc_id in about or _table_names(named, table)]
        if tables and not kept:
            return not_found(f"the tables that fit are in documents about something else than {', '.join(named)}")
        tables = kept
    if not tables:
        return None
    by_table = {id(table): doc_id for doc_id, table in tables}
    best, how = None, "row and column words"
    phrases = row_phrases(plan, row_terms)
    wants_share = bool(re.search(r"\b(?:percent|percentage|share|margin|rate|ratio|%)", plan.question.lower()))
    for doc_id, table in tables:
        columns = columns_for(table, years, context.workspace.page(doc_id, table.page_index).text)
        if not columns:
            continue
        # the page retrieval and the hints favour breaks ties between tables holding the same row
        lift = 1.0 + PRIOR_LIFT * pool.prior.get((doc_id, table.page_index), 0.0)
        for row in table.rows:
            fit, weight = max(((row_score(table, row, phrase), weight) for phrase, weight in phrases),
                              key=lambda pair: pair[0] * pair[1])
            for column, column_fit in columns:
                if column < len(row.cells) and row.cells[column].text.strip(" —-"):
                    if not wants_share and _is_share(table, column, row.cells[column].text):
                        break  # an amount is asked: a column of percentages does not hold it
                    score = fit * weight * (0.5 + 0.5 * column_fit) * lift
                    if best is None or score > best.score:
                        best = CellMatch(table, row, column, score)
                        how = "row and column words" if weight == 1.0 else "the line item's usual name"
                    break  # the best column of this row
    if best is None or best.score < W.TABLE_ANSWER:
        semantic = _embedding_match(plan, [t for _, t in tables], years)
        if semantic is not None and (best is None or semantic.score > best.score):
            best, how = semantic, "row label close in meaning to the question"
    context.trace.note("table lookup", {"row_terms": row_terms, "years": years, "tables": len(tables),
                                        "best": best.render() if best else None,
                                        "score": round(best.score, 3) if best else 0, "how": how})
    if best is None or best.score < W.TABLE_ANSWER:
        return None
    doc_id = by_table[id(best.table)]
    page = context.workspace.page(doc_id, best.table.page_index)
    if not best.table.units:
        # a statement states its scale once at its head ("(In millions, except per share amounts)")
        stated = re.search(r"\(\s*in (?:millions|thousands|billions)[^)]*\)", page.text, re.I)
        if stated:
            best = replace(best, table=replace(best.table, units=stated.group(0)))
    answer = render_cell(best)
    note = f"read from the table '{best.table.title or 'untitled'}', row '{best.row.label}', column '{best.header}' ({how})"
    return Reading(answer, [Citation(doc_id, page.index, page.label, " ".join(best.row.line_text.split()))],
                   note=note, confidence=min(1.0, best.score))


def _name_part(subject: str) -> str:
    """The name a subject phrase opens with: "Intel" of "Intel net cash" (a terse question runs
    the company's name into the line item); the whole subject when it opens with no capital."""
    words = subject.split()
    lead = []
    for word in words:
        if not word[:1].isupper():
            break
        lead.append(word)
    return " ".join(lead) if lead and len(lead) < len(words) else subject


def _about_subjects(named: list[str], doc_ids: set[str], context: AgentContext) -> set[str]:
    return {doc_id for doc_id in doc_ids if any(prominent(context.workspace, s, doc_id) for s in named)}


def _table_names(named: list[str], table: Table) -> bool:
    text = " ".join([table.title or "", *(row.label for row in table.rows)]).lower()
    return any(s.lower() in text for s in named)


_OUTFLOW = re.compile(r"^(?:purchases?|payments?|repurchases?|additions?|acquisitions?|capital expenditures?|dividends)\b",
                      re.I)


def render_cell(match: CellMatch) -> str:
    """The figure as a reader says it: "$298 million" for "(298)" under "(In millions)" in a row of
    purchases; a loss keeps its minus sign ("-8,596 million"). The printed cell follows in brackets."""
    printed = match.cell.text.strip()
    digits = re.sub(r"[^\d.,]", "", printed)
    if not digits:
        return printed
    negative = printed.startswith("(") or printed.startswith("-") or printed.startswith("−")
    sign = "-" if negative and not _OUTFLOW.match(match.row.label.strip()) else ""
    currency = "$" if "$" in match.row.line_text or "$" in printed else ""
    units = (match.units or "").lower()
    scale = next((f" {word}" for word in ("billion", "million", "thousand") if word in units), "")
    shown = f"{sign}{currency}{digits}{scale}"
    return shown if printed == digits and not scale else f"{shown} (printed {printed}{' ' + match.units if match.units else ''})"


_QUARTERS = {"q1": "three months", "q2": "three months", "q3": "three months", "q4": "three months",
             "3m": "three months", "6m": "six months", "9m": "nine months", "12m": "twelve months"}


def _with_headers_from_page(table: Table, page_text: str) -> Table:
    """A statement whose header the layout reading missed ("As of December 31, / 2020 2021"): the
    first line of the page holding exactly one year per column gives the headers, in order."""
    for line in page_text.split("\n")[:40]:
        years = re.findall(r"\b(?:1[5-9]|20)\d\d\b", line)
        if len(years) == len(table.columns) and len(re.sub(r"[\d\s,]", "", line)) < 40:
            return replace(table, columns=years)
    return table


def columns_for(table: Table, terms: list[str], page_text: str = "") -> list[tuple[int, float]]:
    """The table's columns that can hold the asked period, best first, each with how well its
    header (or, failing that, the table's title) carries the period's words. A column whose
    header names another year is out; with no period asked, the first column (usually the latest)."""
    if not terms:
        return [(0, 1.0)] if table.columns else []
    if not any(header.strip() for header in table.columns) and page_text:
        table = _with_headers_from_page(table, page_text)
    years = [t for t in terms if re.fullmatch(r"(?:1[5-9]|20)\d\d", t)]
    others = [t for t in terms if t not in years]
    title = words(table.title or "")
    found = []
    for index, header in enumerate(table.columns):
        header_words = words(header)
        if years and not all(y in header_words or (y in title and not _has_year(header_words)) for y in years):
            continue
        fit = sum(1 for t in others if t in header_words or t in title) / len(others) if others else 1.0
        found.append((index, fit))
    return sorted(found, key=lambda pair: -pair[1])


def _is_share(table: Table, column: int, cell: str) -> bool:
    header = table.columns[column] if column < len(table.columns) else ""
    return "%" in cell or "%" in header or bool(re.search(r"\bpercent|\bmargin\b|% of", header, re.I))


def _has_year(header_words: list[str]) -> bool:
    return any(re.fullmatch(r"(?:1[5-9]|20)\d\d", w) for w in header_words)


def column_terms(plan: QuestionPlan) -> list[str]:
    """The words a column header should carry: the qualifiers' years, months and period lengths
    ("nine months ended September 30, 2022"; Q3 reads as three months)."""
    found: list[str] = []
    for qualifier in plan.qualifiers:
        lowered = qualifier.lower()
        for short, long in _QUARTERS.items():
            lowered = re.sub(rf"\b{short}\b", long, lowered)
        found += [w for w in words(lowered) if w not in {"fy", "cy", "fiscal", "year", "first", "the", "ended", "ending"}]
    return list(dict.fromkeys(found))


def candidate_pages(pool: EvidencePool) -> list[tuple[str, int]]:
    """The pages the evidence ranks best, and those retrieval and table titles voted for."""
    voted = sorted(pool.prior, key=lambda page: -pool.prior[page])[:TABLE_PAGES]
    return list(dict.fromkeys([*pool.pages(TABLE_PAGES), *voted]))


def row_phrases(plan: QuestionPlan, row_terms: list[str]) -> list[tuple[list[str], float]]:
    """The row words to look for: the question's own (with a subject's words, which may name the
    row: "Freight revenue"), then the line item's other names."""
    phrases = [(row_terms, 1.0)]
    phrases += [(row_terms + [w for w in words(subject) if w not in row_terms], 1.0) for subject in plan.subjects]
    phrases += [(words(name), EXPANSION_WEIGHT) for name in plan.relation_names()]
    return phrases


def _embedding_match(plan: QuestionPlan, tables: list[Table], years: list[str]) -> CellMatch | None:
    """The row whose label is closest in meaning to the relation, in the year's column."""
    try:
        from lcagent.retrieval.embeddings import EmbeddingUnavailable, default_embedder
    except ImportError:
        return None
    rows = [(table, row) for table in tables for row in table.rows if row.label.strip()]
    if not rows:
        return None
    try:
        embedder = default_embedder()
        query = np.asarray(embedder.embed_query(plan.relation or plan.question), dtype=np.float32)
        windows = [embedder.split(row.label)[0] for _, row in rows]
        labels = np.asarray(embedder.embed_windows(windows), dtype=np.float32)  # one batched pass
    except EmbeddingUnavailable:
        return None
    similarity = labels @ query
    for position in np.argsort(-similarity)[:5]:
        table, row = rows[int(position)]
        if similarity[position] < MIN_SIMILARITY:
            break
        columns = sorted(range(len(table.columns)), key=lambda c: -column_score(table, c, years))
        for column in columns:
            if column < len(row.cells) and row.cells[column].text and column_score(table, column, years) > 0:
                return CellMatch(table, row, column, float(similarity[position]) * column_score(table, column, years))
    return None


__all__ = ["read_table", "words"]
