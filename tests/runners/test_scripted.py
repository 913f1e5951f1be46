"""The scripted runner replays exactly what it was given and refuses scripts a real model could not produce."""

from __future__ import annotations

import pytest

from lcagent.runners.base import (
    Choice,
    Completion,
    ContextWindowExceeded,
    GenerationInterrupted,
    Grammar,
    JsonSchema,
    Request,
    RunnerError,
    ScriptExhausted,
    ToolCall,
    Verbatim,
    system,
    user,
)
from lcagent.runners.scripted import API_LIKE, LOCAL_LIKE, ScriptedRunner, ScriptedScriptError

SEARCH_TOOL = {"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}}


def test_replays_in_order_and_records_every_request():
    runner = ScriptedRunner(["first", "second"])
    one = runner.complete([system("be brief"), user("question one")], max_tokens=10)
    two = runner.complete([user("question two")], constraint=Choice(("second", "other")))

    assert [one.text, two.text] == ["first", "second"]
    assert [call.messages[-1].content for call in runner.calls] == ["question one", "question two"]
    assert runner.calls[0].max_tokens == 10
    assert runner.calls[1].constraint == Choice(("second", "other"))
    assert runner.remaining == 0
    assert runner.usage.llm_calls == 2
    assert one.prompt_tokens == runner.prompt_tokens(runner.calls[0].messages)
    assert one.completion_tokens == 1
    assert runner.usage.completion_tokens == 2
    assert one.model == "scripted"


def test_exhausted_script_says_how_many_and_what_was_asked():
    runner = ScriptedRunner(["only answer"])
    runner.complete([user("first question")])
    with pytest.raises(ScriptExhausted) as raised:
        runner.complete([user("Which page mentions the warranty period?"), ])
    message = str(raised.value)
    assert "1 response" in message and "call number 2" in message
    assert "Which page mentions the warranty" in message
    assert len(runner.calls) == 2  # the extra call is still recorded for the test to inspect


def test_function_sees_the_request():
    def answer(request: Request) -> str:
        return request.messages[-1].content.upper()

    runner = ScriptedRunner(fn=answer)
    assert runner.complete([user("shout")]).text == "SHOUT"
    assert runner.remaining == 0


def test_needs_exactly_one_of_responses_or_fn():
    with pytest.raises(ValueError):
        ScriptedRunner()
    with pytest.raises(ValueError):
        ScriptedRunner(["x"], fn=lambda request: "y")


def test_scripted_exception_is_raised_at_its_call_and_interrupts_are_counted():
    partial = Completion("half an ans", prompt_tokens=5, completion_tokens=3, seconds=0.1, finish_reason="interrupted")
    runner = ScriptedRunner(["ok", GenerationInterrupted(partial), RunnerError("server down")])
    assert runner.complete([user("a")]).text == "ok"
    with pytest.raises(GenerationInterrupted) as interrupted:
        runner.complete([user("b")])
    assert interrupted.value.partial.text == "half an ans"
    with pytest.raises(RunnerError, match="server down"):
        runner.complete([user("c")])
    assert runner.usage.llm_calls == 2  # the interrupted call's partial usage is kept


def test_completion_items_keep_their_fields():
    scripted = Completion("long", prompt_tokens=7, completion_tokens=99, seconds=1.5, finish_reason="length")
    completion = ScriptedRunner([scripted]).complete([user("q")])
    assert (completion.completion_tokens, completion.finish_reason, completion.seconds) == (99, "length", 1.5)


def test_choice_violation_is_a_script_error():
    runner = ScriptedRunner(["maybe"])
    with pytest.raises(ScriptedScriptError, match="not one of the Choice options"):
        runner.complete([user("yes or no?")], constraint=Choice(("yes", "no")))


def test_json_schema_is_checked():
    schema = {
        "type": "object",
        "properties": {"action": {"enum": ["search", "answer"]}, "query": {"type": "string"}},
        "required": ["action"],
        "additionalProperties": False,
    }
    good = ScriptedRunner(['{"action": "search", "query": "warranty"}'])
    assert good.complete([user("act")], constraint=JsonSchema(schema)).text.startswith("{")
    for bad, reason in [
        ('{"action": "dance"}', "must be one of"),
        ('{"query": "x"}', "missing required field 'action'"),
        ('{"action": "answer", "extra": 1}', "unexpected field 'extra'"),
        ("not json", "not valid JSON"),
    ]:
        with pytest.raises(ScriptedScriptError, match=reason):
            ScriptedRunner([bad]).complete([user("act")], constraint=JsonSchema(schema))


def test_verbatim_must_copy_a_source():
    constraint = Verbatim(("The warranty lasts two years.", "Returns within 30 days."))
    assert ScriptedRunner(["lasts two years"]).complete([user("q")], constraint=constraint).text == "lasts two years"
    with pytest.raises(ScriptedScriptError, match="not a verbatim span"):
        ScriptedRunner(["lasts three years"]).complete([user("q")], constraint=constraint)


def test_grammar_constraints_pass_through_unchecked():
    completion = ScriptedRunner(["anything"]).complete([user("q")], constraint=Grammar('root ::= "x"'))
    assert completion.text == "anything"


def test_pretended_capabilities_gate_constraints():
    runner = ScriptedRunner(["{}"], capabilities=API_LIKE)
    with pytest.raises(RunnerError, match="verbatim"):
        runner.complete([user("q")], constraint=Verbatim(("source",)))
    assert runner.calls == []  # refused before the script was consulted
    assert LOCAL_LIKE.verbatim and not LOCAL_LIKE.native_tools


def test_native_tool_calls_can_be_scripted():
    call = ToolCall(id="call_1", name="search", arguments='{"query": "warranty"}')
    runner = ScriptedRunner(
        [Completion("", 0, 0, 0.0, finish_reason="tool_calls", tool_calls=(call,))], capabilities=API_LIKE
    )
    completion = runner.complete([user("find it")], tools=[SEARCH_TOOL])
    assert completion.tool_calls == (call,)
    assert runner.calls[0].tools == (SEARCH_TOOL,)


def test_tool_calls_are_checked_against_what_was_offered():
    call = ToolCall(id="call_1", name="delete_everything", arguments="{}")
    scripted = Completion("", 0, 0, 0.0, finish_reason="tool_calls", tool_calls=(call,))
    with pytest.raises(ScriptedScriptError, match="did not offer"):
        ScriptedRunner([scripted], capabilities=API_LIKE).complete([user("q")], tools=[SEARCH_TOOL])
    with pytest.raises(ScriptedScriptError, match="native_tools=False"):
        ScriptedRunner([scripted]).complete([user("q")], tools=[SEARCH_TOOL])


def test_context_window_is_enforced_like_a_real_model():
    runner = ScriptedRunner(["never"], context_window=50)
    with pytest.raises(ContextWindowExceeded) as raised:
        runner.complete([user("word " * 60)], max_tokens=10)
    assert raised.value.context_window == 50 and raised.value.prompt_tokens > 50


def test_count_tokens_is_a_deterministic_word_and_punctuation_count():
    runner = ScriptedRunner([])
    assert runner.count_tokens("Hello, world!") == 4
    assert runner.count_tokens("") == 0
    assert runner.count_tokens("page 12 of 300") == 4


def test_complete_many_runs_every_request_in_order():
    runner = ScriptedRunner(fn=lambda request: request.messages[-1].content, max_parallel=4)
    requests = [Request((user(f"q{i}"),)) for i in range(6)]
    assert [c.text for c in runner.complete_many(requests)] == [f"q{i}" for i in range(6)]
    assert len(runner.calls) == 6


def test_tracing_labels_calls_and_goes_back_to_the_default_after_a_labelled_block():
    from lcagent.runners.tracing import TracingRunner

    recorded = []
    traced = TracingRunner(ScriptedRunner(responses=["a", "b", "c"]), lambda label, request, completion: recorded.append(label))
    traced.complete([user("x")])
    with traced.labelled("manager"):
        traced.complete([user("y")])
    traced.complete([user("z")])
    assert recorded == ["llm", "manager", "llm"]
    assert traced.usage.llm_calls == 3
