"""The example-backed analyser: the labelled questions' nearest neighbours decide an intent only
where no rule did, and the vectors shipped with the package match the tables."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from lcagent.query import RuleAnalyser
from lcagent.query.examples import (VECTORS, Example, ExampleAnalyser, IntentVote, digest, load_examples,
                                    write_vectors)
from lcagent.retrieval.embeddings import MODEL_TAG, HashingEmbedder

sys.path.insert(0, str(Path(__file__).parent))
import test_plans  # noqa: E402  (the held-out table and its expected plans)


def test_the_shipped_vectors_are_those_of_the_shipped_tables():
    examples = load_examples()
    assert len(examples) >= 800 and {e.intent for e in examples} == set(test_plans.INTENTS)
    with np.load(VECTORS, allow_pickle=False) as stored:
        # stale after a table was edited: `python -m lcagent.query.examples` writes them again
        assert str(stored["digest"]) == digest(examples, MODEL_TAG)
        assert stored["vectors"].shape == (len(examples), 384)
    held_out = {row["question"] for row in test_plans.ROWS if row["split"] == "test3"}
    assert held_out and not held_out & {e.question for e in examples}, "the held-out set must not be an example"


def test_a_vote_weighs_the_nearest_examples_and_stale_vectors_are_recomputed(tmp_path):
    embedder = HashingEmbedder()
    examples = [Example("which words come up most often in the list", "top_k"),
                Example("which words appear most often in the list", "top_k"),
                Example("when was the light automated", "lookup"),
                Example("summarise the whole report", "summary"),
                Example("give me an overview of the report", "summary")]
    stale = tmp_path / "vectors.npz"
    np.savez(stale, vectors=np.zeros((5, embedder.dimension), np.float16), digest=np.array("another table"))
    votes = IntentVote(embedder, examples, vectors_file=stale)
    intent, share = votes.vote("which words come up most often in the list")
    assert intent == "top_k" and 0.5 < share <= 1.0
    assert votes.vectors.any(), "a digest that does not match means the vectors are computed again"
    written = write_vectors(embedder, tmp_path / "written.npz")
    with np.load(written, allow_pickle=False) as stored:
        assert str(stored["digest"]) == digest(load_examples(), embedder.model_tag)


def test_examples_decide_only_where_no_rule_did(minilm):
    analyser = ExampleAnalyser(minilm)
    # no rule reads "make the most requests" as a frequency question; the nearest examples do
    plan = analyser.analyse("Which two user agents make the most requests in the log?")
    assert plan.intent == "top_k" and plan.k == 2 and plan.answer_type == "list"
    assert "nearest example questions" in plan.reasons[-1]
    # a rule's intent stands, and a plain lookup stays one
    assert analyser.analyse("Summarise chapter 2.").reasons == RuleAnalyser().analyse("Summarise chapter 2.").reasons
    needle = analyser.analyse("What is the special magic number for bright-ocean mentioned in the provided text?")
    assert needle.intent == "lookup" and needle.subjects == ("bright-ocean",)


def test_examples_lift_the_held_out_plans_and_never_undo_a_right_intent(minilm):
    rows = [row for row in test_plans.ROWS if row["split"] == "test3"]
    rules, examples = RuleAnalyser(), ExampleAnalyser(minilm)
    exact = {"rules": 0, "examples": 0}
    undone = []
    for row in rows:
        expected = test_plans.expected_plan(row)
        by_rules, by_examples = rules.analyse(row["question"]), examples.analyse(row["question"])
        exact["rules"] += not expected.mismatches(by_rules)
        exact["examples"] += not expected.mismatches(by_examples)
        if by_rules.intent == row["intent"] != by_examples.intent:
            undone.append(row["question"])
    # measured 2026-12-08: rules 100/170, with examples 105/170 (107 before a question naming a key
    # was kept from becoming a count, top-k or summary), no right intent undone
    assert undone == [] and exact["examples"] >= exact["rules"] + 5, exact
