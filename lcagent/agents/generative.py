"""The generative reader: the model writes the answer from the evidence and names its quotes.

With a verbatim-capable runner the supporting quote is decoded under the copy constraint
(RecaLLM-style); either way every quote is checked against the stored text afterwards.
"""

from __future__ import annotations

import json
import re
from typing import Sequence

from lcagent.agents.evidence import EvidenceItem, EvidencePool
from lcagent.agents.reader import NOT_FOUND, Reading, cite, is_not_found, not_found
from lcagent.prompts import ANSWER_FROM_EVIDENCE, ANSWER_WITH_QUOTES, EXTRACT_ANSWER
from lcagent.query.plan import QuestionPlan
from lcagent.records import Citation
from lcagent.runners.base import JsonSchema, Runner, Verbatim

# bounded strings: a small model that rambles still closes its JSON inside max_tokens
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": 300},
                   "quotes": {"type": "array", "items": {"type": "string", "maxLength": 300}, "maxItems": 3}},
    "required": ["answer", "quotes"],
}


def generative(pool: EvidencePool, plan: QuestionPlan, runner: Runner, *, evidence_limit: int = 12) -> Reading:
    items = pool.ranked(evidence_limit)
    if not items or items[0].score <= 0:
        return not_found("no evidence matched the question")
    evidence = pool.render(items, max_chars=600)
    by_number = {f"E{n}": item for n, item in enumerate(items, start=1)}
    if "json_schema" in runner.capabilities.constraints:
        completion = runner.complete(ANSWER_WITH_QUOTES.render(evidence=evidence, question=plan.question),
                                     max_tokens=400, constraint=JsonSchema(ANSWER_SCHEMA, "answer"))
        try:
            data = json.loads(completion.text)
            answer, quotes = str(data.get("answer", "")).strip(), [str(q) for q in data.get("quotes", [])]
        except (json.JSONDecodeError, AttributeError):
            # cut off mid-object: keep the answer string if it was finished, never the raw JSON
            answer, quotes = salvaged_answer(completion.text), []
    else:
        completion = runner.complete(ANSWER_FROM_EVIDENCE.render(evidence=evidence, question=plan.question), max_tokens=200)
        answer, quotes = completion.text.strip(), []
    if is_not_found(answer):
        return not_found("the model found no answer in the evidence")
    citations = []
    for quote in quotes:
        # a quote may be given as "[E3]" or copied text; the checker decides if it is real
        label = quote.strip(" []")
        citations.append(cite(by_number[label]) if label in by_number else _placed(quote, items))
    if not quotes:
        citations.append(supporting_quote(runner, items, answer, plan))
    return Reading(answer, citations)


def _placed(quote: str, items) -> Citation:
    """A quote the model copied, on the page of the evidence sentence that holds it (so its
    support can be judged by that page); unplaced when none does (the quote check decides)."""
    wanted = " ".join(quote.split()).lower()
    for item in items:
        if wanted and wanted in " ".join(item.text.split()).lower():
            return Citation(item.doc_id, item.page_index, item.page_label, quote)
    return Citation("", 0, "", quote)


def salvaged_answer(text: str) -> str:
    """The "answer" string of a JSON object cut off later on, or "not found" (never the raw JSON)."""
    match = re.match(r'\s*\{\s*"answer"\s*:\s*"((?:[^"\\]|\\.)*)"', text)
    if not match:
        return NOT_FOUND
    try:
        return json.loads(f'"{match.group(1)}"', strict=False).strip() or NOT_FOUND  # strict=False: raw newlines
    except json.JSONDecodeError:
        return NOT_FOUND


def supporting_quote(runner: Runner, items: Sequence[EvidenceItem], answer: str, plan: QuestionPlan) -> Citation:
    """The evidence sentence that supports ``answer``; decoded verbatim when the runner can."""
    containing = [item for item in items if answer.lower() in item.text.lower()]
    if containing:
        return cite(containing[0])
    if runner.capabilities.verbatim:
        sources = tuple(" ".join(item.text.split()) for item in items[:6])
        completion = runner.complete(EXTRACT_ANSWER.render(sentence=" / ".join(sources), question=plan.question),
                                     max_tokens=80, constraint=Verbatim(sources))
        return Citation("", 0, "", completion.text)
    return cite(items[0])
