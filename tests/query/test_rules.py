"""Every rule of the analyser's tables matches the questions it exists for, and not its counter-examples."""

from __future__ import annotations

import pytest

from lcagent.query import analyse
from lcagent.query.analyser import normalise
from lcagent.query.rules import ANSWER_TYPE_RULES, BRIDGE_RELATIVE, INTENT_RULES, PREFACE, TRUTH_PREFACE

RULES = [*INTENT_RULES, *ANSWER_TYPE_RULES, BRIDGE_RELATIVE, TRUTH_PREFACE]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_rule_matches_its_examples(rule):
    assert rule.examples, f"rule {rule.name} has no example question"
    for example in rule.examples:
        assert rule.matches(example), f"{rule.name} should match {example!r}"
    for counter in rule.not_examples:
        assert not rule.matches(counter), f"{rule.name} should not match {counter!r}"


@pytest.mark.parametrize("question", PREFACE.examples)
def test_prefaces_are_stripped(question):
    text, _ = normalise(question)
    assert text != question and len(text) < len(question)
    assert text[0].isalpha()


@pytest.mark.parametrize("question", PREFACE.not_examples)
def test_a_question_is_not_a_preface(question):
    assert normalise(question)[0] == question


@pytest.mark.parametrize("rule", INTENT_RULES, ids=lambda rule: rule.name)
def test_intent_rules_decide_the_plan(rule):
    for example in rule.examples:
        assert analyse(example).intent == rule.value, example


def test_plan_fields_from_grammar():
    plan = analyse("What do kind-dog, tidy-cat as well as big-owl carry?")
    assert plan.intent == "multi_lookup" and plan.subjects == ("kind-dog", "tidy-cat", "big-owl")
    plan = analyse("Which registers end up holding 4821?")
    assert (plan.intent, plan.direction, plan.subjects, plan.answer_type) == ("chain", "forward", ("4821",), "identifier")
    plan = analyse("What value does R7 end up holding?")
    assert (plan.intent, plan.direction, plan.subjects) == ("chain", "backward", ("R7",))
    plan = analyse("List the three most frequent words.")
    assert (plan.intent, plan.k, plan.answer_type) == ("top_k", 3, "list")
    plan = analyse("What was 3M's capital expenditure in FY2018?")
    assert plan.subjects == ("3M",) and plan.qualifiers == ("FY2018",) and plan.answer_type == "number"
    plan = analyse("Who is older, Annie Morton or Terry Richardson?")
    assert plan.intent == "choose" and plan.options == ("Annie Morton", "Terry Richardson")
    plan = analyse("Tell me again: Were Scott Derrickson and Ed Wood of the same nationality?")
    assert plan.intent == "yes_no" and plan.subjects == ("Scott Derrickson", "Ed Wood")


def test_the_model_analyser_is_checked_against_the_question():
    import json

    from lcagent.query.model_analyser import ModelAnalyser
    from lcagent.runners.base import JsonSchema
    from lcagent.runners.scripted import API_LIKE, ScriptedRunner

    question = "What do amber-fox and quiet-river carry?"
    invented = {"intent": "multi_lookup", "answer_type": "number", "subjects": ["amber-fox", "golden-owl"],
                "relation": "carry", "options": ["a", "b"]}
    runner = ScriptedRunner([json.dumps(invented)], capabilities=API_LIKE)
    plan = ModelAnalyser(runner).analyse(question)
    [request] = runner.calls
    assert isinstance(request.constraint, JsonSchema) and question in request.messages[-1].content
    # the invented subject and options are not in the question: the rules' subjects stay
    assert plan.subjects == ("amber-fox", "quiet-river") and plan.options == ()
    assert (plan.intent, plan.answer_type, plan.source) == ("multi_lookup", "number", "model")
    broken = ModelAnalyser(ScriptedRunner(["{not json"], capabilities=API_LIKE)).analyse(question)
    assert broken == analyse(question)  # unusable output: the rules' plan unchanged


def test_an_opening_verb_is_not_part_of_the_code_it_names():
    """A sentence that opens with a verb or adverb before an upper-case code or identifier names
    the code alone ("Copy KLMNO into PQRST."); names of two ordinary words stay whole."""
    from lcagent.query import extract

    assert extract.entities("Copy KLMNO into PQRST.", limit=8) == {"KLMNO": "name", "PQRST": "name"}
    assert extract.entities("Assign QWERT the value of ZXCVB.", limit=8) == {"QWERT": "name", "ZXCVB": "name"}
    assert "31337" in extract.entities("Store 31337 in HJKLM.", limit=8)
    assert "Store 31337" not in extract.entities("Store 31337 in HJKLM.", limit=8)
    assert extract.entities("Later R3 takes R2.", limit=8) == {"R3": "id", "R2": "id"}
    assert "New York" in extract.entities("New York is larger than Boston.", limit=8)


def test_a_capable_model_proposes_other_names_that_are_searched(tmp_path):
    """With a generative reader the model names what a document may print for the relation
    ("capex" -> the cash-flow line item); those names are searched and kept on the plan, while
    names that repeat the relation or a subject are dropped."""
    import json

    from lcagent import api
    from lcagent.memory.traces import load_run
    from lcagent.memory.workspace import Workspace
    from lcagent.query.model_analyser import expand
    from lcagent.runners.base import Capabilities
    from lcagent.runners.scripted import ScriptedRunner

    schema_only = Capabilities(constraints=frozenset({"json_schema"}))
    plan = analyse("What was Orbis Freight's capex in 2021?")
    proposed = {"names": ["purchases of property and equipment", "capex", "Orbis Freight capital spending",
                          "capital expenditures"]}
    runner = ScriptedRunner([json.dumps(proposed)], capabilities=schema_only)
    expanded = expand(plan, runner)
    assert expanded.synonyms == ("purchases of property and equipment", "capital expenditures")
    assert "purchases of property and equipment" in expanded.relation_names()
    assert expand(plan, ScriptedRunner(["{oops"], capabilities=schema_only)) == plan

    path = tmp_path / "orbis.txt"
    path.write_text("Orbis Freight annual report 2021.\fCash flows from investing activities: purchases of "
                    "property and equipment were $412 million in 2021.", encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    script = [json.dumps({"intent": "lookup", "answer_type": "number", "subjects": ["Orbis Freight"],
                          "relation": "capex"}),
              json.dumps(proposed),
              json.dumps({"answer": "$412 million", "quotes": ["purchases of property and equipment were $412 million in 2021"]})]
    answer = api.ask(path, "What was Orbis Freight's capex in 2021?", model=ScriptedRunner(script, capabilities=schema_only),
                     workspace=ws, strategy="tools", reader="generative")
    searched = [s.input["query"] for s in load_run(ws, answer.run_id)[1] if s.kind == "tool" and s.name == "search"]
    assert "purchases of property and equipment" in searched
    assert answer.text == "$412 million" and answer.citations[0].page_index == 2
    ws.close()
