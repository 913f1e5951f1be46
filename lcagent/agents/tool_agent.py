"""``--strategy tools``: search, grep and read until the evidence covers the question.

The plan seeds the first searches (so a small model starts from good evidence); when the seeded
evidence already covers the question's weighted terms no LLM call is spent on planning.
Otherwise the model chooses further actions under a JSON schema of the tools, or calls tools
natively where the runner can.
"""

from __future__ import annotations

import json

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.evidence import EvidencePool
from lcagent.agents.pipeline import EvidenceStrategy
from lcagent.agents.seeding import observe
from lcagent.prompts import CHOOSE_ACTION
from lcagent.query.plan import QuestionPlan
from lcagent.runners.base import Message
from lcagent.runners.tracing import BudgetExceeded
from lcagent.tools import openai_tools

ACTIONS = ("search", "grep", "read", "answer")
ACTION_SCHEMA = {
    "type": "object",
    "properties": {"tool": {"type": "string", "enum": list(ACTIONS)}, "input": {"type": "string", "maxLength": 120}},
    "required": ["tool", "input"],
}


def confident(pool: EvidencePool, *, plural: bool = False) -> bool:
    """Do the best sentences cover most of the question's weighted terms?

    For plural questions the answer is spread over several sentences, so what counts is what
    the near-best sentences cover together.
    """
    weights = pool.weights
    total = weights.total()
    if total <= 0:
        return False
    if not plural:
        return pool.best_score() >= W.CONFIDENT_COVERAGE * total
    best = pool.best_score()
    covered: set[str] = set()
    for item in pool.ranked(12):
        if item.score < 0.5 * best or item.score <= 0:
            break
        covered |= weights.matched(item.text)
    return sum(weights.weights[t] for t in covered) >= W.CONFIDENT_COVERAGE * total


class ToolAgent(EvidenceStrategy):
    name = "tools"
    description = "search, grep and read until the evidence covers the question; counts and chains computed"

    def gather(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> None:
        if context.runner.capabilities.native_tools:
            # a model that calls tools natively is strong enough to judge the evidence itself
            steps = self._native_loop(plan, pool, context)
        elif plan.intent != "bridge" and not confident(pool, plural=plan.plural):
            # (a bridge's answer spans two sentences, so no one sentence is "confident": its
            # operator greps for the entity the first hop names instead of asking the model)
            steps = self._constrained_loop(plan, pool, context)
        else:
            steps = 0
        context.trace.note("model steps", steps)

    def _constrained_loop(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> int:
        if "json_schema" not in context.runner.capabilities.constraints:
            return 0
        history: list[str] = []
        max_steps = context.budget.max_steps
        for step in range(1, max_steps + 1):
            context.progress(Progress("step", "choosing an action", step, max_steps))
            messages = CHOOSE_ACTION.render(
                question=plan.question, evidence=pool.render(pool.ranked(5), max_chars=200),
                history="; ".join(history) or "none", step=step, max_steps=max_steps,
            )
            action = context.constrained_action(messages, ACTION_SCHEMA, "action", max_tokens=60)
            if action is None:
                return step
            tool, argument = action.get("tool"), str(action.get("input", "")).strip()
            label = f"{tool}({argument!r})"
            if tool == "answer" or not argument or label in history:
                return step  # answering, or repeating itself: stop spending calls
            history.append(label)
            arguments = {"search": {"query": argument}, "grep": {"pattern": argument, "literal": True},
                         "read": {"pages": argument}}[tool]
            if tool == "read" and len(context.doc_ids) == 1:
                arguments["doc"] = context.doc_ids[0]
            observe(context.use_tool(tool, arguments), pool, tool)
            if confident(pool, plural=plan.plural):
                return step
        return max_steps

    def _native_loop(self, plan: QuestionPlan, pool: EvidencePool, context: AgentContext) -> int:
        schemas = openai_tools(["search", "grep", "read", "count", "word_frequencies"])
        messages = [
            Message("system", "Use the tools to find evidence in the document for the question. "
                              "When you have enough evidence, reply with the answer."),
            Message("user", f"Question: {plan.question}\n\nEvidence so far:\n{pool.render(pool.ranked(8))}"),
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
                observe(result, pool, call.name)
                messages.append(Message("tool", result.text, tool_call_id=call.id, name=call.name))
        return context.budget.max_steps


def _json_or_empty(arguments: str) -> dict:
    try:
        value = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        return {"__invalid_json__": arguments}
    return value if isinstance(value, dict) else {"__invalid_json__": arguments}


__all__ = ["ToolAgent", "confident"]
