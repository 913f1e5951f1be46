"""TracingRunner budgets: each call is estimated before it is made and refused if it might overshoot."""

from __future__ import annotations

import pytest

from lcagent.runners.base import Choice, Completion, Request, user
from lcagent.runners.scripted import ScriptedRunner
from lcagent.runners.tracing import BudgetExceeded, TracingRunner


def traced(inner, **budget) -> tuple[TracingRunner, list[str]]:
    labels: list[str] = []
    return TracingRunner(inner, lambda label, request, completion: labels.append(label), **budget), labels


def ask(runner, text: str, max_tokens: int = 10):
    return runner.complete([user(text)], max_tokens=max_tokens)


def test_token_budget_refuses_the_call_that_might_overshoot():
    inner = ScriptedRunner(["one two three", "four five six", "never"])
    prompt_tokens = inner.prompt_tokens([user("alpha beta")])
    per_call = prompt_tokens + 10  # the estimate: prompt counted plus max_tokens
    runner, _ = traced(inner, budget_tokens=2 * per_call)

    ask(runner, "alpha beta")
    ask(runner, "alpha beta")  # spent so far: 2 * (prompt + 3) < 2 * per_call, but a third might need per_call
    with pytest.raises(BudgetExceeded) as raised:
        ask(runner, "alpha beta")

    assert len(inner.calls) == 2  # the refused call never reached the model
    assert runner.usage.total_tokens == 2 * (prompt_tokens + 3) <= runner.budget_tokens
    assert raised.value.limit == "tokens" and raised.value.needed == per_call
    assert "--budget-tokens" in str(raised.value) and "not made" in str(raised.value)
    assert runner.budget_stop is raised.value


def test_call_budget_is_exact():
    inner = ScriptedRunner(["a", "b", "c"])
    runner, labels = traced(inner, budget_calls=2)
    ask(runner, "q1")
    ask(runner, "q2")
    with pytest.raises(BudgetExceeded, match="budget of 2 LLM calls"):
        ask(runner, "q3")
    assert [call.messages[-1].content for call in inner.calls] == ["q1", "q2"]
    assert labels == ["llm", "llm"] and inner.remaining == 1


def test_seconds_budget_estimates_the_next_call_from_the_measured_rate():
    now = [0.0]

    def respond(request):  # every call takes 2 s on the fake clock
        now[0] += 2.0
        return Completion("done", inner.prompt_tokens(request.messages), 1, 2.0)

    inner = ScriptedRunner(fn=respond)
    runner, _ = traced(inner, budget_seconds=5.0, clock=lambda: now[0])
    ask(runner, "same prompt", max_tokens=1)  # no rate measured yet: allowed, 0 s used
    ask(runner, "same prompt", max_tokens=1)  # 2 s used, about 2 s estimated: 4 <= 5
    with pytest.raises(BudgetExceeded) as raised:  # 4 s used + about 2 s > 5
        ask(runner, "same prompt", max_tokens=1)
    assert len(inner.calls) == 2 and now[0] == 4.0
    assert raised.value.limit == "seconds" and raised.value.needed == pytest.approx(2.0)
    assert "--budget-seconds" in str(raised.value)


def test_seconds_budget_already_spent_refuses_even_a_first_call():
    now = [10.0]
    runner, _ = traced(ScriptedRunner(["x"]), budget_seconds=3.0, clock=lambda: now[0])
    now[0] = 13.5  # tools took the time
    with pytest.raises(BudgetExceeded, match="time budget of 3 s"):
        ask(runner, "q")


def test_choice_is_estimated_at_its_longest_option():
    inner = ScriptedRunner(["yes"])
    runner, _ = traced(inner)
    request = Request((user("pick"),), max_tokens=1, constraint=Choice(("yes", "a much longer option")))
    assert runner.estimate(request).tokens == inner.prompt_tokens(request.messages) + len(b"a much longer option") + 1


def test_a_batch_is_made_whole_or_not_at_all_and_affordable_says_how_much_fits():
    inner = ScriptedRunner(["a", "b", "c", "d"], max_parallel=4)
    runner, labels = traced(inner, budget_calls=3)
    batch = [Request((user(f"part {n}"),), max_tokens=5) for n in range(4)]

    with pytest.raises(BudgetExceeded):
        runner.complete_many(batch)
    assert inner.calls == []

    reserve = [runner.estimate(Request((user("manager"),), max_tokens=5))]
    assert runner.affordable(batch, reserve=reserve) == 2  # 2 + the reserved call = 3
    assert runner.budget_stop is not None
    with runner.labelled("map worker"):
        runner.complete_many(batch[:2])
    assert labels == ["map worker", "map worker"] and len(inner.calls) == 2


def test_no_budget_never_refuses():
    runner, _ = traced(ScriptedRunner(["a"] * 3))
    for n in range(3):
        ask(runner, f"q{n}", max_tokens=8_000 if n else 1)
    assert runner.usage.llm_calls == 3 and runner.budget_stop is None
