"""Strategies are asked what a user would ask, not RULER's instructions to a bare model."""

import pytest

from lcagent.bench import generate_one


@pytest.mark.parametrize(
    "task, expected",
    [
        ("niah_multivalue", "What are all the special magic numbers for finicky-appetizer mentioned in the provided text?"),
        ("cwe", "What are the 10 most common words in the above list?"),
        ("fwe", "What are the three most frequently appeared words in the above coded text?"),
        ("qa_1", "In what country is Normandy located?"),
        ("vt", "Find all variables that are assigned the value 22502 in the text above."),
    ],
)
def test_user_question_drops_the_bare_model_instructions(task, expected):
    sample = generate_one(task, 4096, 0)
    assert sample.user_question() == expected
    assert expected in " ".join(sample.question.split())


def test_a_real_document_question_is_asked_whole():
    from lcagent.bench.sample import Sample

    question = "How many people were in Picardo's family when he was twelve?\n1. seven\n2. six\n3. five"
    sample = Sample("longdep", 65536, 0, "context", question, ["3"], "f1")
    assert sample.user_question() == "How many people were in Picardo's family when he was twelve? 1. seven 2. six 3. five"
    why = Sample("longdep", 65536, 1, "context", "All of historians speak highly of his work, is this true? Why?", ["False"], "f1")
    assert why.user_question() == "All of historians speak highly of his work, is this true? Why?"
