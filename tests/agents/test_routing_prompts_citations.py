"""Question plans, the router, prompt variable checks, and verbatim quote checking."""

import pytest

from lcagent.query import analyse
from lcagent.agents.citations import QuoteChecker
from lcagent.agents.router import choose
from lcagent.prompts import ALL_PROMPTS, EXTRACT_ANSWER, PromptError
from lcagent.records import Citation


@pytest.mark.parametrize(
    "question, intent, answer_type, plural",
    [
        ("What is the special magic number for abrasive-pathology mentioned in the provided text?", "lookup", "number", False),
        ("What are all the special magic numbers for dazzling-bat mentioned in the provided text?", "all_values", "number", True),
        ("In which year was the Harrow Point light automated?", "lookup", "date", False),
        ("Who directed the film whose lead actor was born in Oslo?", "bridge", "person", False),
        ("What are the 10 most common words in the above list?", "top_k", "list", True),
        ("Summarise the report.", "summary", "sentence", False),
        ('How many times does "going concern" appear?', "count", "number", False),
        ("Why did the Merrow Sands keepers move to the cottage?", "lookup", "sentence", False),
        ("How did the Board replace the Merrow Sands light?", "lookup", "sentence", False),
        ("How tall is Cape Vell Light?", "lookup", "number", False),
        ("Was the tower rebuilt? Explain.", "yes_no", "yes_no", False),
        ("Tell me again: were both towers rebuilt after 1903?", "yes_no", "yes_no", False),
        ("What government position was held by the woman who portrayed Corliss Archer in the film Kiss and Tell?", "bridge", "phrase", False),
        ("2014 S/S is the debut album of a South Korean boy group that was formed by who?", "bridge", "person", False),
        ("What is the name that appears in the title?", "lookup", "phrase", False),
    ],
)
def test_plans_classify_questions(question, intent, answer_type, plural):
    plan = analyse(question)
    assert (plan.intent, plan.answer_type, plan.plural) == (intent, answer_type, plural)


def test_plan_says_what_to_look_for():
    plan = analyse('Did "Cape Vell" get a new lens from Aubreuil in 1874 (ref 5e0c8a6f-1c2d-4a9b-8e7f-0123456789ab)?')
    assert plan.subjects[:3] == ("Cape Vell", "Aubreuil", "5e0c8a6f-1c2d-4a9b-8e7f-0123456789ab")
    assert plan.qualifiers == ("1874",)
    assert plan.exact_patterns()[:3] == ["Cape Vell", "Aubreuil", "5e0c8a6f-1c2d-4a9b-8e7f-0123456789ab"]
    assert analyse("How many times does 'going concern' appear?").subjects == ("going concern",)
    assert analyse("How many steps does the climb take?").unit == "steps"


def test_chain_questions_split_by_what_they_ask():
    big = dict(document_tokens=120_000, context_window=8192, reader="extractive")
    listing = analyse("Find all variables that are assigned the value 22502 in the text above.")
    assert (listing.intent, listing.direction, listing.subjects) == ("chain", "forward", ("22502",)) and listing.plural
    assert choose(listing, **big).strategy == "tools"
    hop = analyse("Who directed the film whose lead actor was born in Oslo?")
    # a model that writes its own answers steers the hypergraph memory; a small one gets the
    # bridge operator, which greps each hop itself
    assert choose(hop, **{**big, "reader": "generative"}).strategy == "hypergraph"
    assert choose(hop, **big).strategy == "tools" and "second" in choose(hop, **big).reason


def test_router_says_why():
    fact, summary, aggregate = (analyse(q) for q in ("Who signed it?", "Summarise the report.", "Which words occur most often?"))
    big = dict(document_tokens=120_000, context_window=8192)
    assert choose(fact, **big, reader="extractive").strategy == "tools"
    assert choose(summary, **big, reader="generative").strategy == "mapreduce"
    assert "every part" in choose(summary, **big, reader="generative").reason
    assert choose(summary, **big, reader="extractive").strategy == "tools"
    assert choose(aggregate, **big, reader="generative").strategy == "tools"
    small = dict(document_tokens=3_000, context_window=128_000)
    route = choose(fact, **small, reader="generative")
    assert route.strategy == "full" and "3,000 tokens" in route.reason


def test_prompts_check_their_variables():
    for prompt in ALL_PROMPTS:
        assert prompt.variables(), prompt.name
    with pytest.raises(PromptError, match="missing \\['sentence'\\]"):
        EXTRACT_ANSWER.render(question="q")
    with pytest.raises(PromptError, match="unexpected \\['extra'\\]"):
        EXTRACT_ANSWER.render(question="q", sentence="s", extra=1)
    messages = EXTRACT_ANSWER.render(question="Who?", sentence="Ann did.")
    assert messages[0].role == "system" and messages[-1].content.endswith("Sentence: Ann did.\nQuestion: Who?\nAnswer:")


def test_quotes_are_checked_verbatim_modulo_whitespace(guide):
    ws, doc = guide
    checker = QuoteChecker(ws, [doc.id])
    kept, dropped = checker.check(
        [
            Citation(doc.id, 1, "", "Her logbooks   record 312\nstorms in twenty-nine years."),  # wrong page, spacing
            Citation(doc.id, 4, "", "Her logbooks record 313 storms"),  # altered: dropped
            Citation("", 0, "", "The climb to the gallery takes 219 steps."),  # no page given
            Citation(doc.id, 4, "", "Her logbooks record 312 storms in twenty-nine years."),  # duplicate of the first
        ]
    )
    assert dropped == 1
    assert [(c.page_index, c.page_label, c.quote) for c in kept] == [
        (4, "4", "Her logbooks record 312 storms in twenty-nine years."),
        (4, "4", "The climb to the gallery takes 219 steps."),
    ]
    assert kept[0].render() == 'p. 4: "Her logbooks record 312 storms in twenty-nine years."'
    assert Citation(doc.id, 12, "xii", "q").render() == 'p. 12 (label xii): "q"'
