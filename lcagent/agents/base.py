"""What every strategy receives and returns.

A strategy reads the workspace only through tools and talks to the model only through
the (traced) runner it is given; it reports progress through a callback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from lcagent.agents.reader import Reading
from lcagent.memory.traces import RunTrace
from lcagent.memory.workspace import Workspace
from lcagent.query.plan import QuestionPlan
from lcagent.records import Citation
from lcagent.runners.base import JsonSchema, RunnerError, RunnerUnavailable
from lcagent.runners.tracing import BudgetExceeded, TracingRunner
from lcagent.tools import ToolContext, ToolResult, call


@dataclass(frozen=True)
class Progress:
    """One line of live status: ``stage`` is e.g. 'search' or 'chunk'; i/n when counted."""

    stage: str
    detail: str = ""
    i: int | None = None
    n: int | None = None


@dataclass
class Budget:
    """What a run may spend; None: no limit. Each LLM call is estimated before it is made and
    refused when it might overshoot (see TracingRunner)."""

    max_steps: int = 6
    budget_tokens: int | None = None
    budget_calls: int | None = None
    budget_seconds: float | None = None


@dataclass
class AgentContext:
    workspace: Workspace
    doc_ids: Sequence[str]
    runner: TracingRunner
    trace: RunTrace
    budget: Budget = field(default_factory=Budget)
    progress: Callable[[Progress], None] = lambda event: None
    reader: str = "auto"  # "extractive", "generative" or "auto"
    plan: QuestionPlan | None = None  # the question's plan, analysed once per run

    @property
    def tools(self) -> ToolContext:
        return ToolContext(self.workspace, list(self.doc_ids))

    def use_tool(self, name: str, arguments: dict) -> ToolResult:
        """Run a tool and record it in the trace."""
        result = call(name, arguments, self.tools)
        self.trace.step(
            "tool", name, arguments, {"ok": result.ok, "text": result.text, "truncated": result.truncated},
            seconds=result.seconds,
        )
        return result

    def first_line_citation(self, text: str, doc_id: str | None = None) -> Citation | None:
        """The first stored line containing ``text`` verbatim, as a citation (None when none does)."""
        arguments = {"pattern": text, "literal": True}
        if doc_id:
            arguments["doc"] = doc_id
        hit = self.use_tool("grep", arguments)
        if not (hit.ok and hit.data):
            return None
        first = hit.data[0]
        return Citation(first.doc_id, first.page_index, first.page_label, first.text.strip())

    def constrained_action(self, messages, schema: dict, name: str, max_tokens: int) -> dict | None:
        """One JSON action from the model under ``schema``, or None when the token budget is spent
        or the output is unusable (both noted in the trace): the caller stops its loop."""
        try:
            completion = self.runner.complete(messages, max_tokens=max_tokens, constraint=JsonSchema(schema, name))
            return json.loads(completion.text)
        except BudgetExceeded as spent:
            # out of tokens: the caller answers from the evidence gathered so far rather than fail
            self.trace.note("budget spent", str(spent))
        except RunnerUnavailable:
            raise  # the server is gone: no later step can do better
        except (RunnerError, json.JSONDecodeError) as error:
            self.trace.note("action rejected", str(error))
        return None

    def reader_mode(self) -> str:
        return resolve_reader(self.reader, self.runner.name)


def resolve_reader(reader: str, runner_name: str) -> str:
    """``auto``: tiny local models cannot write reliable free-form answers; bigger served models can."""
    if reader != "auto":
        return reader
    return "extractive" if runner_name in {"local", "scripted"} else "generative"


class Strategy(Protocol):
    name: str

    def answer(self, question: str, context: AgentContext) -> Reading: ...
