"""The built-in tools: list_docs, search, grep, read, count, word_frequencies.

Docstrings and descriptions here are written for the model that calls the tools.
"""

from __future__ import annotations

import collections
from typing import Iterator, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field

from lcagent.pagespec import parse_ranges
from lcagent.records import page_ref
from lcagent.time_limits import TimeLimit, run_within
from lcagent.tools.base import Tool, ToolContext, ToolInputError, ToolResult
from lcagent.tools.text import STOPWORDS, overlap_score, sentences, terms


MAX_PAGES_PER_READ = 10
# Counting loops check the time limit at least this often (characters), even inside one huge page.
SLICE_CHARS = 1 << 18
_WORD = regex.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListDocs(Tool):
    name = "list_docs"
    description = "List the documents you can read: id, name, number of pages and tokens."

    class Args(_Args):
        pass

    def run(self, args, context: ToolContext) -> ToolResult:
        docs = context.documents()
        lines = [f"{d.id[:12]}  {d.name}  {d.pages} pages  {d.tokens} tokens" for d in docs]
        data = [{"id": d.id, "name": d.name, "pages": d.pages, "tokens": d.tokens} for d in docs]
        return ToolResult("\n".join(lines) or "no documents", data)


class Search(Tool):
    name = "search"
    description = (
        "Find the passages most relevant to a query (bm25 full-text ranking fused with sentence-embedding "
        "similarity where the documents are embedded). Use a few distinctive words, names or numbers from "
        "the question. Returns the best sentences of each passage with page numbers."
    )

    class Args(_Args):
        query: str = Field(description="Words to look for, e.g. 'auditor going concern 2023'.", min_length=1)
        k: int = Field(5, ge=1, le=20, description="How many passages to return.")
        doc: str | None = Field(None, description="Document id or name; omit to search all documents.")

    def run(self, args, context: ToolContext) -> ToolResult:
        doc_ids = [context.resolve(args.doc).id] if args.doc else (list(context.doc_ids) if context.doc_ids else None)
        hits = _passages(context, args.query, doc_ids, min(args.k, context.limits.max_items))
        if not hits:
            return ToolResult(f"no passages match {args.query!r}; try other words or grep for exact text", [])
        query_terms = terms(args.query)
        blocks, data = [], []
        for rank, hit in enumerate(hits, start=1):
            best = sorted(sentences(hit.chunk.text), key=lambda s: -overlap_score(s.text, query_terms))[:3]
            best.sort(key=lambda s: s.start)
            shown = []
            for sentence in best:
                index, label = context.workspace.page_at(hit.chunk.doc_id, hit.chunk.char_start + sentence.start)
                shown.append(f"{page_ref(index, label)}: {' '.join(sentence.text.split())}")
            blocks.append(f"[{rank}] {hit.doc_name} score {hit.score:.3g}\n" + "\n".join(shown))
            data.append(hit)
        return ToolResult("\n\n".join(blocks), data)


def _passages(context: ToolContext, query: str, doc_ids, k: int):
    """Hybrid search where the embed extra is installed (it falls back to bm25 for documents
    without vectors), plain bm25 otherwise."""
    try:
        from lcagent.retrieval.hybrid import hybrid_search
    except ImportError:
        return context.workspace.search(query, doc_ids=doc_ids, k=k)
    return hybrid_search(context.workspace, query, doc_ids, k)


class Grep(Tool):
    name = "grep"
    description = (
        "Find lines containing exact text or matching a regular expression, with their page and line "
        "numbers. Best for exact names, numbers, ids and phrases."
    )
    timeout_hint = "use a simpler pattern, or literal=true for plain text"

    class Args(_Args):
        pattern: str = Field(description="Text or regular expression to find.", min_length=1)
        literal: bool = Field(False, description="Match the pattern as plain text, not as a regex.")
        ignore_case: bool = Field(True, description="Ignore upper/lower case.")
        context: int = Field(0, ge=0, le=5, description="Lines of context around each match.")
        offset: int = Field(0, ge=0, description="Skip this many matches (to page through many).")
        doc: str | None = Field(None, description="Document id or name; omit to search all documents.")

    def run(self, args, context: ToolContext) -> ToolResult:
        doc_ids = [context.resolve(args.doc).id] if args.doc else (list(context.doc_ids) if context.doc_ids else None)
        page_size = context.limits.max_items
        hits = context.workspace.grep(
            args.pattern,
            doc_ids=doc_ids,
            regex=not args.literal,
            ignore_case=args.ignore_case,
            context=args.context,
            limit=args.offset + page_size + 1,
            seconds=context.remaining(),
        )
        more = len(hits) > args.offset + page_size
        shown = hits[args.offset : args.offset + page_size]
        if not shown:
            return ToolResult(f"no lines match {args.pattern!r}", [])
        lines = []
        for hit in shown:
            where = f"{page_ref(hit.page_index, hit.page_label)} line {hit.doc_line}"
            lines.extend(f"  {b}" for b in hit.before)
            lines.append(f"{where}: {hit.text}")
            lines.extend(f"  {a}" for a in hit.after)
        if more:
            lines.append(f"[more matches: call grep again with offset={args.offset + page_size}]")
        return ToolResult("\n".join(lines), shown, truncated=more)


class Read(Tool):
    name = "read"
    description = (
        "Read pages of a document (e.g. pages='12' or '12-13') or a range of document lines "
        "(e.g. lines='340-380'). Lines are numbered."
    )

    class Args(_Args):
        doc: str | None = Field(None, description="Document id or name; may be omitted when there is one document.")
        pages: str | None = Field(None, description="Pages to read: '3', '3-5' or a page label.")
        lines: str | None = Field(None, description="Document lines to read, e.g. '120-160'.")

    def run(self, args, context: ToolContext) -> ToolResult:
        document = context.resolve(args.doc)
        workspace = context.workspace
        if bool(args.pages) == bool(args.lines):
            raise ToolInputError("give exactly one of pages or lines")
        out: list[str] = []
        if args.pages:
            labels = [p.label for p in workspace.pages(document.id)]
            indices = parse_ranges(args.pages, document.pages, labels=labels)
            pages = [workspace.page(document.id, i) for i in indices[:MAX_PAGES_PER_READ]]
            for page in pages:
                out.append(f"--- {document.name} {page_ref(page.index, page.label)} ---")
                out.extend(f"{page.line_start + n}: {line}" for n, line in enumerate(page.text.split("\n")))
            data = pages
            rest = indices[MAX_PAGES_PER_READ:]
            if rest:
                out.append(f"[{len(rest)} more pages not shown: call read again with pages='{rest[0]}-{rest[-1]}']")
                return ToolResult("\n".join(out), data, truncated=True)
        else:
            total_lines = sum(p.text.count("\n") + 1 for p in workspace.pages(document.id))
            wanted = parse_ranges(args.lines, total_lines, what="line")
            first, last = wanted[0], wanted[-1]
            data = []
            for page in workspace.pages(document.id):
                context.remaining()  # a very long document: stop at the time limit
                page_lines = page.text.split("\n")
                if page.line_start + len(page_lines) - 1 < first or page.line_start > last:
                    continue
                out.append(f"--- {document.name} {page_ref(page.index, page.label)} ---")
                for n, line in enumerate(page_lines):
                    number = page.line_start + n
                    if first <= number <= last:
                        out.append(f"{number}: {line}")
                data.append(page)
        return ToolResult("\n".join(out), data)


class Count(Tool):
    name = "count"
    description = "Count how many times text (or a regular expression) occurs, in total and on which pages."
    timeout_hint = "use a simpler pattern, or literal=true for plain text"

    class Args(_Args):
        pattern: str = Field(description="Text or regular expression to count.", min_length=1)
        literal: bool = Field(True, description="Count the pattern as plain text.")
        ignore_case: bool = Field(True, description="Ignore upper/lower case.")
        whole_word: bool = Field(True, description="Only count whole-word occurrences.")
        doc: str | None = Field(None, description="Document id or name.")

    def run(self, args, context: ToolContext) -> ToolResult:
        document = context.resolve(args.doc)
        body = regex.escape(args.pattern) if args.literal else args.pattern
        if args.whole_word:
            body = rf"(?<!\w)(?:{body})(?!\w)"
        try:
            compiled = regex.compile(body, regex.IGNORECASE if args.ignore_case else 0)
        except regex.error as error:
            raise ToolInputError(f"invalid regular expression: {error}") from None
        pages = context.workspace.pages(document.id)
        per_page = run_within(context.time_limit, lambda: _count_per_page(pages, compiled, context.time_limit))
        total = sum(per_page.values())
        top = ", ".join(f"{page_ref(i, label)}: {n}" for (i, label), n in per_page.most_common(10))
        text = f"{args.pattern!r} occurs {total} times in {document.name}" + (f" (most on {top})" if total else "")
        return ToolResult(text, {"total": total, "pages": {i: n for (i, _), n in per_page.items()}})


class WordFrequencies(Tool):
    name = "word_frequencies"
    description = "List the words that occur most often in a document, with their counts."

    class Args(_Args):
        top: int = Field(10, ge=1, le=200, description="How many words to list.")
        min_length: int = Field(2, ge=1, le=30, description="Ignore words shorter than this.")
        skip_stopwords: bool = Field(True, description="Ignore very common English words (the, and, of...).")
        doc: str | None = Field(None, description="Document id or name.")

    def run(self, args, context: ToolContext) -> ToolResult:
        document = context.resolve(args.doc)
        pages = context.workspace.pages(document.id)
        counts = run_within(context.time_limit, lambda: _word_counts(pages, args, context.time_limit))
        top = counts.most_common(args.top)
        text = "\n".join(f"{rank}. {word}: {n}" for rank, (word, n) in enumerate(top, start=1))
        return ToolResult(text or "no words", top)


# The two counting loops below get plain pages (no SQL), so run_within may abandon them at the
# deadline; each checks the time limit between steps so an abandoned one stops soon after.
def _count_per_page(pages, compiled, time_limit: TimeLimit | None) -> collections.Counter:
    per_page: collections.Counter = collections.Counter()
    for page in pages:
        remaining = time_limit.remaining() if time_limit else None
        found = len(compiled.findall(page.text, timeout=remaining, concurrent=time_limit is not None))
        if found:
            per_page[(page.index, page.label)] = found
    return per_page


def _word_counts(pages, args, time_limit: TimeLimit | None) -> collections.Counter:
    counts: collections.Counter[str] = collections.Counter()
    for page in pages:
        for piece in _slices(page.text, SLICE_CHARS):
            remaining = time_limit.remaining() if time_limit else None
            counts.update(
                w
                for w in (m.lower() for m in _WORD.findall(piece, timeout=remaining, concurrent=time_limit is not None))
                if len(w) >= args.min_length and not (args.skip_stopwords and w in STOPWORDS)
            )
    return counts


def _slices(text: str, size: int) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, cut at whitespace so no word is split."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            space = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = space + 1 if space > start else end
        yield text[start:end]
        start = end


BUILTIN_TOOLS: tuple[Tool, ...] = (ListDocs(), Search(), Grep(), Read(), Count(), WordFrequencies())
ToolName = Literal["list_docs", "search", "grep", "read", "count", "word_frequencies"]
