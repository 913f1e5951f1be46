"""The hypergraph strategy: rounds of retrieve / evolve / reorganise / judge, and the stored memory."""

import json

from lcagent import api
from lcagent.agents.hypergraph_agent import HypergraphAgent, extract_entities
from lcagent.memory.hypergraph import HypergraphStore
from lcagent.memory.traces import load_run
from lcagent.runners.base import Choice, JsonSchema
from lcagent.runners.scripted import ScriptedRunner

from .conftest import agent_context

QUESTION = "Who directed the film whose lead actor was born in Oslo?"


def extractor(request):
    """A small model's entity extraction: one real name, one invented; JSON under the schema."""
    if isinstance(request.constraint, Choice):
        return request.constraint.options[0]
    assert isinstance(request.constraint, JsonSchema) and request.constraint.name == "entities"
    return json.dumps({"entities": ["Karel Vos", "Hollywood"], "relation": "the passage links these people"})


def rounds_of(ws, run_id):
    return [s.output for s in load_run(ws, run_id)[1] if s.kind == "note" and s.name == "hypergraph round"]


def test_deterministic_extractor_finds_names_ids_and_numbers():
    found = extract_entities("The Harrow Point light was automated in 1987 by Tomas Brenning (ref dazzling-bat, 4,471).")
    assert found == {"Harrow Point": "name", "Tomas Brenning": "name", "dazzling-bat": "id", "1987": "number", "4,471": "number"}


def test_multi_hop_question_deepens_through_the_chain_and_cites_the_last_hop(films):
    ws, doc = films
    runner = ScriptedRunner(fn=extractor)
    answer = api.ask(doc.id, QUESTION, model=runner, workspace=ws, strategy="hypergraph")
    assert answer.text == "Ilse Marrow"
    # the bridge cites both hops: the sentence naming the film through its lead actor, then the answer's
    assert [(c.page_index, c.quote) for c in answer.citations] == [
        (4, "The lead actor of Northern Tide was Karel Vos, in his first film role."),
        (6, "Northern Tide was directed by Ilse Marrow, who also wrote the script.")]
    rounds = rounds_of(ws, answer.run_id)
    assert rounds[0]["queries"] == ["Oslo directed film lead actor born", "directed film lead actor born oslo"]
    assert rounds[0]["decision"] == "deepen" and "Karel Vos" in rounds[0]["next"] and "Northern Tide" in rounds[0]["next"]
    assert rounds[1]["queries"] == rounds[0]["next"]  # the next retrieval is restricted to entities near the unit
    # bridges are named entities, nearest the question's words first; numbers are never followed
    assert set(rounds[0]["next"][:2]) == {"Karel Vos", "Northern Tide"}
    assert not any(name.replace(",", "").isdigit() for r in rounds for name in r["next"])
    graph = HypergraphStore(ws.db)
    live = graph.units(doc.id)
    # every unit links to real chunks and pages; the invented "Hollywood" never became a vertex
    assert all(u.sources and all(1 <= s.page_start <= s.page_end <= 7 for s in u.sources) for u in live)
    names = {name for name, _ in graph.vertices(doc.id)}
    assert {"Karel Vos", "Oslo", "Northern Tide", "Ilse Marrow"} <= names and "Hollywood" not in names
    # units that shared two entities were merged; the merged unit holds the union
    merged = [u for u in graph.units(doc.id, include_merged=True) if u.status == "merged"]
    assert merged
    for old in merged:
        successor = graph.unit(old.merged_into)
        assert set(old.entities) <= set(successor.entities) and set(old.sources) <= set(successor.sources)
    # the model was asked only for entities (JSON schema) on at most two passages per round
    extraction_calls = [c for c in runner.calls if isinstance(c.constraint, JsonSchema)]
    assert 0 < len(extraction_calls) <= 2 * len(rounds)
    assert "Passage:" in extraction_calls[0].messages[-1].content


def test_a_distractor_matching_the_question_words_is_not_the_answer(films):
    ws, doc = films
    # the tools strategy answers from the sentence that best matches the words: the Bergen distractor
    tools = api.ask(doc.id, QUESTION, model=ScriptedRunner(fn=lambda r: r.constraint.options[0] if isinstance(r.constraint, Choice) else "{}"),
                    workspace=ws, strategy="tools", max_steps=1)
    hyper = api.ask(doc.id, QUESTION, model=ScriptedRunner(fn=extractor), workspace=ws, strategy="hypergraph")
    assert tools.text != "Ilse Marrow" and hyper.text == "Ilse Marrow"


def test_a_fact_question_answers_in_one_round_without_planning_calls(films):
    ws, doc = films
    runner = ScriptedRunner(fn=extractor)
    answer = api.ask(doc.id, "Where was Karel Vos born?", model=runner, workspace=ws, strategy="hypergraph")
    assert answer.text == "Oslo" and answer.citations[0].page_index == 2
    [only] = rounds_of(ws, answer.run_id)
    assert only["decision"] == "answer"


def test_the_model_judge_can_widen_with_a_new_query(films):
    ws, doc = films
    judged = []

    def model(request):
        if isinstance(request.constraint, Choice):
            return request.constraint.options[0]
        if request.constraint.name == "entities":
            return json.dumps({"entities": [], "relation": ""})
        judged.append(request.messages[-1].content)
        if len(judged) == 1:
            return json.dumps({"decision": "widen", "unit": 0, "query": "Ilse Marrow script"})
        return json.dumps({"decision": "answer", "unit": 0, "query": ""})

    runner = ScriptedRunner(fn=model)
    context = agent_context(ws, [doc.id], runner, reader="extractive")
    HypergraphAgent(judge="model").answer("Who wrote the script of Northern Tide?", context)
    assert "Memory units:\nU" in judged[0] and "Earlier searches: Northern Tide wrote script" in judged[0]
    rounds = rounds_of(ws, context.trace.run_id)
    assert rounds[0]["decision"] == "widen" and rounds[1]["queries"] == ["Ilse Marrow script"]
    assert rounds[1]["decision"] == "answer"
