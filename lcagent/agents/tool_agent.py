"""The tool agent: search, grep and read its way to the evidence, then answer from it.

Deterministic query analysis seeds the first searches (so a small model starts from good
evidence); the model then chooses further actions under a JSON schema of the available
tools, or through native tool calls where the runner has them. For small models, when the
seeded evidence already covers the question's key terms, the loop is skipped: no LLM call is
spent on planning.
"""

from __future__ import annotations

import json
import math
import re

from lcagent.agents.analysis import QUESTION_WORDS, QueryAnalysis, analyse
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.agents.reader import NOT_FOUND, Reading, cite, extractive, generative
from lcagent.prompts import CHOOSE_ACTION
from lcagent.records import GrepHit, SearchHit
from lcagent.runners.base import Message
from lcagent.runners.tracing import BudgetExceeded
from lcagent.tools import openai_tools
from lcagent.tools.base import ToolResult
from lcagent.tools.text import STOPWORDS

ACTIONS = ("search", "grep", "read", "answer")
ACTION_SCHEMA = {
    "type": "object",
    "properties": {"tool": {"type": "string", "enum": list(ACTIONS)}, "input": {"type": "string", "maxLength": 120}},
    "required": ["tool", "input"],
}
# Names and identifiers worth following: Capitalised or ALLCAPS words, hyphenated ids.
_ENTITY = re.compile(r"\b[A-Z][A-Za-z0-9]{2,}(?: [A-Z][a-z][A-Za-z0-9]+)*\b|\b\w+-\w+\b")
# Coverage of the question's weighted terms by the best sentence above which we answer at once.
CONFIDENT_COVERAGE = 0.6


class ToolAgent:
    name = "tools"

    def answer(self, question: str, context: AgentContext) -> Reading:
        analysis = analyse(question)
        context.trace.note("query analysis", _analysis_json(analysis))
        if analysis.kind == "aggregate":
            reading = self._aggregate(analysis, context)
            if reading is not None:
                return reading
        weights = TermWeights.for_question(context.workspace, analysis, context.doc_ids)
        pool = EvidencePool(context.workspace, weights)
        self._seed(analysis, pool, context)
        followed = self._expand(analysis, pool, context) if analysis.kind == "chain" else []
        steps = 0
        if context.runner.capabilities.native_tools:
            # a model that calls tools natively is strong enough to judge the evidence itself
            steps = self._native_loop(question, pool, context)
        elif not self._confident(pool, weights, plural=analysis.plural):
            steps = self._constrained_loop(analysis, pool, context)
        context.trace.note("evidence", {"items": len(pool.items), "best_score": pool.best_score(), "model_steps": steps})
        context.progress(Progress("answer", "reading the evidence"))
        if followed and analysis.plural:
            return self._chain_members(followed, pool)
        try:
            if context.reader_mode() == "generative":
                return generative(pool, analysis, context.runner)
            return extractive(pool, analysis, context.runner)
        except BudgetExceeded as spent:
            # the partial answer: what the evidence gathered so far gives without the model
            context.trace.note("budget spent", str(spent))
            return extractive(pool, analysis, None)

    # --- deterministic parts ------------------------------------------------------------
    def _seed(self, analysis: QueryAnalysis, pool: EvidencePool, context: AgentContext) -> None:
        for query in analysis.search_queries()[:3]:
            context.progress(Progress("search", query))
            self._observe(context.use_tool("search", {"query": query, "k": 6}), pool, "search")
        for pattern in analysis.exact_patterns()[:4]:
            context.progress(Progress("grep", pattern))
            self._observe(context.use_tool("grep", {"pattern": pattern, "literal": True}), pool, "grep")

    def _expand(self, analysis: QueryAnalysis, pool: EvidencePool, context: AgentContext) -> list[str]:
        """For chains of facts: follow rare names and identifiers found in the evidence, hop by hop.

        Each entity followed joins the query's weights, so the sentences of the next hop rank
        too. Returns the entities followed, in the order they were found.
        """
        asked = {t.lower() for t in analysis.key_terms()} | QUESTION_WORDS | STOPWORDS
        followed: list[str] = []
        for hop in range(1, max(2, context.budget.max_steps) + 1):
            fresh = []
            for item in pool.ranked(8):
                if item.score <= 0:
                    continue
                for token in map(_strip_stopwords, _ENTITY.findall(item.text)):
                    if token and token.lower() not in asked and token not in followed and token not in fresh:
                        fresh.append(token)
            fresh = [t for t in fresh if self._rare(t, pool, context)][:4]
            if not fresh:
                break
            for token in fresh:
                followed.append(token)
                context.progress(Progress("follow", token, hop))
                found, total = context.workspace.document_frequency(token, context.doc_ids)
                pool.weights.weights[token.lower()] = 0.8 * math.log((total + 1) / (found + 0.5))
                self._observe(context.use_tool("grep", {"pattern": token, "literal": True, "ignore_case": False}), pool, "grep")
            pool.rescore()
        context.trace.note("followed", followed)
        return followed

    def _rare(self, token: str, pool: EvidencePool, context: AgentContext) -> bool:
        """Worth following: in few chunks (a common word like 'VAR' or 'Table' leads everywhere)."""
        found, total = context.workspace.document_frequency(token, context.doc_ids)
        return 0 < found <= max(3, total * 0.2)

    def _chain_members(self, followed: list[str], pool: EvidencePool) -> Reading:
        """"Find all X linked to Y": the entities reached by following the chain from Y."""
        citations = []
        for token in followed:
            lines = [item for item in pool.ranked() if token in item.text]
            if lines:
                item = lines[0]
                citations.append(cite(item))
        return Reading(", ".join(followed), citations, note="entities reached by following the chain from the question")

    def _confident(self, pool: EvidencePool, weights: TermWeights, *, plural: bool = False) -> bool:
        """Do the best sentences cover most of the question's weighted terms?

        For plural questions ("the numbers for A, B and C") the answer is spread over several
        sentences, so what counts is what the near-best sentences cover together.
        """
        total = sum(weights.weights.values())
        if total <= 0:
            return False
        if not plural:
            return pool.best_score() >= CONFIDENT_COVERAGE * total
        best = pool.best_score()
        covered: set[str] = set()
        for item in pool.ranked(12):
            if item.score < 0.5 * best or item.score <= 0:
                break
            covered |= weights.matched(item.text)
        return sum(weights.weights[t] for t in covered) >= CONFIDENT_COVERAGE * total

    def _observe(self, result: ToolResult, pool: EvidencePool, source: str) -> int:
        if not result.ok or not result.data:
            return 0
        added = 0
        for item in result.data if isinstance(result.data, list) else []:
            if isinstance(item, SearchHit):
                added += pool.add_chunk(item.chunk, source)
            elif isinstance(item, GrepHit):
                page = pool.workspace.page(item.doc_id, item.page_index)
                added += pool.add_line(item.doc_id, page, item.line, source)
            elif hasattr(item, "char_start") and hasattr(item, "label"):  # a Page from read
                added += pool.add_page(item, source)
        return added

    def _aggregate(self, analysis: QueryAnalysis, context: AgentContext) -> Reading | None:
        docs = context.tools.documents()
        if len(docs) != 1:
            return None
        doc = docs[0]
        if analysis.top_n:
            context.progress(Progress("count", f"top {analysis.top_n} words"))
            result = context.use_tool("word_frequencies", {"top": analysis.top_n, "doc": doc.id, "skip_stopwords": True})
            if not result.ok or not result.data:
                return None
            words = [word for word, _ in result.data]
            citations = []
            for word in words[:3]:
                citation = context.first_line_citation(word, doc.id)
                if citation:
                    citations.append(citation)
            counts = ", ".join(f"{w} ({n})" for w, n in result.data)
            return Reading(", ".join(words), citations, note=f"counted with word_frequencies: {counts}")
        if analysis.count_target:
            context.progress(Progress("count", analysis.count_target))
            result = context.use_tool("count", {"pattern": analysis.count_target, "doc": doc.id})
            if not result.ok:
                return None
            total = result.data["total"]
            first = context.first_line_citation(analysis.count_target, doc.id) if total else None
            citations = [first] if first else []
            return Reading(f"{total} times", citations, note=result.text)
        return None

    # --- model-driven parts -------------------------------------------------------------
    def _constrained_loop(self, analysis: QueryAnalysis, pool: EvidencePool, context: AgentContext) -> int:
        runner = context.runner
        if "json_schema" not in runner.capabilities.constraints:
            return 0
        history: list[str] = []
        for step in range(1, context.budget.max_steps + 1):
            context.progress(Progress("step", "choosing an action", step, context.budget.max_steps))
            messages = CHOOSE_ACTION.render(
                question=analysis.question, evidence=pool.render(pool.ranked(5), max_chars=200),
                history="; ".join(history) or "none", step=step, max_steps=context.budget.max_steps,
            )
            action = context.constrained_action(messages, ACTION_SCHEMA, "action", max_tokens=60)
            if action is None:
                return step
            tool, argument = action.get("tool"), str(action.get("input", "")).strip()
            label = f"{tool}({argument!r})"
            if tool == "answer" or not argument or label in history:
                return step  # answering, or repeating itself: stop spending calls
            history.append(label)
            arguments = {"search": {"query": argument}, "grep": {"pattern": argument, "literal": True}, "read": {"pages": argument}}[tool]
            if tool == "read" and len(context.doc_ids) == 1:
                arguments["doc"] = context.doc_ids[0]
            self._observe(context.use_tool(tool, arguments), pool, tool)
            if self._confident(pool, pool.weights, plural=analysis.plural):
                return step
        return context.budget.max_steps

    def _native_loop(self, question: str, pool: EvidencePool, context: AgentContext) -> int:
        schemas = openai_tools(["search", "grep", "read", "count", "word_frequencies"])
        messages = [
            Message("system", "Use the tools to find evidence in the document for the question. "
                              "When you have enough evidence, reply with the answer."),
            Message("user", f"Question: {question}\n\nEvidence so far:\n{pool.render(pool.ranked(8))}"),
        ]
        for step in range(1, context.budget.max_steps + 1):
            context.progress(Progress("step", "model calling tools", step, context.budget.max_steps))
            try:
                completion = context.runner.complete(messages, max_tokens=300, tools=schemas)
            except BudgetExceeded as spent:
                context.trace.note("budget spent", str(spent))
                return step
            if not completion.tool_calls:
                return step
            messages.append(Message("assistant", completion.text, tool_calls=completion.tool_calls))
            for call in completion.tool_calls:
                result = context.use_tool(call.name, _json_or_empty(call.arguments))
                self._observe(result, pool, call.name)
                messages.append(Message("tool", result.text, tool_call_id=call.id, name=call.name))
        return context.budget.max_steps


def _strip_stopwords(name: str) -> str:
    words = name.split(" ")
    while words and words[-1].lower() in STOPWORDS:
        words.pop()
    while words and words[0].lower() in STOPWORDS:
        words.pop(0)
    return " ".join(words)


def _json_or_empty(arguments: str) -> dict:
    try:
        value = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        return {"__invalid_json__": arguments}
    return value if isinstance(value, dict) else {"__invalid_json__": arguments}


def _analysis_json(analysis: QueryAnalysis) -> dict:
    return {
        "kind": analysis.kind, "answer_type": analysis.answer_type, "plural": analysis.plural,
        "search_queries": analysis.search_queries(), "exact_patterns": analysis.exact_patterns(),
        "reasons": list(analysis.reasons),
    }


__all__ = ["ToolAgent", "NOT_FOUND"]
