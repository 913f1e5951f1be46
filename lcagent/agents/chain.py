"""Chain of Agents (Zhang et al., 2024) and its map-reduce variant.

Chain: the document is cut into windows that fit the runner; worker i reads window i, the
question and the previous communication unit, and writes the next unit; a manager answers
from the last unit. The loop is a LangGraph graph checkpointed in the workspace, so an interrupted
run resumes at the window where it stopped (``lcagent ask --resume RUN_ID``).
Map-reduce: workers read their windows independently (concurrently where the runner can),
and reduce steps merge their notes until they fit one window; its map step is checkpointed the
same way, so it resumes too.
Both stop reading when the budget would not also pay for the manager's answer, and answer from
the notes they have (the run is then marked partial and can be resumed with a larger budget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict

from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.fitting import truncate_middle
from lcagent.query import analyse
from lcagent.agents.citations import QuoteChecker
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.agents.generative import supporting_quote
from lcagent.agents.reader import NOT_FOUND, Reading, is_not_found
from lcagent.chunking import ChunkSettings, chunk_text
from lcagent.memory.workspace import WorkspaceError
from lcagent.prompts import CHAIN_MANAGER, CHAIN_WORKER, MAP_WORKER, REDUCE
from lcagent.records import Citation
from lcagent.runners.base import Request, RunnerError
from lcagent.runners.tracing import BudgetExceeded, CallEstimate
from lcagent.tokens import get_encoding

MAX_UNIT_TOKENS = 400  # the most a worker may write as its communication unit
MANAGER_MAX_TOKENS = 150
_NOTE_LINE = re.compile(r"p\.\s*(\d+)\s*(?:\([^)]*\))?\s*:\s*(.+)")


@dataclass(frozen=True)
class Window:
    doc_id: str
    char_start: int
    char_end: int
    page_start: int
    page_end: int


def unit_tokens(context_window: int) -> int:
    """The communication unit's size: a sixth of the window, at most MAX_UNIT_TOKENS."""
    return max(32, min(MAX_UNIT_TOKENS, context_window // 6))


def windows(context: AgentContext, reserve_tokens: int) -> list[Window]:
    """Cut the documents into windows of what fits the runner after ``reserve_tokens``."""
    runner = context.runner
    budget_model_tokens = runner.context_window - reserve_tokens
    if budget_model_tokens < 64:
        raise RunnerError(
            f"the {runner.context_window}-token window of {runner.describe()} leaves no room to read the document "
            "in parts; use a model with a larger context or --strategy tools"
        )
    encoding = get_encoding()
    cut: list[Window] = []
    for doc_id in context.doc_ids:
        pages = context.workspace.pages(doc_id)
        text = "\n".join(p.text for p in pages)
        sample = text[:20000] or "x"
        # windows are cut in cl100k tokens; scale by how many model tokens one cl100k token is
        ratio = max(0.5, runner.count_tokens(sample) / max(1, len(encoding.encode_ordinary(sample))))
        size = max(64, int(budget_model_tokens / ratio * 0.95))
        for chunk in chunk_text(text, encoding, ChunkSettings(size, 0), doc_id=doc_id, page_starts=[p.char_start for p in pages]):
            cut.append(Window(doc_id, chunk.char_start, chunk.char_end, chunk.page_start, chunk.page_end))
    return cut


def _window_text(context: AgentContext, window: Window, cache: dict[str, str]) -> str:
    if window.doc_id not in cache:
        cache[window.doc_id] = context.workspace.text(window.doc_id)
    return cache[window.doc_id][window.char_start : window.char_end]


def _pages(window: Window) -> str:
    return str(window.page_start) if window.page_start == window.page_end else f"{window.page_start}-{window.page_end}"


def _reserve(context: AgentContext, question: str) -> int:
    overhead = context.runner.prompt_tokens(
        CHAIN_WORKER.render(part=99, parts=99, pages="999-999", chunk="", question=question, previous="")
    )
    return overhead + 2 * unit_tokens(context.runner.context_window) + 16


def notes_to_citations(notes: str, doc_ids) -> list[Citation]:
    """Quotes a worker wrote as 'p. 12: ...' lines; the checker later keeps only real ones."""
    citations = []
    for line in notes.splitlines():
        match = _NOTE_LINE.search(line)
        if match:
            citations.append(Citation(doc_ids[0] if len(doc_ids) == 1 else "", int(match.group(1)), "", match.group(2).strip()))
    return citations


def _manager_request(question: str, notes: str) -> Request:
    return Request(tuple(CHAIN_MANAGER.render(notes=notes or "(no notes)", question=question)), max_tokens=MANAGER_MAX_TOKENS)


def _manager_reserve(context: AgentContext, question: str, notes_tokens: int) -> CallEstimate:
    """What the manager's answer may cost once the notes hold ``notes_tokens`` more tokens: the
    budget keeps this much back while workers read."""
    return context.runner.estimate(_manager_request(question, ""), extra_prompt_tokens=notes_tokens)


def _manager(context: AgentContext, question: str, notes: str) -> Reading:
    context.progress(Progress("manager", "writing the answer"))
    with context.runner.labelled("manager"):
        completion = context.runner.run(_manager_request(question, notes))
    answer = completion.text.strip().split("\n")[0].strip()
    if is_not_found(answer):
        return Reading(NOT_FOUND, found=False)
    citations = notes_to_citations(notes, list(context.doc_ids))
    kept, _ = QuoteChecker(context.workspace, context.doc_ids).check(citations)
    if not kept:
        try:
            grounded = _grounded_quote(context, question, answer, citations)
        except BudgetExceeded as spent:  # the answer stands; only its supporting quote is missing
            context.trace.note("budget spent", str(spent))
            grounded = None
        if grounded is not None:
            context.trace.note("grounded quote", {"notes_quotes": len(citations), "quote": grounded.quote})
            citations.append(grounded)
    return Reading(answer, citations)


def _grounded_quote(context: AgentContext, question: str, answer: str, noted: list[Citation]) -> Citation | None:
    """When no quote in the notes is real: the sentence of the pages the notes named (else the
    pages bm25 finds for question and answer) that best supports the answer, copied from the page,
    or decoded under the verbatim constraint when the runner has one, so it is a real span."""
    analysis = analyse(f"{question} {answer}")
    pool = EvidencePool(context.workspace, TermWeights.for_question(context.workspace, analysis, context.doc_ids))
    pages = {(c.doc_id or context.doc_ids[0], c.page_index) for c in noted if c.page_index}
    if not pages:
        result = context.use_tool("search", {"query": f"{question} {answer}", "k": 4})
        hits = result.data if result.ok and isinstance(result.data, list) else []
        pages = {(h.chunk.doc_id, index) for h in hits for index in range(h.chunk.page_start, h.chunk.page_end + 1)}
    for doc_id, index in sorted(pages)[:8]:
        try:
            pool.add_page(context.workspace.page(doc_id, index), "notes")
        except WorkspaceError:  # a page number the model made up
            continue
    items = [item for item in pool.ranked(6) if item.score > 0]
    if not items:
        return None
    return supporting_quote(context.runner, items, answer, analysis)


def _checkpointed(context: AgentContext, graph: Any, fresh_state: dict, steps: int, cut_id: str) -> tuple[dict, BudgetExceeded | None]:
    """Run ``graph`` checkpointed under the run's id: from its last checkpoint when the run was
    interrupted (or stopped by its budget) before, else from ``fresh_state``. Returns the final
    state, or the last checkpointed one and the refusal when the budget stopped it; the
    checkpoint then stays, so ``lcagent ask --resume`` continues from there."""
    with context.workspace.checkpointer() as checkpointer:
        app = graph.compile(checkpointer=checkpointer)
        config = {"configurable": {"thread_id": context.trace.run_id}, "recursion_limit": steps + 10}
        state = app.get_state(config)
        try:
            if state.next:  # an interrupted run: continue from its last checkpoint
                if state.values.get("cut") != cut_id:
                    raise RunnerError(
                        "this run was cut into windows for another model's context window; resume it with the "
                        "same --model it started with"
                    )
                context.trace.note("resume", {"from_window": state.values.get("i", 0) + 1})
                return app.invoke(None, config), None
            return app.invoke(fresh_state, config), None
        except BudgetExceeded as spent:
            return dict(app.get_state(config).values), spent


def _stopped_by_budget(context: AgentContext, spent: BudgetExceeded, read: int, total: int) -> None:
    """Note where the budget stopped the reading; before any window was read there is nothing to answer from."""
    context.trace.note("budget stop", {"windows_read": read, "windows": total, "reason": str(spent)})
    context.progress(Progress("budget", f"stopped after {read} of {total} windows"))
    if read == 0:
        raise spent


def _partial_answer(context: AgentContext, question: str, notes: str) -> Reading:
    """The manager's answer from the notes a budget-stopped run has; none noted: not found (so far)."""
    if not notes.strip():
        return Reading(NOT_FOUND, found=False, note="nothing relevant in the windows read before the budget stopped")
    return _manager(context, question, notes)


class ChainState(TypedDict):
    question: str
    i: int
    notes: str
    cut: str  # fingerprint of the window boundaries, so a resume reads the same windows


def _fingerprint(cut: list[Window]) -> str:
    import hashlib

    return hashlib.sha256(repr([(w.doc_id, w.char_start, w.char_end) for w in cut]).encode()).hexdigest()[:16]


class ChainOfAgents:
    name = "chain"

    def answer(self, question: str, context: AgentContext) -> Reading:
        from langgraph.graph import END, START, StateGraph

        cut = windows(context, _reserve(context, question))
        cache: dict[str, str] = {}
        runner = context.runner
        unit = unit_tokens(runner.context_window)

        def worker(state: ChainState) -> dict:
            i = state["i"]
            window = cut[i]
            context.progress(Progress("chunk", f"pages {_pages(window)}", i + 1, len(cut)))
            messages = CHAIN_WORKER.render(
                part=i + 1, parts=len(cut), pages=_pages(window), chunk=_window_text(context, window, cache),
                question=question, previous=state["notes"] or "(none)",
            )
            request = Request(tuple(messages), max_tokens=unit)
            # the worker's notes (at most a unit) go to the manager: keep its answer affordable
            runner.check([request], reserve=[_manager_reserve(context, question, unit)])
            with runner.labelled(f"worker {i + 1}/{len(cut)}"):
                completion = runner.run(request)
            return {"i": i + 1, "notes": completion.text.strip() or state["notes"]}

        def route(state: ChainState) -> str:
            return "worker" if state["i"] < len(cut) else END

        graph = StateGraph(ChainState)
        graph.add_node("worker", worker)
        graph.add_edge(START, "worker")
        graph.add_conditional_edges("worker", route, ["worker", END])
        cut_id = _fingerprint(cut)
        fresh = {"question": question, "i": 0, "notes": "", "cut": cut_id}
        final, spent = _checkpointed(context, graph, fresh, len(cut), cut_id)
        if spent is not None:
            _stopped_by_budget(context, spent, final.get("i", 0), len(cut))
            return _partial_answer(context, question, final.get("notes", ""))
        return _manager(context, question, final["notes"])


MAX_REDUCE_ROUNDS = 4


def _pack(notes: list[str], budget: int, count) -> list[list[str]]:
    """Consecutive notes grouped so each group fits ``budget``; an oversized note is cut to fit."""
    groups: list[list[str]] = []
    current: list[str] = []
    used = 0
    for note in notes:
        cost = count(note) + 2
        if cost > budget:
            note = truncate_middle(note, budget - 2, count)
            cost = budget
        if current and used + cost > budget:
            groups.append(current)
            current, used = [], 0
        current.append(note)
        used += cost
    if current:
        groups.append(current)
    return groups


class MapState(TypedDict):
    question: str
    i: int  # windows mapped so far
    notes: list[str]  # what the mapped windows found, in window order
    cut: str


class MapReduce:
    name = "mapreduce"

    def answer(self, question: str, context: AgentContext) -> Reading:
        from langgraph.graph import END, START, StateGraph

        runner = context.runner
        cut = windows(context, _reserve(context, question))
        cache: dict[str, str] = {}
        unit = unit_tokens(runner.context_window)
        batch_size = max(1, runner.max_parallel)
        notes_room = runner.context_window - _reserve(context, question)  # the most notes the manager reads

        def map_request(i: int) -> Request:
            window = cut[i]
            messages = MAP_WORKER.render(part=i + 1, parts=len(cut), pages=_pages(window),
                                         chunk=_window_text(context, window, cache), question=question)
            return Request(tuple(messages), max_tokens=unit)

        def map_batch(state: MapState) -> dict:
            # one checkpoint per batch: a resumed run maps only the windows not yet mapped
            first = state["i"]
            batch = [map_request(i) for i in range(first, min(first + batch_size, len(cut)))]
            # the manager reads the notes so far plus what this batch may add, reduced to fit its window
            noted = runner.count_tokens("\n".join(state["notes"])) + unit * len(batch)
            reserve = [_manager_reserve(context, question, min(noted, notes_room))]
            affordable = runner.affordable(batch, reserve=reserve)
            if affordable == 0:
                runner.check(batch[:1], reserve=reserve)  # raises BudgetExceeded: the checkpoint stays
            context.progress(Progress("map", f"{len(cut)} windows", first, len(cut)))
            with runner.labelled("map worker"):
                completions = runner.complete_many(batch[:affordable])
            found = [c.text.strip() for c in completions if c.text.strip() and "nothing relevant" not in c.text.lower()]
            # a batch the budget covered only in part: the next step finds nothing affordable and stops
            return {"i": first + affordable, "notes": state["notes"] + found}

        def route(state: MapState) -> str:
            return "map" if state["i"] < len(cut) else END

        graph = StateGraph(MapState)
        graph.add_node("map", map_batch)
        graph.add_edge(START, "map")
        graph.add_conditional_edges("map", route, ["map", END])
        cut_id = _fingerprint(cut)
        fresh = {"question": question, "i": 0, "notes": [], "cut": cut_id}
        mapped, spent = _checkpointed(context, graph, fresh, -(-len(cut) // batch_size), cut_id)
        notes = list(mapped.get("notes", []))
        context.trace.note("map", {"windows": len(cut), "mapped": mapped.get("i", 0), "relevant": len(notes)})
        if spent is not None:
            _stopped_by_budget(context, spent, mapped.get("i", 0), len(cut))
            return _partial_answer(context, question, _reduce(context, question, notes, unit) if notes else "")
        return _manager(context, question, _reduce(context, question, notes, unit))


def _reduce(context: AgentContext, question: str, notes: list[str], unit: int) -> str:
    """Merge notes until they fit one window; notes the model (or the budget) would not shrink
    are cut to fit, keeping their head and tail."""
    runner = context.runner
    budget = runner.context_window - _reserve(context, question)
    for round_number in range(1, MAX_REDUCE_ROUNDS + 1):
        if runner.count_tokens("\n".join(notes)) <= budget:
            break
        groups = _pack(notes, budget, runner.count_tokens)
        requests = [Request(tuple(REDUCE.render(notes="\n".join(group), question=question)), max_tokens=unit) for group in groups]
        try:
            runner.check(requests, reserve=[_manager_reserve(context, question, budget)])
        except BudgetExceeded as spent:  # answer from the notes cut to fit instead
            context.trace.note("budget stop", {"reduce_round": round_number, "reason": str(spent)})
            break
        context.progress(Progress("reduce", f"round {round_number}", 0, len(groups)))
        with runner.labelled(f"reduce round {round_number}"):
            merged = runner.complete_many(requests)
        notes = [m.text.strip() for m in merged if m.text.strip()]
    joined = "\n".join(notes)
    if runner.count_tokens(joined) > budget:  # the model would not shrink its notes: keep what fits
        context.trace.note("reduce", {"truncated_notes_to_tokens": budget})
        joined = truncate_middle(joined, budget, runner.count_tokens)
    return joined
