"""The tool agent's trajectories with a scripted runner: what it searched, asked and stored."""

import json

from lcagent import api
from lcagent.memory.traces import load_run
from lcagent.runners.base import Choice, Completion, JsonSchema, ToolCall
from lcagent.runners.scripted import API_LIKE, ScriptedRunner


def steps_of(ws, answer):
    return load_run(ws, answer.run_id)[1]


def test_covered_question_is_answered_from_tools_alone(guide):
    ws, doc = guide
    runner = ScriptedRunner([])  # any LLM call would raise ScriptExhausted
    answer = api.ask(doc.id, "In which year was the Harrow Point light automated?", model=runner, workspace=ws)
    assert answer.text == "1987"
    assert answer.strategy == "tools" and "specific fact" in answer.strategy_reason
    assert runner.calls == [] and answer.usage.llm_calls == 0
    [citation] = answer.citations
    assert (citation.page_index, citation.page_label) == (3, "3")
    assert citation.quote.startswith("The Harrow Point light was automated in 1987")
    steps = steps_of(ws, answer)
    tools_used = [(s.name, s.input) for s in steps if s.kind == "tool"]
    assert tools_used[0] == ("search", {"query": "Harrow Point light year automated", "k": 6})
    assert ("grep", {"pattern": "Harrow Point light", "literal": True}) in tools_used
    record, _ = load_run(ws, answer.run_id)
    assert record.status == "done" and record.answer["text"] == "1987"


def test_counted_noun_picks_the_number_beside_it(guide):
    ws, doc = guide
    answer = api.ask(doc.id, "How many storms do the logbooks record?", model=ScriptedRunner([]), workspace=ws)
    assert answer.text == "312"
    assert answer.citations[0].page_index == 4


def test_plural_question_collects_every_matching_value(guide):
    ws, doc = guide
    answer = api.ask(doc.id, "What are all the special magic numbers for dazzling-bat mentioned in the provided text?",
                     model=ScriptedRunner([]), workspace=ws)
    assert answer.text == "4471932, 7301146"
    assert {c.quote for c in answer.citations} == {
        "One of the special magic numbers for dazzling-bat is: 4471932.",
        "One of the special magic numbers for dazzling-bat is: 7301146.",
    }


def test_uncovered_question_lets_the_model_choose_constrained_actions(guide):
    ws, doc = guide
    script = [
        json.dumps({"tool": "grep", "input": "Brenning"}),
        json.dumps({"tool": "answer", "input": "done"}),
    ]
    runner = ScriptedRunner(script + ["Tomas Brenning"] * 3)
    answer = api.ask(doc.id, "Which final keeper of Harrow Point kept the logs and records of storms?", model=runner, workspace=ws, max_steps=4)
    first = runner.calls[0]
    assert isinstance(first.constraint, JsonSchema)
    assert first.constraint.schema["properties"]["tool"]["enum"] == ["search", "grep", "read", "answer"]
    assert "Which final keeper of Harrow Point" in first.messages[-1].content
    assert "Step 1 of 4" in first.messages[-1].content
    greps = [s for s in steps_of(ws, answer) if s.kind == "tool" and s.input.get("pattern") == "Brenning"]
    assert greps and "Tomas Brenning" in greps[0].output["text"]
    assert answer.text == "Tomas Brenning"
    assert answer.citations[0].page_index == 3


def test_native_tool_calls_and_generative_answer_with_checked_quotes(guide):
    ws, doc = guide
    runner = ScriptedRunner(
        [
            json.dumps({"intent": "lookup", "answer_type": "person", "subjects": [], "relation": "keeper served 312 storms"}),
            json.dumps({"names": ["storms logged"]}),
            Completion("", 10, 5, 0.0, "tool_calls", (ToolCall("c1", "grep", json.dumps({"pattern": "storms"})),)),
            Completion("Ada Lindqvist kept the logs.", 10, 5, 0.0),
            json.dumps({"answer": "Ada Lindqvist", "quotes": ["Her logbooks record 312 storms in twenty-nine years.",
                                                              "Ada Lindqvist served 312 storms."]}),
        ],
        capabilities=API_LIKE,
    )
    # the seeded evidence covers only half of the question's terms, so the model gets to call tools
    answer = api.ask(doc.id, "Which keeper served for 312 storms?", model=runner, workspace=ws, reader="generative",
                     strategy="tools")
    assert isinstance(runner.calls[0].constraint, JsonSchema) and runner.calls[0].constraint.name == "question_plan"
    assert runner.calls[1].constraint.name == "expansions"  # other names of what is asked
    assert runner.calls[2].tools and {t["function"]["name"] for t in runner.calls[2].tools} >= {"search", "grep", "read"}
    tool_message = runner.calls[3].messages[-1]
    assert tool_message.role == "tool" and tool_message.tool_call_id == "c1" and "312 storms" in tool_message.content
    assert isinstance(runner.calls[4].constraint, JsonSchema)
    assert answer.text == "Ada Lindqvist"
    assert [c.quote for c in answer.citations] == ["Her logbooks record 312 storms in twenty-nine years."]
    assert answer.dropped_quotes == 1  # the invented quote was caught and dropped


def test_aggregate_question_is_counted_by_tools(guide):
    ws, doc = guide
    answer = api.ask(doc.id, "What are the 3 most common words in the guide?", model=ScriptedRunner([]), workspace=ws)
    assert answer.text == "light, harrow, point"
    tool_names = [s.name for s in steps_of(ws, answer) if s.kind == "tool"]
    assert tool_names[0] == "word_frequencies"
    count = api.ask(doc.id, 'How many times does "dazzling-bat" appear?', model=ScriptedRunner([]), workspace=ws)
    assert count.text == "2 times" and count.citations[0].page_index == 5


def test_close_candidates_go_to_the_model_as_a_choice(guide):
    ws, doc = guide
    seen = []

    def choose(request):
        seen.append(request)
        assert isinstance(request.constraint, Choice)
        return request.constraint.options[-1]

    runner = ScriptedRunner(fn=choose)
    answer = api.ask(doc.id, "What did Tomas Brenning do?", model=runner, workspace=ws)
    assert seen, "expected the model to break a tie between candidates"
    assert answer.text == seen[0].constraint.options[-1]


def test_token_budget_stops_the_loop_and_answers_from_evidence(guide):
    ws, doc = guide
    runner = ScriptedRunner([json.dumps({"tool": "search", "input": f"keeper {n}"}) for n in range(10)])
    answer = api.ask(doc.id, "How many storms does the keeper's logbook record?", model=runner, workspace=ws, budget_tokens=1)
    assert runner.calls == []  # no call fits a budget of one token: none is made (none overshoots)
    assert answer.text == "312" and answer.usage.llm_calls == 0
    notes = [s for s in steps_of(ws, answer) if s.kind == "note" and s.name == "budget spent"]
    assert notes and "token budget of 1 would be exceeded" in notes[0].output


def test_a_number_question_takes_the_number_without_a_model_call(guide):
    ws, doc = guide
    answer = api.ask(doc.id, "Tomas Brenning served how long?", model=ScriptedRunner([]), workspace=ws)
    assert answer.text == "26" and answer.usage.llm_calls == 0
