"""The model-backed analyser: a capable model fills the same ``QuestionPlan`` under a JSON schema.

What it returns is checked against the question before it is used: every subject and option must
occur in the question (a model that invents one is overruled), enums must be valid, and any field
it gets wrong or leaves out keeps the rule-based analyser's value. So a model can only sharpen the
rules' plan, never replace a grounded plan with an invented one.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from lcagent.prompts import PLAN_QUESTION, QUERY_EXPANSION
from lcagent.query.analyser import Analyser, RuleAnalyser
from lcagent.query.plan import ANSWER_TYPES, INTENTS, QuestionPlan
from lcagent.runners.base import JsonSchema, Runner, RunnerError, RunnerUnavailable

PLAN_SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": list(INTENTS)},
        "answer_type": {"type": "string", "enum": list(ANSWER_TYPES)},
        "subjects": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 8},
        "relation": {"type": "string", "maxLength": 120},
        "qualifiers": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 4},
        "options": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 6},
        "k": {"type": "integer"},
        "direction": {"type": "string", "enum": ["forward", "backward", "none"]},
    },
    "required": ["intent", "answer_type", "subjects", "relation"],
}


class ModelAnalyser:
    """Asks ``runner`` for the plan; falls back to (and is checked against) the rule-based plan."""

    def __init__(self, runner: Runner, rules: Analyser | None = None) -> None:
        self.runner = runner
        self.rules = rules or RuleAnalyser()  # or any analyser whose plan the model may sharpen

    def analyse(self, question: str) -> QuestionPlan:
        plan = self.rules.analyse(question)
        if "json_schema" not in self.runner.capabilities.constraints:
            return plan
        try:
            completion = self.runner.complete(PLAN_QUESTION.render(question=plan.question), max_tokens=200,
                                              constraint=JsonSchema(PLAN_SCHEMA, "question_plan"))
            data = json.loads(completion.text)
        except RunnerUnavailable:
            raise  # a server that does not answer fails the run here as it would on the next call
        except (json.JSONDecodeError, RunnerError):
            return plan  # unusable output, or no room for the call (budget, window): the rules' plan stands
        return grounded(plan, data if isinstance(data, dict) else {})


EXPANSION_SCHEMA = {
    "type": "object",
    "properties": {"names": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 5}},
    "required": ["names"],
}
MAX_SYNONYM_WORDS = 8


def expand(plan: QuestionPlan, runner: Runner) -> QuestionPlan:
    """``plan`` with the other names a document may print for its relation, as the model proposes
    them (searched beside the question's own words, matched against table rows). Names that are
    the relation itself, name a subject, or run long are dropped; no usable reply changes nothing."""
    if not plan.relation or "json_schema" not in runner.capabilities.constraints:
        return plan
    try:
        completion = runner.complete(QUERY_EXPANSION.render(relation=plan.relation), max_tokens=120,
                                     constraint=JsonSchema(EXPANSION_SCHEMA, "expansions"))
        data = json.loads(completion.text)
    except RunnerUnavailable:
        raise
    except (json.JSONDecodeError, RunnerError):
        return plan
    names = data.get("names") if isinstance(data, dict) else None
    subjects = [s.lower() for s in plan.subjects]
    kept = []
    for name in names if isinstance(names, list) else []:
        name = " ".join(str(name).lower().split())
        if not name or name == plan.relation.lower() or len(name.split()) > MAX_SYNONYM_WORDS \
                or any(s in name for s in subjects) or not re.search(r"[a-z]{3}", name):
            continue
        kept.append(name)
    if not kept:
        return plan
    return replace(plan, synonyms=tuple(dict.fromkeys(kept))).with_reason("other names of the relation from the model")


def grounded(plan: QuestionPlan, data: dict) -> QuestionPlan:
    """``plan`` with the model's fields that the question bears out."""
    lowered = plan.question.lower()

    def in_question(values) -> tuple[str, ...] | None:
        values = [" ".join(str(v).split()) for v in values or [] if str(v).strip()]
        return tuple(values) if values and all(_word_in(v.lower(), lowered) for v in values) else None

    changes: dict = {"source": "model"}
    if data.get("intent") in INTENTS:
        changes["intent"] = data["intent"]
    if data.get("answer_type") in ANSWER_TYPES:
        changes["answer_type"] = data["answer_type"]
    subjects = in_question(data.get("subjects"))
    if subjects is not None:
        changes["subjects"] = subjects
    options = in_question(data.get("options"))
    if options is not None and len(options) >= 2:
        changes["options"] = options
    elif changes.get("intent") == "choose" and not plan.options:
        changes.pop("intent")  # a choice with nothing to choose from: keep the rules' intent
    qualifiers = in_question(data.get("qualifiers"))
    if qualifiers is not None:
        changes["qualifiers"] = qualifiers
    relation = " ".join(str(data.get("relation", "")).split())
    if relation and all(_word_in(word, lowered) for word in relation.lower().split()):
        changes["relation"] = relation
    if changes.get("intent", plan.intent) == "top_k" and isinstance(data.get("k"), int) and 0 < data["k"] <= 200:
        changes["k"] = data["k"]
    if changes.get("intent", plan.intent) == "chain" and data.get("direction") in ("forward", "backward"):
        changes["direction"] = data["direction"]
    updated = replace(plan, **changes)
    return updated.with_reason("plan checked against the question and filled by the model")


def _word_in(phrase: str, text: str) -> bool:
    return re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text) is not None
