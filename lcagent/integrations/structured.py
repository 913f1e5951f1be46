"""Tool results as JSON records another stack can consume: page citations, documents, answers.

The readable text of a ``ToolResult`` is what a model reads; these records are what a
program (an MCP client, a LangChain artifact) reads. Page text is never repeated here,
so the structured part stays as bounded as the text.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from lcagent.ingest import IngestResult
from lcagent.memory.search_text import MARK_END, MARK_START
from lcagent.memory.workspace import Workspace
from lcagent.records import Answer, Document, GrepHit, Page, SearchHit
from lcagent.tools.base import ToolResult


class PageRef(BaseModel):
    """Where a result sits in a document: cite it as 'p. {page_index} (label {page_label})'."""

    doc_id: str
    doc_name: str
    page_index: int = Field(description="1-based page number in the file")
    page_label: str = Field(description="the document's own page label (e.g. 'xii'), else the index")
    line: int | None = Field(None, description="document line number, for grep hits and read pages")
    text: str = Field("", description="a short excerpt: the matching line or snippet")


class DocumentInfo(BaseModel):
    id: str
    name: str
    pages: int
    tokens: int


class ToolOutput(BaseModel):
    """Structured result of list_docs, search, grep and read."""

    tool: str
    ok: bool
    truncated: bool
    citations: list[PageRef] = Field(default_factory=list)
    documents: list[DocumentInfo] = Field(default_factory=list)
    error: str | None = None


class CitationOut(BaseModel):
    doc_id: str
    doc_name: str
    page_index: int
    page_label: str
    quote: str = Field(description="verbatim text of the page, checked against the stored document")
    rendered: str = Field(description="the citation as a reader sees it")


class AskOutput(BaseModel):
    """Structured result of ask."""

    answer: str
    found: bool
    citations: list[CitationOut]
    strategy: str
    strategy_reason: str
    run_id: str
    dropped_quotes: int
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float


class IngestedDocument(DocumentInfo):
    status: str
    warnings: list[str] = Field(default_factory=list)


class IngestFailure(BaseModel):
    path: str
    error: str


class IngestOutput(BaseModel):
    ingested: list[IngestedDocument] = Field(default_factory=list)
    errors: list[IngestFailure] = Field(default_factory=list)


def tool_output(tool: str, result: ToolResult, workspace: Workspace) -> ToolOutput:
    """The page references (or documents) behind one tool result."""
    if not result.ok:
        return ToolOutput(tool=tool, ok=False, truncated=result.truncated, error=result.text)
    names = _DocNames(workspace)
    citations: list[PageRef] = []
    documents: list[DocumentInfo] = []
    for item in result.data if isinstance(result.data, list) else []:
        if isinstance(item, SearchHit):
            chunk = item.chunk
            snippet = _plain_snippet(item.snippet)
            page_index, page_label = _snippet_page(workspace, item)
            citations.append(PageRef(
                doc_id=chunk.doc_id, doc_name=item.doc_name or names(chunk.doc_id), page_index=page_index,
                page_label=page_label, text=snippet,
            ))
        elif isinstance(item, GrepHit):
            citations.append(PageRef(
                doc_id=item.doc_id, doc_name=names(item.doc_id), page_index=item.page_index,
                page_label=item.page_label, line=item.doc_line, text=item.text,
            ))
        elif isinstance(item, Page):
            citations.append(PageRef(
                doc_id=item.doc_id, doc_name=names(item.doc_id), page_index=item.index, page_label=item.label,
                line=item.line_start,
            ))
        elif isinstance(item, dict) and {"id", "name", "pages", "tokens"} <= item.keys():
            documents.append(DocumentInfo(id=item["id"], name=item["name"], pages=item["pages"], tokens=item["tokens"]))
    return ToolOutput(tool=tool, ok=True, truncated=result.truncated, citations=citations, documents=documents)


def ask_output(answer: Answer) -> AskOutput:
    return AskOutput(
        answer=answer.text, found=answer.found,
        citations=[
            CitationOut(doc_id=c.doc_id, doc_name=c.doc_name, page_index=c.page_index, page_label=c.page_label,
                        quote=c.quote, rendered=c.render())
            for c in answer.citations
        ],
        strategy=answer.strategy, strategy_reason=answer.strategy_reason, run_id=answer.run_id,
        dropped_quotes=answer.dropped_quotes, llm_calls=answer.usage.llm_calls,
        prompt_tokens=answer.usage.prompt_tokens, completion_tokens=answer.usage.completion_tokens,
        seconds=round(answer.usage.seconds, 3),
    )


def ask_text(answer: Answer) -> str:
    """The answer as a model should read it: text, then one citation per line."""
    lines = [answer.text]
    lines.extend(f"  {c.doc_name + ' ' if c.doc_name else ''}{c.render()}" for c in answer.citations)
    lines.append(f"strategy {answer.strategy}; {answer.usage.render()}; run {answer.run_id}")
    return "\n".join(lines)


def ingested(result: IngestResult) -> IngestedDocument:
    document: Document = result.document
    return IngestedDocument(id=document.id, name=document.name, pages=document.pages, tokens=document.tokens,
                            status=result.status, warnings=list(result.warnings))


def _snippet_page(workspace: Workspace, hit: SearchHit) -> tuple[int, str]:
    """The page of the snippet's first matched term; a chunk can span pages, and its first page may not hold it."""
    raw = hit.snippet.strip("…")
    first_mark = raw.find(MARK_START)
    plain = raw.replace(MARK_START, "").replace(MARK_END, "")
    # FTS5 snippets are verbatim slices of the chunk text, marks and end ellipses aside.
    offset = hit.chunk.text.find(plain) if plain else -1
    if offset < 0:
        return hit.chunk.page_start, hit.page_label
    return workspace.page_at(hit.chunk.doc_id, hit.chunk.char_start + offset + max(first_mark, 0))


def _plain_snippet(snippet: str) -> str:
    return " ".join(snippet.replace(MARK_START, "").replace(MARK_END, "").split())


class _DocNames:
    """doc_id -> name, looked up once per result."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.cache: dict[str, str] = {}

    def __call__(self, doc_id: str) -> str:
        if doc_id not in self.cache:
            document = self.workspace.get(doc_id)
            self.cache[doc_id] = document.name if document else ""
        return self.cache[doc_id]


def as_json(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
