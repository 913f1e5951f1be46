"""What a document (or one part of it) is about, in seconds with any model: its title, its
outline (headings found on the pages), and the lead sentence under each heading, each cited.

Reading every page with a capable model is map-reduce's job; this is the overview a small model
can give honestly, from the document's own structure.
"""

from __future__ import annotations

import re

from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.reader import Reading, not_found
from lcagent.query.plan import QuestionPlan
from lcagent.records import Citation
from lcagent.tools.text import sentences

MAX_SECTIONS = 8
MAX_PAGES_SCANNED = 400
# a heading: short, starts with a capital or a section number, no sentence punctuation at its end
_HEADING = re.compile(r"^(?:(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|Chapter \d+[.:]?|CHAPTER \d+[.:]?)\s+)?[A-Z][^.!?:;]{2,70}$")
_NUMBERED = re.compile(r"^(\d+)(?:\.\d+)*\.?\s")


def overview(plan: QuestionPlan, context: AgentContext) -> Reading:
    docs = context.tools.documents()
    if not docs:
        return not_found("no document to summarise")
    parts, citations = [], []
    for doc in docs[:5]:
        context.progress(Progress("outline", doc.name))
        pages = context.workspace.pages(doc.id, 1, MAX_PAGES_SCANNED)
        sections = _sections(pages, focus=_focus(plan))
        title = doc.title or _first_line(pages)
        if not sections:
            lead = _lead(pages[0].text if pages else "")
            if lead:
                parts.append(f"{title}: {lead}")
                citations.append(Citation(doc.id, pages[0].index, pages[0].label, lead))
            continue
        lines = []
        for heading, page, lead in sections[:MAX_SECTIONS]:
            lines.append(f"{heading} — {lead}" if lead else heading)
            if lead:
                citations.append(Citation(doc.id, page.index, page.label, lead))
        parts.append(f"{title}. Sections: " + "; ".join(lines))
    if not parts:
        return not_found("the document has no text to summarise")
    return Reading("\n".join(parts), citations, note="an overview from the title, headings and lead sentences",
                   confidence=1.0)


def _focus(plan: QuestionPlan) -> str | None:
    """"Summarise chapter 2": the part asked about."""
    for subject in plan.subjects:
        if re.match(r"(?i)(chapter|section|part|appendix)\b", subject):
            return subject
    match = re.search(r"\b(chapter|section|part|appendix)\s+([\w.]+)", plan.question, re.I)
    return f"{match.group(1)} {match.group(2)}" if match else None


def _sections(pages, focus: str | None):
    """(heading, page, lead sentence) for the top-level headings, or for those inside ``focus``."""
    found, inside = [], focus is None
    focus_number = re.search(r"\d+", focus).group(0) if focus and re.search(r"\d+", focus) else None
    for page in pages:
        lines = page.text.split("\n")
        for number, line in enumerate(lines):
            heading = line.strip()
            if not _HEADING.match(heading) or len(heading.split()) > 10 or heading.isdigit():
                continue
            following = " ".join(lines[number + 1: number + 6]).strip()
            lead = _lead(following)
            if not lead:
                continue  # a heading is followed by prose; a table row or a running header is not
            numbered = _NUMBERED.match(heading)
            if focus is not None:
                if focus_number and numbered and numbered.group(1) == focus_number or focus.lower() in heading.lower():
                    inside = True
                elif inside and numbered and focus_number and numbered.group(1) != focus_number:
                    return found
                if not inside:
                    continue
            elif numbered and "." in numbered.group(0).strip().rstrip("."):
                continue  # a subsection: the overview lists top-level sections
            if heading not in {h for h, _, _ in found}:
                found.append((heading, page, lead))
    return found


def _lead(text: str) -> str:
    for span in sentences(text):
        sentence = " ".join(span.text.split())
        if len(sentence.split()) >= 6 and sentence[-1:] in ".!?":
            return sentence
    return ""


def _first_line(pages) -> str:
    for page in pages[:2]:
        for line in page.text.split("\n"):
            if len(line.strip()) > 3:
                return line.strip()
    return "the document"
