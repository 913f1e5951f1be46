"""``--strategy hypergraph``: multi-step retrieval over a hypergraph memory (after HGMem).

Each round retrieves passages for the current sub-queries (bm25), evolves the memory (entities
and a relation per passage become a memory unit joining them), reorganises it (units sharing
entities merge), then judges: answer now, deepen around one unit (the next queries are the
entities near it), or widen (new sub-queries for terms no unit covers). Entities come from a
deterministic extractor, plus a JSON-constrained model call whose names are kept only when they
occur in the passage. The answer is read from the units' source passages, with page citations.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Literal

from dataclasses import replace

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.agents.pipeline import EvidenceStrategy, support
from lcagent.agents.reader import Reading, cite
from lcagent.agents.tool_agent import confident
from lcagent.query import extract
from lcagent.query.plan import QuestionPlan
from lcagent.memory.hypergraph import HypergraphStore, MemoryUnit, SourceRef, entity_key
from lcagent.prompts import EXTRACT_ENTITIES, JUDGE_MEMORY
from lcagent.records import SearchHit
from lcagent.runners.base import JsonSchema, RunnerError
from lcagent.runners.tracing import BudgetExceeded
from lcagent.query.extract import terms
from lcagent.tools.text import clip, sentences

ENTITY_SCHEMA = {
    "type": "object",
    "properties": {
        "entities": {"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 8},
        "relation": {"type": "string", "maxLength": 200},
    },
    "required": ["entities", "relation"],
}
JUDGE_SCHEMA = {
    "type": "object",
    "properties": {
        "decision": {"type": "string", "enum": ["answer", "deepen", "widen"]},
        "unit": {"type": "integer"},
        "query": {"type": "string", "maxLength": 100},
    },
    "required": ["decision", "unit", "query"],
}
MAX_ENTITIES = 12


def extract_entities(text: str) -> dict[str, str]:
    """Names, identifiers and numbers in ``text`` → their kind (the package's one extractor)."""
    return extract.entities(text, limit=MAX_ENTITIES)


@dataclass(frozen=True)
class Judgement:
    decision: Literal["answer", "deepen", "widen"]
    queries: tuple[str, ...] = ()
    unit: int | None = None
    reason: str = ""


@dataclass
class _Round:
    """What one question has done so far: queries asked, chunks seen, units touched."""

    asked: list[str] = field(default_factory=list)
    seen_chunks: set[tuple[str, int]] = field(default_factory=set)
    touched: dict[int, MemoryUnit] = field(default_factory=dict)
    followed: list[str] = field(default_factory=list)


class HypergraphAgent(EvidenceStrategy):
    name = "hypergraph"
    description = "multi-step retrieval over a hypergraph memory: entities found in each hop steer the next retrieval"

    def __init__(self, rounds: int = 3, passages_per_query: int = 4, model_passages: int = 2,
                 judge: Literal["auto", "model", "rules"] = "auto") -> None:
        self.rounds = rounds
        self.passages_per_query = passages_per_query
        self.model_passages = model_passages
        self.judge_mode = judge
        self._state = _Round()

    def seed(self, plan: QuestionPlan, context: AgentContext) -> EvidencePool:
        # the rounds retrieve: the pool starts empty, weighted by the question
        self._state = _Round()
        return EvidencePool(context.workspace, TermWeights.for_question(context.workspace, plan, context.doc_ids))

    def gather(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> None:
        store, state = context.workspace.hypergraph, self._state
        # a question about several things starts with one query per thing it names
        queries = plan.search_queries()[: 4 if plan.aspects() else 2] or [plan.question]
        rounds = max(1, min(self.rounds, context.budget.max_steps))
        for number in range(1, rounds + 1):
            hits = self._retrieve(queries, state, pool, context)
            self._evolve(hits, plan, state, pool, store, context)
            merges = self._reorganise(store, state)
            judgement = self._judge(plan, state, pool, store, context, number == rounds)
            context.trace.note("hypergraph round", {
                "round": number, "queries": list(queries), "new_passages": len(hits),
                "units": sorted(state.touched), "merged": merges, "decision": judgement.decision,
                "next": list(judgement.queries), "reason": judgement.reason,
            })
            if judgement.decision == "answer" or not judgement.queries:
                break
            if judgement.decision == "deepen":
                self._follow(judgement.queries, pool, state, context)
            queries = list(judgement.queries)

    def read(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> Reading:
        context.progress(Progress("answer", "reading the memory units' sources"))
        state = self._state
        answer_pool, reading_plan = self._answer_pool(plan, state, pool, context.workspace.hypergraph, context)
        reading = super().read(reading_plan, answer_pool, context)
        if reading.found and reading.confidence is None and answer_pool is not pool:
            # a bridge: the answer sentence is about the bridge entity, so it is judged together
            # with the sentences that link that entity back to the question
            path = Reading(reading.text, reading.citations + self._bridge_citations(reading_plan, state, pool))
            reading.confidence = support(plan, path, pool)
        live = [u for u in state.touched.values() if u.status == "live"]
        reading.note = (reading.note + "; " if reading.note else "") + f"{len(live)} memory units, followed {state.followed}"
        return reading

    def _answer_pool(self, plan: QuestionPlan, state: _Round, pool: EvidencePool, store: HypergraphStore,
                     context: AgentContext) -> tuple[EvidencePool, QuestionPlan]:
        """For a chain that was followed: only the sources of the units connected to the question's
        anchor entities (a distractor matching the question's words but not the chain drops out),
        and the followed entities count as the question's own words (so the answer is the next hop)."""
        if plan.intent not in ("chain", "bridge") or not state.followed:
            return pool, plan
        anchors = list(plan.subjects)
        units: dict[int, MemoryUnit] = {}
        for doc_id in {u.doc_id for u in state.touched.values()}:
            for anchor in anchors:
                for unit in store.neighbourhood(doc_id, entity=anchor, depth=len(state.followed) + 2).units:
                    if unit.id in state.touched or any(u.id == unit.merged_into for u in state.touched.values()):
                        units[unit.id] = unit
        if not units:
            return pool, plan
        chain = [name for name in state.followed if any(entity_key(name) in {entity_key(e) for e in u.entities} for u in units.values())]
        restricted = EvidencePool(context.workspace, self._last_hop_weights(pool, chain))
        chunks = {(c.doc_id, c.ordinal): c for doc_id in {u.doc_id for u in units.values()} for c in context.workspace.chunks(doc_id)}
        for unit in units.values():
            for source in unit.sources:
                chunk = chunks.get((unit.doc_id, source.chunk_ordinal))
                if chunk is not None:
                    restricted.add_chunk(chunk, "memory")
        context.trace.note("hypergraph answer units", {"units": sorted(units), "chain": chain,
                                                       "weights": {t: round(w, 2) for t, w in restricted.weights.weights.items()}})
        if not chain:
            return restricted, plan
        # the last hop: the followed entities are what the answer is about now
        return restricted, replace(plan, subjects=(), terms=tuple(dict.fromkeys((*plan.terms, *(c.lower() for c in chain)))))

    @staticmethod
    def _bridge_citations(plan: QuestionPlan, state: _Round, pool: EvidencePool) -> list:
        """For each entity followed: the best sentence naming it (the link to the question)."""
        found = []
        for name in state.followed:
            naming = [item for item in pool.ranked(200) if name.lower() in item.text.lower() and item.score > 0]
            if naming:
                found.append(cite(naming[0]))
        return found

    @staticmethod
    def _last_hop_weights(pool: EvidencePool, chain: list[str]) -> TermWeights:
        """The question's words that led to a followed entity (they sit in the sentence that names
        it beside them) found the bridge, not the answer: they count a quarter, so the sentence
        about the entity that matches the rest of the question ranks first."""
        weights = dict(pool.weights.weights)
        question_terms = {t for t in weights if t not in {name.lower() for name in chain}}
        used: set[str] = set()
        for name in chain:
            bridging = [item for item in pool.items.values() if name.lower() in item.text.lower()]
            if bridging:
                best = max(bridging, key=lambda item: item.score)
                used |= pool.weights.matched(best.text) & question_terms
        for term in used:
            weights[term] *= 0.25
        return TermWeights(weights)

    # --- retrieve -----------------------------------------------------------------------
    def _retrieve(self, queries, state: _Round, pool: EvidencePool, context: AgentContext) -> list[SearchHit]:
        fresh: list[SearchHit] = []
        for query in queries:
            if query in state.asked:
                continue
            state.asked.append(query)
            context.progress(Progress("search", query))
            result = context.use_tool("search", {"query": query, "k": self.passages_per_query})
            for hit in result.data if result.ok and isinstance(result.data, list) else []:
                key = (hit.chunk.doc_id, hit.chunk.ordinal)
                if key not in state.seen_chunks:
                    state.seen_chunks.add(key)
                    pool.add_chunk(hit.chunk, "search")
                    fresh.append(hit)
        return fresh

    # --- evolve -------------------------------------------------------------------------
    def _evolve(self, hits, plan: QuestionPlan, state: _Round, pool: EvidencePool, store: HypergraphStore,
                context: AgentContext) -> None:
        scored = []
        for hit in hits:
            relevant = sorted(((pool.weights.score(s.text), s.text) for s in sentences(hit.chunk.text)), key=lambda p: -p[0])
            relevant = [text for score, text in relevant[:2] if score > 0]
            if relevant:
                scored.append((pool.weights.score(" ".join(relevant)), hit, relevant))
        scored.sort(key=lambda triple: -triple[0])
        use_model = "json_schema" in context.runner.capabilities.constraints
        for rank, (_, hit, relevant) in enumerate(scored):
            passage = " ".join(" ".join(relevant).split())
            kinds = extract_entities(passage)
            relation = ""
            if use_model and rank < self.model_passages:
                model_names, relation = self._model_entities(passage, plan, context)
                for name in model_names:
                    kinds.setdefault(name, "name")
            description = (relation + " — " if relation else "") + clip(passage, 300)
            source = SourceRef(hit.chunk.ordinal, hit.chunk.page_start, hit.chunk.page_end)
            existing = [u for u in state.touched.values() if u.status == "live" and source in u.sources]
            if existing:
                unit = store.update(existing[0].id, add_entities=kinds, kinds=kinds)
            else:
                unit = store.insert(hit.chunk.doc_id, description, kinds, [source], kinds=kinds)
            state.touched[unit.id] = unit

    def _model_entities(self, passage: str, plan: QuestionPlan, context: AgentContext) -> tuple[list[str], str]:
        try:
            completion = context.runner.complete(
                EXTRACT_ENTITIES.render(passage=passage, question=plan.question), max_tokens=120,
                constraint=JsonSchema(ENTITY_SCHEMA, "entities"),
            )
            data = json.loads(completion.text)
        except BudgetExceeded:
            raise
        except (RunnerError, json.JSONDecodeError) as error:
            context.trace.note("entity extraction rejected", str(error))
            return [], ""
        lowered = passage.lower()
        # a small model invents names: keep only those written in the passage
        names = list(dict.fromkeys(" ".join(str(n).split()) for n in data.get("entities", [])))  # it repeats itself
        kept = [n for n in names if len(n) >= 2 and n.lower() in lowered]
        relation = " ".join(str(data.get("relation", "")).split())
        return kept, relation if len(relation.split()) >= 3 else ""

    # --- reorganise ---------------------------------------------------------------------
    def _reorganise(self, store: HypergraphStore, state: _Round) -> list[int]:
        """Merge live units of this question that share two or more entities; return the new units."""
        merged_ids: list[int] = []
        while True:
            live = sorted((u for u in state.touched.values() if u.status == "live"), key=lambda u: u.id)
            pair = next(((a, b) for i, a in enumerate(live) for b in live[i + 1:]
                         if a.doc_id == b.doc_id and len({entity_key(e) for e in a.entities} & {entity_key(e) for e in b.entities}) >= 2),
                        None)
            if pair is None:
                return merged_ids
            merged = store.merge([pair[0].id, pair[1].id])
            for old in pair:
                state.touched[old.id] = store.unit(old.id)
            state.touched[merged.id] = merged
            merged_ids.append(merged.id)

    # --- judge --------------------------------------------------------------------------
    def _judge(self, plan: QuestionPlan, state: _Round, pool: EvidencePool, store: HypergraphStore,
               context: AgentContext, last: bool) -> Judgement:
        if last:
            return Judgement("answer", reason="last round")
        use_model = self.judge_mode == "model" or (self.judge_mode == "auto" and context.reader_mode() == "generative")
        if use_model and "json_schema" in context.runner.capabilities.constraints:
            judged = self._model_judge(plan, state, store, context)
            if judged is not None:
                return judged
        return self._rule_judge(plan, state, pool, store, context)

    def _rule_judge(self, plan: QuestionPlan, state: _Round, pool: EvidencePool, store: HypergraphStore, context) -> Judgement:
        covered = confident(pool)
        live = [u for u in state.touched.values() if u.status == "live"]
        if not live:
            return Judgement("widen", self._uncovered_queries(plan, state, pool, []), reason="no memory unit yet")
        # deepen from the unit holding the question's own names (the chain's anchor), if any
        anchors = {entity_key(n) for n in plan.subjects}
        anchored = [u for u in live if anchors & {entity_key(e) for e in u.entities}] or live
        best = max(anchored, key=lambda u: pool.weights.score(u.description))
        bridges = self._bridges(best, plan, state, store, context, pool)
        multi_hop = plan.intent in ("chain", "bridge")
        if covered and (not multi_hop or state.followed or not bridges):
            return Judgement("answer", reason="the best evidence covers the question's terms")
        if multi_hop and bridges:
            return Judgement("deepen", tuple(bridges), best.id, reason=f"a chain: follow entities near {best.label}")
        widen = self._uncovered_queries(plan, state, pool, live)
        if widen:
            return Judgement("widen", widen, reason="terms of the question no memory unit covers")
        if bridges:
            return Judgement("deepen", tuple(bridges), best.id, reason=f"follow entities near {best.label}")
        return Judgement("answer", reason="nothing new to look for")

    def _bridges(self, unit: MemoryUnit, plan: QuestionPlan, state: _Round, store: HypergraphStore,
                 context: AgentContext, pool: EvidencePool) -> list[str]:
        """Rare named entities near ``unit`` that the question does not name and no query has asked,
        those in the sentences closest to the question first (numbers and dates are not followed)."""
        asked = {t.lower() for t in plan.key_terms()} | {q.lower() for q in state.asked} | {n.lower() for n in plan.subjects}
        near = store.neighbourhood(unit.doc_id, unit_id=unit.id, depth=1).entities
        kinds = dict(store.vertices(unit.doc_id))
        fresh = []
        for name in near:
            if kinds.get(name) == "number" or name.lower() in asked or name in state.followed \
                    or any(w in asked for w in terms(name)) and len(terms(name)) == 1:
                continue
            found, total = context.workspace.document_frequency(name, context.doc_ids)
            if 0 < found <= max(3, total * W.RARE_SHARE):
                fresh.append(name)
        closeness = {name: max((item.score for item in pool.items.values() if name.lower() in item.text.lower()), default=0.0)
                     for name in fresh}
        return sorted(fresh, key=lambda name: -closeness[name])[:3]

    def _uncovered_queries(self, plan: QuestionPlan, state: _Round, pool: EvidencePool, live) -> tuple[str, ...]:
        covered = set()
        for unit in live:
            covered.update(terms(unit.description))
        missing = [t for t, w in pool.weights.weights.items() if w > 0 and t not in covered]
        query = " ".join(missing)
        if not missing or query in state.asked or any(set(missing) <= set(terms(q)) for q in state.asked[1:]):
            return ()
        return (query,)

    def _follow(self, entities, pool: EvidencePool, state: _Round, context: AgentContext) -> None:
        """Deepening: the followed entities join the question's weights, so the next hop's sentences rank."""
        for name in entities:
            if name in state.followed:
                continue
            state.followed.append(name)
            found, total = context.workspace.document_frequency(name, context.doc_ids)
            pool.weights.weights[name.lower()] = W.FOLLOWED_ENTITY * math.log((total + 1) / (found + 0.5))
        pool.rescore()

    def _model_judge(self, plan: QuestionPlan, state: _Round, store: HypergraphStore, context: AgentContext) -> Judgement | None:
        live = sorted((u for u in state.touched.values() if u.status == "live"), key=lambda u: u.id)
        units = "\n".join(f"{u.label}: {clip(u.description, 240)} (entities: {', '.join(u.entities[:8])})" for u in live[:10])
        try:
            completion = context.runner.complete(
                JUDGE_MEMORY.render(question=plan.question, units=units or "(none)", searches="; ".join(state.asked)),
                max_tokens=80, constraint=JsonSchema(JUDGE_SCHEMA, "judgement"),
            )
            data = json.loads(completion.text)
        except BudgetExceeded:
            raise
        except (RunnerError, json.JSONDecodeError) as error:
            context.trace.note("judgement rejected", str(error))
            return None
        decision = data.get("decision")
        if decision == "answer":
            return Judgement("answer", reason="the model judged the memory sufficient")
        if decision == "deepen":
            unit = next((u for u in live if u.id == data.get("unit")), None)
            if unit is None:
                return None
            near = [e for e in store.neighbourhood(unit.doc_id, unit_id=unit.id).entities if e not in state.followed]
            return Judgement("deepen", tuple(near[:3]), unit.id, reason=f"the model chose to deepen around {unit.label}")
        query = " ".join(str(data.get("query", "")).split())
        if not query or query in state.asked:
            return None  # the model's "new" query is not new: let the rules decide
        return Judgement("widen", (query,), reason="the model named an uncovered aspect")


__all__ = ["HypergraphAgent", "extract_entities", "Judgement"]
