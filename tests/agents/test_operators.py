"""Operators execute a question plan whatever the document's wording, with no LLM call here:
an empty script makes any model call fail the test."""

from __future__ import annotations

import random

import pytest

from lcagent import api
from lcagent.memory.workspace import Workspace
from lcagent.runners.scripted import ScriptedRunner

FILLER = [
    "The harbour office opens at nine and closes when the last ferry is in.",
    "Gulls gather on the breakwater whenever the wind turns to the east.",
    "The old warehouse was converted into a market hall some years ago.",
    "Visitors often ask about the lighthouse, which is closed in winter.",
    "A narrow lane leads from the square down to the fishing sheds.",
    "The tide tables are posted beside the door of the harbour office.",
]


def _document(tmp_path, planted: list[str], *, pages: int = 12, seed: int = 7, name: str = "notes.txt"):
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(FILLER) for _ in range(25)) for _ in range(pages)]
    for n, sentence in enumerate(planted):
        page = (n * 5 + 2) % pages
        words = texts[page].split(". ")
        words.insert(len(words) // 2, sentence.rstrip("."))
        texts[page] = ". ".join(words)
    path = tmp_path / name
    path.write_text("\f".join(texts), encoding="utf-8")
    return path


def _pages(path, pages):
    """A document of the given pages, each padded with harbour filler (no planted facts in it)."""
    filler = " ".join(FILLER * 3)
    path.write_text("\f".join(f"{page} {filler}" for page in pages), encoding="utf-8")
    return path


@pytest.fixture
def ask(tmp_path):
    ws = Workspace(tmp_path / "ws")
    runner = ScriptedRunner(responses=[])

    def asking(path, question, **options):
        return api.ask(path, question, model=runner, workspace=ws, **options)

    yield asking
    assert runner.calls == []
    ws.close()


def test_several_subjects_get_one_cited_answer_each(tmp_path, ask):
    path = _document(tmp_path, [
        "The access code assigned to amber-fox is 4417203.",
        "For quiet-river, use 9982716 (reference value).",
        "One of the special magic numbers for bold-tiger is: 5531984.",
    ])
    answer = ask(path, "What do amber-fox, quiet-river as well as bold-tiger carry?")
    assert answer.found
    for value in ("4417203", "9982716", "5531984"):
        assert value in answer.text
    assert {c.quote for c in answer.citations} >= {"The access code assigned to amber-fox is 4417203.",
                                                   "For quiet-river, use 9982716 (reference value)."}


def test_a_chain_in_prose_is_followed_both_ways_past_a_distractor_chain(tmp_path, ask):
    path = _document(tmp_path, [
        "At start-up the register R1 is loaded with 4821.",
        "Register R2 takes whatever R1 holds.",
        "Later R3 is set to the same contents as R2.",
        "The register R7 is loaded with 9930.",
        "R8 copies R7 before the loop.",
    ], pages=14)
    forward = ask(path, "Which registers end up holding 4821?")
    assert forward.found and set(forward.text.split(", ")) == {"R1", "R2", "R3"}
    backward = ask(path, "What value does R3 end up holding?")
    assert backward.text == "4821"
    assert len(backward.citations) >= 3  # every link of the path is cited


def test_the_k_most_frequent_words_of_a_numbered_list(tmp_path, ask):
    rng = random.Random(3)
    noise = ["".join(rng.choice("bcdfghjklmnpqrstvwz") + rng.choice("aeiou") for _ in range(3)) for _ in range(200)]
    words = ["lantern"] * 30 + ["harbour"] * 25 + ["compass"] * 20 + noise
    rng.shuffle(words)
    path = tmp_path / "list.txt"
    path.write_text("\n".join(f"{n}. {w}" for n, w in enumerate(words, start=1)), encoding="utf-8")
    answer = ask(path, "Which three words come up the most in this list?")
    assert answer.text.split(", ") == ["lantern", "harbour", "compass"]


def test_a_subject_the_document_never_names_is_not_found_with_closest_pages(tmp_path, ask):
    path = _document(tmp_path, ["Acme Corporation reported revenue of 4.2 billion in 2021."])
    answer = ask(path, "What was Globex Corporation's revenue in 2021?")
    assert not answer.found and answer.text == "not found in the document"
    assert answer.citations == [] and answer.see_also  # pages to look at, never a cited figure
    assert answer.confidence == 0.0


def test_a_year_question_gets_a_year_or_nothing(tmp_path, ask):
    path = _document(tmp_path, ["The keeper of the light was Marta Olsen, who kept it for decades.",
                                "Marta Olsen retired from the light in 1931."])
    answer = ask(path, "In what year did Marta Olsen retire from the light?")
    assert answer.text == "1931"
    nothing = ask(path, "In what year was the keeper's cottage painted?")
    assert not nothing.found or any(ch.isdigit() for ch in nothing.text)


def test_an_overview_comes_from_headings_and_lead_sentences(tmp_path, ask):
    pages = [
        "Harbour Guide\n\n1 Introduction\nThis guide describes the harbour of Ennis and its daily life.\n",
        "2 Ferries\nFerries leave the north quay every hour between six and nine.\nMore text about ferries.\n",
        "3 Lighthouse\nThe lighthouse was automated in 1987 and is closed in winter.\n",
    ]
    path = tmp_path / "guide.txt"
    path.write_text("\f".join(pages), encoding="utf-8")
    answer = ask(path, "What is this document about?", strategy="tools")
    assert "1 Introduction" in answer.text and "3 Lighthouse" in answer.text
    assert "The lighthouse was automated in 1987 and is closed in winter." in [c.quote for c in answer.citations]


def test_a_value_on_the_line_after_its_key_is_read(tmp_path, ask):
    # a PDF line break between "is:" and the value: the value is no numbered list item
    path = tmp_path / "wrapped.txt"
    path.write_text("Some filler text about harbours.\nOne of the special magic numbers\nfor adjoining-patina is:\n"
                    "3787641. I'm like someone who grew up poor.\nMore filler about ferries.", encoding="utf-8")
    answer = ask(path, "What is the special magic number for adjoining-patina mentioned in the provided text?")
    assert answer.text == "3787641"
    keyed = ask(path, "What is the special magic number for lying-most mentioned in the provided text?")
    assert not keyed.found  # a key ending in "most" is a key, not a question about the most frequent words


BRIDGE_PAGES = [
    "Harbour Lights is a 1951 drama film directed by Colm Ardagh. It was shot on the west coast "
    "over a single wet summer, and it stars Nessa Quill as the keeper's daughter.",
    "Colm Ardagh was born in Kilrush in 1904. He trained as a stage designer before he made films.",
    "Nessa Quill was an actress from Galway. She was born in Oranmore and later taught drama in Cork.",
    "Brendan Tully was born in Ennis and directed several short films about fishing villages.",
]


def test_a_bridge_question_is_answered_through_the_entity_it_describes(tmp_path, ask):
    """"the director of Harbour Lights" is never named in the question: the first hop finds him,
    the second reads where he was born; both sentences are cited, and a sentence about another
    director born elsewhere does not answer."""
    path = _pages(tmp_path / "films.txt", BRIDGE_PAGES)
    answer = ask(path, "In which town was the director of Harbour Lights born?")
    assert answer.found
    assert answer.text == "Kilrush"
    quotes = " ".join(c.quote for c in answer.citations)
    assert "directed by Colm Ardagh" in quotes and "born in Kilrush" in quotes

    actress = ask(path, "Where was the actress who starred in Harbour Lights born?")
    assert actress.text == "Oranmore"


LIVES = [
    "George Archainbaud (May 7, 1890 – February 20, 1959) was a French-born American film director.",
    "Ralph Murphy (May 1, 1895 – February 10, 1967) was an American film director.",
    "Kell Motors was founded in 1921 in Coventry and built delivery vans. It employed 400 people by 1950.",
    "Dunmore Cycles, founded in 1908, made bicycles in Leeds. It employed 950 people at its peak.",
]


def test_a_comparison_looks_up_each_option_and_compares_the_values_in_code(tmp_path, ask):
    path = _pages(tmp_path / "lives.txt", LIVES)
    died = ask(path, "Who died first, George Archainbaud or Ralph Murphy?")
    assert died.text == "George Archainbaud"
    assert {c.page_index for c in died.citations} == {1, 2}  # each option's sentence
    assert ask(path, "Of Ralph Murphy and George Archainbaud, who was born later?").text == "Ralph Murphy"
    assert ask(path, "Which company is older, Kell Motors or Dunmore Cycles?").text == "Dunmore Cycles"
    assert ask(path, "Which employed more people, Kell Motors or Dunmore Cycles?").text == "Dunmore Cycles"
    assert ask(path, "Was Kell Motors founded before Dunmore Cycles?").text == "no"


def test_both_subjects_said_to_be_so_is_yes_each_cited(tmp_path, ask):
    path = _pages(tmp_path / "lives.txt", LIVES)
    both = ask(path, "Are George Archainbaud and Ralph Murphy both film directors?")
    assert both.text == "yes"
    assert {c.page_index for c in both.citations} == {1, 2}


def test_both_is_left_to_the_model_when_one_subject_is_not_said_to_be_so(tmp_path):
    path = _pages(tmp_path / "lives.txt", LIVES)
    ws = Workspace(tmp_path / "ws")
    runner = ScriptedRunner(responses=["no"])
    answer = api.ask(path, "Are George Archainbaud and Kell Motors both film directors?", model=runner, workspace=ws)
    ws.close()
    assert answer.text == "no"
    assert len(runner.calls) == 1  # the model decided, from evidence about both
    prompt = runner.calls[0].messages[-1].content
    assert "George Archainbaud" in prompt and "Kell Motors" in prompt


def test_same_nationality_compares_what_each_subjects_sentences_say(tmp_path, ask):
    path = _pages(tmp_path / "lives.txt", LIVES)
    answer = ask(path, "Were George Archainbaud and Ralph Murphy of the same nationality?")
    assert answer.text == "yes"  # a "French-born American" is American
    assert {c.page_index for c in answer.citations} == {1, 2}
    other = _pages(tmp_path / "artists.txt", (
        "Ilse Marrow is a Danish magician and director.", "Karel Vos (1950-2011) was a Dutch painter."))
    assert ask(other, "Are Ilse Marrow and Karel Vos from the same country?").text == "no"


def test_a_paragraph_under_a_heading_is_about_the_heading(tmp_path, ask):
    """Encyclopedia layout: the heading names the option, the paragraph uses a fuller name."""
    path = tmp_path / "entries.txt"
    path.write_text(
        "Document 1:\nAda Lindqvist\nAda Maria Lindqvist (3 April 1901 – 9 May 1977) was a Swedish lighthouse keeper.\n\n"
        + " ".join(FILLER * 3) + "\n\n"
        "Document 2:\nTomas Brenning\nTomas Erik Brenning (12 June 1894 – 2 March 1960) was a Danish keeper.\n\n"
        + " ".join(FILLER * 3), encoding="utf-8")
    answer = ask(path, "Who was born first, Ada Lindqvist or Tomas Brenning?")
    assert answer.text == "Tomas Brenning"
    assert any("12 June 1894" in c.quote for c in answer.citations)


def test_a_word_capitalised_only_because_it_opens_the_question_is_not_required(tmp_path, ask):
    path = _document(tmp_path, ["The access code assigned to amber-fox is 4417203."])
    answer = ask(path, "Somewhere in here there's a code for amber-fox. What is it?")
    assert answer.text == "4417203"
    # a subject the text never names anywhere else in the question still means "not found"
    assert not ask(path, "What code does Zorblax give amber-fox?").found


def test_a_chain_run_into_the_text_around_it_without_full_stops(tmp_path, ask):
    """Links pasted into other lines ("SET QX1 = 5150 Materials readily ..."): only the codes and
    values are linked; the capitalised words they were run into are not holders."""
    path = tmp_path / "run_on.txt"
    path.write_text("\n".join([
        "SET QX1 = 5150 Materials readily available in the area dictate the construction",
        "Tide tables are posted beside the harbour office door every morning",
        "SET QX2 = SET QX1 Information about how to read the charts is kept upstairs",
        "SET QX3 = SET QX2 On 23-24 August, between 2,000 and 3,000 visitors came to the harbour",
        "Gulls gather on the breakwater whenever the wind turns to the east",
    ] * 1), encoding="utf-8")
    answer = ask(path, "Once every copy has been made, which names hold 5150?")
    assert answer.found and set(answer.text.split(", ")) == {"QX1", "QX2", "QX3"}


def test_amounts_are_compared_with_their_scale(tmp_path, ask):
    path = _pages(tmp_path / "results.txt", (
        "Kell Motors earned $5.2 billion in revenue last year.",
        "Dunmore Cycles earned $900 million in revenue last year."))
    answer = ask(path, "Which earned more revenue, Kell Motors or Dunmore Cycles?")
    assert answer.text == "Kell Motors"



def test_a_letter_after_a_figure_is_a_scale_after_a_currency(tmp_path, ask):
    money = _pages(tmp_path / "money.txt", (
        "Kell Motors raised $5m from its investors in the spring.",
        "Dunmore Cycles raised $900,000 from its investors in the spring."))
    assert ask(money, "Which raised more money, Kell Motors or Dunmore Cycles?").text == "Kell Motors"
