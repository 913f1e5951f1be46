"""``--strategy memex``: a tool agent whose working context stays small.

Every full output of a tool the agent calls while gathering is archived in the indexed
experience memory (``lcagent.memory.memex``; the greps a reading operator makes for a second hop
are not: they are traced, and the finding the reading leads to is archived);
the model sees only the question, a compact index map, one-line summaries that name indices,
and a status line ``working context: N/BUDGET tokens``. It may *recall* an index (exact text
back) or *compress* (a summary that keeps every live index; the summarised notes are archived
as an exact span). Near the budget the agent compresses deterministically, so a small model
never has to. Entries persist per document: a later question reuses what earlier ones found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable

from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.agents.pipeline import EvidenceStrategy
from lcagent.agents.reader import Reading
from lcagent.agents.tool_agent import confident
from lcagent.memory.memex import MemexEntry, MemexError, MemexStore, TextRef
from lcagent.prompts import MEMEX_ACTION
from lcagent.query import analyse
from lcagent.query.plan import QuestionPlan
from lcagent.records import Chunk, GrepHit, Page, SearchHit
from lcagent.runners.base import Message
from lcagent.tools.base import ToolResult
from lcagent.tools.text import clip

MEMEX_ACTIONS = ("search", "grep", "read", "recall", "compress", "answer")
MEMEX_ACTION_SCHEMA = {
    "type": "object",
    "properties": {"tool": {"type": "string", "enum": list(MEMEX_ACTIONS)}, "input": {"type": "string", "maxLength": 200}},
    "required": ["tool", "input"],
}
WORKING_BUDGET = 4000
WARN_FRACTION = 0.8  # the status line warns, and the agent compresses, from here on
_INDEX_REF = re.compile(r"\bm\d+\b")


@dataclass
class WorkingContext:
    """What the model sees: the question, the index map, notes, and a status line."""

    question: str
    budget: int
    count_tokens: Callable[[str], int]
    notes: list[str] = field(default_factory=list)
    index_map: list[str] = field(default_factory=list)
    peak: int = 0
    _anchors: int = 0

    def add_note(self, text: str) -> str:
        """Append a note behind a unique anchor ``<sN>``; return the anchored note."""
        self._anchors += 1
        note = f"<s{self._anchors}> {text}"
        self.notes.append(note)
        return note

    def conversation(self) -> str:
        return "\n".join(self.notes)

    def tokens(self) -> int:
        return self.count_tokens("\n".join([self.question, *self.index_map, *self.notes])) + 40

    def status(self) -> str:
        used = self.tokens()
        line = f"working context: {used}/{self.budget} tokens"
        if used >= WARN_FRACTION * self.budget:
            line += " (near the budget: compress, or answer)"
        return line

    def render(self, step: int, max_steps: int, window: int | None = None) -> list[Message]:
        """The next request. The peak counts the whole working context; when that outgrows the
        model's ``window`` (only the no-memory baseline does), the oldest notes are left out."""
        notes = list(self.notes)
        while True:
            messages = MEMEX_ACTION.render(
                question=self.question, index_map="\n".join(self.index_map) or "(empty)",
                notes="\n".join(notes) or "(none yet)", status=self.status(), step=step, max_steps=max_steps,
            )
            tokens = sum(self.count_tokens(m.content) for m in messages)
            if len(notes) == len(self.notes):
                self.observe(tokens)
            if window is None or tokens <= window or not notes:
                return messages
            notes = ["[…earlier notes dropped to fit the window…]"] + notes[2:] if len(notes) > 1 else []

    def observe(self, tokens: int | None = None) -> None:
        self.peak = max(self.peak, tokens if tokens is not None else self.tokens())

    def near_budget(self) -> bool:
        return self.tokens() >= WARN_FRACTION * self.budget


class MemexAgent(EvidenceStrategy):
    """``memory=False`` keeps full tool outputs in the working context instead (the baseline
    a memory run is measured against); nothing is archived then."""

    name = "memex"
    description = "a tool agent whose working context holds an index of archived findings, reused by later questions"

    def __init__(self, working_budget: int = WORKING_BUDGET, *, memory: bool = True,
                 stop_when_confident: bool = True) -> None:
        self.working_budget = working_budget
        self.memory = memory
        self.stop_when_confident = stop_when_confident
        self._run: _Run | None = None

    def seed(self, plan: QuestionPlan, context: AgentContext) -> EvidencePool:
        scopes = list(context.doc_ids)  # each entry is filed under the document its text came from
        store = context.workspace.memex
        pool = EvidencePool(context.workspace, TermWeights.for_question(context.workspace, plan, context.doc_ids))
        working = WorkingContext(plan.question, self.working_budget, context.runner.count_tokens)
        run = self._run = _Run(context, store, scopes, pool, working, self.memory)
        reused = run.resume() if self.memory else []
        entries = sum(store.count(scope) for scope in scopes) if self.memory else 0
        context.trace.note("memex resume", {"entries": entries, "reused": reused})
        for tool, arguments in _seed_actions(plan):
            context.progress(Progress(tool, arguments.get("query") or arguments.get("pattern", "")))
            run.act(tool, arguments)
        return pool

    def gather(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> None:
        run = self._run
        steps = 0
        settled = run.settled_by(plan) if self.memory and self.stop_when_confident else None
        if settled:
            # an earlier question asked at least as much and its model judged this evidence enough
            context.trace.note("memex settled", {"finding": settled})
        elif not (self.stop_when_confident and confident(pool)):
            steps = self._model_loop(run, context)
        run.working.observe()
        context.trace.note("memex working context", {"peak_tokens": run.working.peak, "budget": run.working.budget,
                                                     "model_steps": steps, "memory": self.memory})

    def read(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading:
        reading = super().read(plan, pool, context)
        run = self._run
        if self.memory and reading.found:
            run.archive_finding(plan, reading)
        reading.note = (reading.note + "; " if reading.note else "") + f"peak working context {run.working.peak}/{run.working.budget} tokens"
        self.last_peak = run.working.peak
        return reading

    def _model_loop(self, run: "_Run", context: AgentContext) -> int:
        runner = context.runner
        if "json_schema" not in runner.capabilities.constraints:
            return 0
        taken: list[str] = []
        max_steps = context.budget.max_steps
        for step in range(1, max_steps + 1):
            if self.memory and run.working.near_budget():
                run.compress(None)
            context.progress(Progress("step", "choosing an action", step, max_steps))
            messages = run.working.render(step, max_steps, window=runner.context_window - 200)
            action = context.constrained_action(messages, MEMEX_ACTION_SCHEMA, "memex_action", max_tokens=80)
            if action is None:
                return step
            tool, argument = action.get("tool"), str(action.get("input", "")).strip()
            label = f"{tool}({argument!r})"
            if tool == "answer" or (label in taken and tool != "compress"):
                return step
            taken.append(label)
            if tool == "recall":
                run.recall(argument)
            elif tool == "compress":
                run.compress(argument or None)
            elif argument:
                arguments = {"search": {"query": argument, "k": 6}, "grep": {"pattern": argument, "literal": True},
                             "read": {"pages": argument}}[tool]
                if tool == "read" and len(context.doc_ids) == 1:
                    arguments["doc"] = context.doc_ids[0]
                run.act(tool, arguments)
            if self.stop_when_confident and confident(run.pool):
                return step
        return max_steps


@dataclass
class _Run:
    """One question's state: the tools it used, what it archived, and its working context."""

    context: AgentContext
    store: MemexStore
    scopes: list[str]  # the documents in scope: entries are filed under the one their text came from
    pool: EvidencePool
    working: WorkingContext
    memory: bool
    _chunks: dict[tuple[str, int], Chunk] = field(default_factory=dict)

    def resume(self) -> list[str]:
        """Load earlier entries that share the question's weighted terms into the evidence pool."""
        weights = self.pool.weights
        scored = []
        for entry in self._entries():
            score = weights.score(entry.description + " " + entry.content[:4000])
            if score > 0:
                scored.append((score, entry))
        scored.sort(key=lambda pair: -pair[0])
        chosen = [entry for _, entry in scored[:8]]
        for entry in chosen:
            self._load(entry.refs)
        self.refresh_map()
        return [entry.index for entry in chosen]

    def settled_by(self, plan: QuestionPlan) -> str | None:
        """The index of an earlier finding whose question had every weighted term of this one."""
        wanted = {term for term, weight in self.pool.weights.weights.items() if weight > 0}
        if not wanted:
            return None
        for entry in reversed(self._entries()):
            if entry.source == "finding" and entry.key and wanted <= set(analyse(entry.key[len("finding "):]).key_terms()):
                return entry.index
        return None

    def refresh_map(self) -> None:
        """The index map, most relevant entries first, kept to a third of the working budget."""
        if not self.memory:
            return
        entries = self._entries()
        weights = self.pool.weights
        ranked = sorted(entries, key=lambda e: (-weights.score(e.description), -int(e.index[1:])))
        shown, used = [], 0
        for entry in ranked:
            cost = self.working.count_tokens(entry.map_line())
            if used + cost > self.working.budget // 3:
                break
            shown.append(entry)
            used += cost
        lines = [e.map_line() for e in sorted(shown, key=lambda e: int(e.index[1:]))]
        if len(shown) < len(entries):
            lines.append(f"(+{len(entries) - len(shown)} older entries; `lcagent memory` lists all)")
        self.working.index_map = lines

    def act(self, tool: str, arguments: dict) -> None:
        key = f"{tool} {json.dumps(arguments, sort_keys=True)}"
        shown = arguments.get("query") or arguments.get("pattern") or arguments.get("pages")
        if self.memory:
            earlier = next((found for found in (self.store.find(scope, key) for scope in self.scopes) if found), None)
            if earlier is not None:  # archived by an earlier step or question: no tool call
                self._load(earlier.refs)
                self.working.add_note(f"{tool}({shown!r}) already in [{earlier.index}]")
                self.context.trace.note("memex reuse", {"index": earlier.index, "key": key})
                return
        result = self.context.use_tool(tool, arguments)
        refs = _refs(result)
        before = set(self.pool.items)
        self._load(refs)
        new_items = [self.pool.items[k] for k in self.pool.items.keys() - before]
        best = max(new_items, key=lambda item: item.score, default=None)
        gist = f"best {best.where()}: {clip(best.text, 100)}" if best else "nothing new"
        if not self.memory:
            self.working.add_note(f"{tool}({shown!r}):\n{result.text}")
            self.working.observe()
            return
        hits = len(result.data) if isinstance(result.data, list) else 0
        indices = [self.store.archive(doc_id, f"{tool} {shown!r}: {hits} hits; {gist}", result.text,
                                      source="tool", key=key, refs=doc_refs)
                   for doc_id, doc_refs in self._by_document(refs)]
        index = indices[0]
        self.working.add_note(f"{tool}({shown!r}) → [{index}] {gist}")
        self.refresh_map()
        self.working.observe()

    def recall(self, index: str) -> None:
        try:
            entry = self.store.entry(index)
        except MemexError as mistake:  # the model's mistake goes back to it as a note
            self.working.add_note(f"recall {index!r} failed: {mistake}")
            return
        self._load(entry.refs)
        room = max(200, self.working.budget - self.working.tokens() - 200)
        text = entry.content
        if self.working.count_tokens(text) > room:
            text = clip(text, room * 3) + f" (the rest stays in [{entry.index}])"
        self.working.add_note(f"recall [{entry.index}]:\n{text}")
        self.working.observe()

    def compress(self, summary: str | None) -> None:
        """Replace the notes by one summary naming every live index; the notes are archived as an
        exact span of the conversation (from the first note's anchor through the last note)."""
        notes = self.working.notes
        if not notes:
            return
        conversation = self.working.conversation()
        live = list(dict.fromkeys(_INDEX_REF.findall(conversation)))
        first_anchor = notes[0].split(" ", 1)[0]
        span_index = self.store.archive_span(self.scopes[0], conversation, first_anchor, notes[-1],
                                             f"notes {first_anchor}..{notes[-1].split(' ', 1)[0]} ({len(notes)} steps)")
        if not summary:
            best = self.pool.ranked(1)
            summary = f"{len(notes)} steps so far" + (f"; best evidence {best[0].where()}: {clip(best[0].text, 120)}" if best else "")
        missing = [index for index in live if index not in summary]
        if missing:
            summary += " (indices: " + ", ".join(missing) + ")"
        self.working.notes = []
        self.working.add_note(f"summary [{span_index}]: {summary}")
        self.refresh_map()
        self.context.trace.note("memex compress", {"span": span_index, "live": live, "summary": summary})

    def archive_finding(self, plan: QuestionPlan, reading: Reading) -> None:
        refs = [TextRef(c.doc_id, "page", c.page_index) for c in reading.citations if c.doc_id and c.page_index]
        quotes = "\n".join(c.render() for c in reading.citations)
        for doc_id, doc_refs in self._by_document(refs):
            self.store.archive(doc_id, f"finding: {clip(plan.question, 60)} → {clip(reading.text, 40)}",
                               f"Q: {plan.question}\nA: {reading.text}\n{quotes}", source="finding",
                               key=f"finding {plan.question}", refs=doc_refs)

    def _entries(self) -> list[MemexEntry]:
        """Entries of every document in scope, oldest first."""
        entries = [entry for scope in self.scopes for entry in self.store.entries(scope)]
        return sorted(entries, key=lambda entry: int(entry.index[1:]))

    def _by_document(self, refs) -> list[tuple[str, list]]:
        """``refs`` grouped by document (a collection question files each part under its own
        document, so a follow-up about one of them finds it); no refs: the first document."""
        grouped: dict[str, list] = {}
        for ref in refs:
            grouped.setdefault(ref.doc_id, []).append(ref)
        return list(grouped.items()) or [(self.scopes[0], [])]

    def _load(self, refs) -> None:
        workspace = self.context.workspace
        for ref in refs:
            if ref.kind == "chunk":
                chunk = self._chunk(ref.doc_id, ref.number)
                if chunk is not None:
                    self.pool.add_chunk(chunk, "memory")
            elif ref.kind == "page":
                self.pool.add_page(workspace.page(ref.doc_id, ref.number), "memory")
            else:
                self.pool.add_line(ref.doc_id, workspace.page(ref.doc_id, ref.number), ref.line, "memory")

    def _chunk(self, doc_id: str, ordinal: int) -> Chunk | None:
        if (doc_id, ordinal) not in self._chunks:
            for chunk in self.context.workspace.chunks(doc_id):
                self._chunks[(doc_id, chunk.ordinal)] = chunk
        return self._chunks.get((doc_id, ordinal))


def _seed_actions(plan: QuestionPlan) -> list[tuple[str, dict]]:
    actions = [("search", {"query": query, "k": 6}) for query in plan.search_queries()[:3]]
    actions += [("grep", {"pattern": pattern, "literal": True}) for pattern in plan.exact_patterns()[:4]]
    return actions


def _refs(result: ToolResult) -> list[TextRef]:
    refs: list[TextRef] = []
    for item in result.data if result.ok and isinstance(result.data, list) else []:
        if isinstance(item, SearchHit):
            refs.append(TextRef(item.chunk.doc_id, "chunk", item.chunk.ordinal))
        elif isinstance(item, GrepHit):
            refs.append(TextRef(item.doc_id, "line", item.page_index, item.line))
        elif isinstance(item, Page):
            refs.append(TextRef(item.doc_id, "page", item.index))
    return refs


__all__ = ["MemexAgent", "WorkingContext", "WORKING_BUDGET", "MemexEntry"]
