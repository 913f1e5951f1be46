"""The memex strategy: what the model sees, what is archived, and memory reused across questions."""

import json
import re

from lcagent import api
from lcagent.agents.memex_agent import MemexAgent
from lcagent.memory.memex import MemexStore
from lcagent.memory.traces import load_run
from lcagent.runners.base import Choice, JsonSchema
from lcagent.runners.scripted import ScriptedRunner

from .conftest import agent_context

Q1 = "Who directed Northern Tide, starring the actor from Oslo?"
Q2 = "Which person directed Northern Tide, starring the Oslo actor?"


def policy(request):
    """Grep the director's name, recall what the grep archived, then answer."""
    if isinstance(request.constraint, Choice):
        options = request.constraint.options
        return "Ilse Marrow" if "Ilse Marrow" in options else options[0]
    prompt = request.messages[-1].content
    if "recall [" in prompt:
        return json.dumps({"tool": "answer", "input": ""})
    if "grep('Ilse Marrow')" in prompt:
        index = re.search(r"grep\('Ilse Marrow'\) → \[(m\d+)\]", prompt).group(1)
        return json.dumps({"tool": "recall", "input": index})
    return json.dumps({"tool": "grep", "input": "Ilse Marrow"})


def tools_of(ws, answer):
    return [(s.name, s.input) for s in load_run(ws, answer.run_id)[1] if s.kind == "tool"]


def notes_of(ws, answer, name):
    return [s.output for s in load_run(ws, answer.run_id)[1] if s.kind == "note" and s.name == name]


def test_model_sees_index_map_and_status_never_full_outputs_and_recall_is_exact(films):
    ws, doc = films
    runner = ScriptedRunner(fn=policy)
    answer = api.ask(doc.id, Q1, model=runner, workspace=ws, strategy="memex", max_steps=5)
    assert answer.text == "Ilse Marrow" and answer.citations[0].page_index == 6
    store = MemexStore(ws.db)
    entries = store.entries(doc.id)
    tool_entries = [e for e in entries if e.source == "tool"]
    # every tool output of the gathering loop was archived whole, under the call that produced it
    # (the reader's own greps for a bridge's second hop come after the "evidence" note)
    steps = load_run(ws, answer.run_id)[1]
    gathered = next(n for n, s in enumerate(steps) if s.kind == "note" and s.name == "evidence")
    traced = [s for s in steps[:gathered] if s.kind == "tool"]
    assert [e.content for e in tool_entries] == [s.output["text"] for s in traced]
    assert [e.key.split(" ")[0] for e in tool_entries] == [s.name for s in traced]
    actions = [c for c in runner.calls if isinstance(c.constraint, JsonSchema)]
    assert len(actions) == 3
    first = actions[0].messages[-1].content
    assert first.startswith(f"Question: {Q1}\n\nIndex map:\n- [m")
    assert re.search(r"working context: \d+/4000 tokens\nStep 1 of 5", first)
    for entry in tool_entries:
        assert entry.map_line() in first or entry.key.startswith("grep {\"literal\": true, \"pattern\": \"Ilse")
        if len(entry.content) > 300:
            assert entry.content not in first  # the model saw a summary, not the output
    grep_entry = next(e for e in tool_entries if "Ilse Marrow" in e.key)
    assert f"grep('Ilse Marrow') → [{grep_entry.index}]" in actions[1].messages[-1].content
    assert f"recall [{grep_entry.index}]:\n{grep_entry.content}" in actions[2].messages[-1].content
    finding = entries[-1]
    assert finding.source == "finding" and finding.content.startswith(f"Q: {Q1}\nA: Ilse Marrow\n")
    [peak] = notes_of(ws, answer, "memex working context")
    assert 0 < peak["peak_tokens"] < 4000 and peak["model_steps"] == 3


def test_second_question_reuses_memory_and_costs_fewer_tokens(films):
    ws, doc = films
    first_runner = ScriptedRunner(fn=policy)
    first = api.ask(doc.id, Q1, model=first_runner, workspace=ws, strategy="memex", max_steps=5)
    second_runner = ScriptedRunner(fn=policy)
    second = api.ask(doc.id, Q2, model=second_runner, workspace=ws, strategy="memex", max_steps=5)
    assert first.text == second.text == "Ilse Marrow"
    first_tokens = sum(c.prompt_tokens + c.completion_tokens for c in [first.usage])
    second_tokens = second.usage.prompt_tokens + second.usage.completion_tokens
    def actions(runner):
        return [c for c in runner.calls if isinstance(c.constraint, JsonSchema)]

    assert len(actions(first_runner)) == 3 and first_tokens > 0
    assert actions(second_runner) == [] and second_tokens < first_tokens
    # the calls archived by the first question did not run again; only the new wording's search did
    reused = notes_of(ws, second, "memex reuse")
    assert [r["key"] for r in reused] == ['grep {"literal": true, "pattern": "Northern Tide"}',
                                         'grep {"literal": true, "pattern": "Oslo"}']
    # only the searches worded differently ran again ("person" is new)
    assert [name for name, _ in tools_of(ws, second)] == ["search"] * 3
    assert all("person" in arguments["query"] for _, arguments in tools_of(ws, second))
    [resume] = notes_of(ws, second, "memex resume")
    # the first question left 7 entries (6 tool outputs and its finding); the second added 3 searches and its finding
    assert resume["entries"] == 7 and len(MemexStore(ws.db).entries(doc.id)) == 11 and resume["reused"]
    assert notes_of(ws, second, "memex settled")


def test_without_memory_the_follow_up_costs_what_a_first_question_does(films, tmp_path):
    from .conftest import FILM_PAGES, make_workspace

    (tmp_path / "fresh").mkdir()
    fresh_ws, fresh_doc = make_workspace(tmp_path / "fresh", FILM_PAGES)
    try:
        runner = ScriptedRunner(fn=policy)
        api.ask(fresh_doc.id, Q2, model=runner, workspace=fresh_ws, strategy="memex", max_steps=5)
        assert len([c for c in runner.calls if isinstance(c.constraint, JsonSchema)]) == 3
    finally:
        fresh_ws.close()


def exploring(request):
    """A model that never stops exploring: a new search every step (20 steps)."""
    if isinstance(request.constraint, Choice):
        return request.constraint.options[0]
    step = int(re.search(r"Step (\d+) of", request.messages[-1].content).group(1))
    words = ["festival", "harbour", "tickets", "kiosk", "ferry", "critics", "reviews", "weekend", "papers", "screenings",
             "evening", "programme", "audience", "closing", "Sunday", "theatre", "school", "script", "crew", "cast"]
    return json.dumps({"tool": "search", "input": words[step - 1] + " notes"})


def test_twenty_steps_stay_under_the_working_budget_while_no_memory_grows_past_it(films):
    ws, doc = films
    budget = 700
    peaks = {}
    for memory in (True, False):
        agent = MemexAgent(budget, memory=memory, stop_when_confident=False)
        context = agent_context(ws, [doc.id], ScriptedRunner(fn=exploring), max_steps=20)
        reading = agent.answer("Which film did the audience vote for on Sunday?", context)
        peaks[memory] = agent.last_peak
        assert reading.text
    assert peaks[True] <= budget < peaks[False]
    compressions = [s for s in load_run(ws, context.trace.run_id)[1] if s.name == "memex compress"]
    assert compressions == []  # the no-memory run never compresses
    store = MemexStore(ws.db)
    spans = [e for e in store.entries(doc.id) if e.source == "span"]
    assert spans, "the memory run compressed its notes near the budget"
    # each span is an exact run of anchored notes, and the summary that replaced it named its index
    assert all(e.content.startswith("<s") for e in spans)


def test_compress_keeps_every_live_index_and_archives_the_exact_notes(films):
    ws, doc = films
    script = [json.dumps({"tool": "search", "input": "Karel Vos"}),
              json.dumps({"tool": "compress", "input": "Karel Vos was born in Oslo"}),
              json.dumps({"tool": "answer", "input": ""})]
    runner = ScriptedRunner(script + ["x"] * 4)
    context = agent_context(ws, [doc.id], runner, max_steps=4)
    MemexAgent(stop_when_confident=False).answer("Where was the lead actor of Northern Tide trained?", context)
    third = runner.calls[2].messages[-1].content
    store = MemexStore(ws.db)
    [span] = [e for e in store.entries(doc.id) if e.source == "span"]
    tool_indices = [e.index for e in store.entries(doc.id) if e.source == "tool"]
    assert f"summary [{span.index}]: Karel Vos was born in Oslo (indices: " in third
    for index in tool_indices:
        assert index in third.split("Working notes:")[1]
    # the span holds the notes exactly as the model saw them in the call before
    second = runner.calls[1].messages[-1].content
    assert span.content in second and span.content.startswith("<s1> ")
