"""Evidence sentences come from whole pages, so a chunk boundary never cuts a quote."""

from lcagent.query import analyse
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.chunking import ChunkSettings
from lcagent.ingest import ingest_file


def test_sentence_cut_by_a_chunk_boundary_is_kept_whole(workspace, tmp_path):
    needle = "One of the special magic numbers for calm-lake is: 5512093."
    # find a filler length whose 64-token chunking ends a chunk inside the needle sentence
    for extra in range(40):
        filler = " ".join(f"Filler sentence number {n} about the weather." for n in range(50)) + " word" * extra
        path = tmp_path / f"doc{extra}.txt"
        path.write_text(filler + " " + needle + " " + filler)
        document = ingest_file(workspace, path, settings=ChunkSettings(size=64, overlap=0)).document
        cut = [c for c in workspace.chunks(document.id) if "calm-lake" in c.text and "5512093" not in c.text]
        if cut:
            break
    assert cut, "no filler length produced a chunk boundary inside the needle"
    analysis = analyse("What is the special magic number for calm-lake?")
    pool = EvidencePool(workspace, TermWeights.for_question(workspace, analysis, [document.id]))
    pool.add_chunk(cut[0])
    best = pool.ranked(1)[0]
    assert best.text == needle
    assert workspace.text(document.id)[best.char_start : best.char_start + len(needle)] == needle


def test_a_why_question_is_answered_with_the_whole_sentence_and_no_llm_call(tmp_path):
    from lcagent import api
    from lcagent.memory.workspace import Workspace
    from lcagent.runners.scripted import ScriptedRunner

    path = tmp_path / "merrow.txt"
    path.write_text(
        "Merrow Sands Light was built in 1889 on a sandy spit.\f"
        "After a winter of high tides the foundation failed, and the tower collapsed on 3 March 1903. "
        "The keepers had moved to the cottage a week earlier because the floors had started to tilt.\f"
        "The light was never rebuilt.", encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    runner = ScriptedRunner(responses=[])  # an empty script: any LLM call fails the test
    answer = api.ask(path, "Why did the keepers move to the cottage?", model=runner, workspace=ws, strategy="tools")
    assert answer.usage.llm_calls == 0
    quote = "The keepers had moved to the cottage a week earlier because the floors had started to tilt."
    assert answer.text == quote
    assert [(c.page_index, c.quote) for c in answer.citations] == [(2, quote)]
    ws.close()


def _pool_of(tmp_path, pages, question):
    from lcagent.memory.workspace import Workspace

    path = tmp_path / "people.txt"
    path.write_text("\f".join(pages), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    doc = ingest_file(ws, path).document
    analysis = analyse(question)
    pool = EvidencePool(ws, TermWeights.for_question(ws, analysis, [doc.id]))
    for page in ws.pages(doc.id):
        pool.add_page(page)
    return ws, pool, analysis


PEOPLE = [
    "Annie Morton is an American model. Annie Morton was born on October 8, 1970. She lives in New York.",
    "Filler about the weather in spring. More filler about the harbour and the ferries.",
    "Terry Richardson is an American photographer. Terry Richardson was born on August 14, 1965.",
]


def test_a_question_offering_options_is_answered_by_a_choice_among_them(tmp_path):
    from lcagent.agents.reader import extractive
    from lcagent.runners.base import Choice
    from lcagent.runners.scripted import ScriptedRunner

    ws, pool, analysis = _pool_of(tmp_path, PEOPLE, "Who is older, Annie Morton or Terry Richardson?")
    assert analysis.options == ("Annie Morton", "Terry Richardson") and analysis.intent == "choose"
    runner = ScriptedRunner(fn=lambda request: "Terry Richardson")
    reading = extractive(pool, analysis, runner)
    [request] = runner.calls
    assert request.constraint == Choice(("Annie Morton", "Terry Richardson"))
    prompt = request.messages[-1].content
    # the evidence holds a sentence about each option, even though one option's sentences rank higher
    assert "Annie Morton was born on October 8, 1970." in prompt and "Terry Richardson was born on August 14, 1965." in prompt
    assert reading.text == "Terry Richardson"
    assert sorted(c.page_index for c in reading.citations) == [1, 3]
    ws.close()


def test_a_yes_no_question_about_two_things_sees_evidence_about_both(tmp_path):
    from lcagent.agents.reader import extractive
    from lcagent.runners.scripted import ScriptedRunner

    pages = ["Annie Morton is an American model. " + "Annie Morton modelled for many magazines. " * 3,
             "Terry Richardson is an American photographer."]
    ws, pool, analysis = _pool_of(tmp_path, pages, "Are Annie Morton and Terry Richardson both American?")
    assert analysis.answer_type == "yes_no" and analysis.aspects() == ["Annie Morton", "Terry Richardson"]
    runner = ScriptedRunner(fn=lambda request: "yes")
    reading = extractive(pool, analysis, runner)
    prompt = runner.calls[0].messages[-1].content
    assert "[E2] Terry Richardson is an American photographer." in prompt  # ahead of Annie Morton's other sentences
    assert reading.text == "yes" and {c.page_index for c in reading.citations} == {1, 2}
    ws.close()


def test_a_name_opening_the_sentence_is_a_whole_candidate():
    from lcagent.agents.evidence import EvidenceItem
    from lcagent.agents.candidates import candidates

    def best(question, sentence):
        return candidates(EvidenceItem("d", 1, "1", 0, sentence, 1.0), analyse(question))[0].text

    assert best("Who directed Northern Tide?", "Ilse Marrow directed Northern Tide in 1998.") == "Ilse Marrow"  # not "Marrow"
    assert best("Which company makes the Zephyr phone?", "Tellcorp makes the Zephyr phone.") == "Tellcorp"
    assert best("Who was the lead actor of Northern Tide?", "The lead actor of Northern Tide was Karel Vos.") == "Karel Vos"
    # "Who [did this]?": the subject of "[Name] [did this]", not a nearer capitalised word; a month is no name
    sentence = "Ilse Marrow (born 3 April 1961), known by her stage name Lumen, is a Danish-Dutch magician and director."
    assert best("Who was known by the stage name Lumen?", sentence) == "Ilse Marrow"
    assert "April" not in [c.text for c in candidates(EvidenceItem("d", 1, "1", 0, sentence, 1.0), analyse("Who was known as Lumen?"))][:2]
    assert best("Who directed Johnny Angel?", "Johnny Angel is a 1945 film directed by Edwin L. Marin.") == "Edwin L. Marin"


def test_a_when_question_gets_the_whole_date_a_year_question_the_year():
    from lcagent.agents.evidence import EvidenceItem
    from lcagent.agents.candidates import candidates

    def best(question, sentence):
        return candidates(EvidenceItem("d", 1, "1", 0, sentence, 1.0), analyse(question))[0].text

    sentence = "Ilse Marrow (born 3 April 1961) is a Danish-Dutch magician."
    assert best("When was Ilse Marrow born?", sentence) == "3 April 1961"
    assert best("In which year was Ilse Marrow born?", sentence) == "1961"
    assert best("When was Karel Vos born?", "Karel Vos was born on March 14, 1950, in Delft.") == "March 14, 1950"
    assert best("When did Karel Vos retire?", "Karel Vos retired in 2011.") == "2011"


def test_generative_reader_bounds_its_json_and_never_answers_with_raw_json(tmp_path):
    from lcagent.agents.generative import generative
    from lcagent.runners.base import Completion, Verbatim
    from lcagent.runners.scripted import ScriptedRunner

    ws, pool, analysis = _pool_of(tmp_path, PEOPLE, "When was Terry Richardson born?")
    schemas = []

    def cut_off(text):
        def respond(request):
            if isinstance(request.constraint, Verbatim):  # the supporting quote, copied from the evidence
                return request.constraint.sources[0]
            schemas.append(request.constraint.schema)
            return Completion(text, 100, 400, 0.1, finish_reason="length")  # max_tokens ran out mid-object
        return ScriptedRunner(fn=respond)

    reading = generative(pool, analysis, cut_off('{ "answer": "August 14, 1965", "quotes": ["Terry Richardson was born on Aug'))
    assert schemas[0]["properties"]["answer"]["maxLength"] == 300 and schemas[0]["properties"]["quotes"]["maxItems"] == 3
    assert reading.text == "August 14, 1965"
    assert [c.quote for c in reading.citations] == ["Terry Richardson was born on August 14, 1965."]
    garbled = generative(pool, analysis, cut_off('{ "answer": "1965 and then some more te'))
    assert not garbled.found and "{" not in garbled.text
    # a raw newline inside the string (the grammar allows it) and a broken escape do not crash it
    newline = generative(pool, analysis, cut_off('{ "answer": "August 14,\n1965", "quotes": ["Terry'))
    assert newline.text == "August 14,\n1965"
    broken = generative(pool, analysis, cut_off('{ "answer": "bad \\u12 escape", "quo'))
    assert not broken.found
    ws.close()


REGISTRY = [
    "Gannet Head Light\nThe Gannet Head light was built in 1824 and automated in 1963. Its last keeper, "
    "Ada Holt, recorded 312 storms. The climb to the gallery of Gannet Head Light takes 113 steps.",
    "Cape Vell Light\nThe Cape Vell light was built in 1851 and automated in 1987. Its last keeper, Finn Berg, "
    "recorded 640 storms. The climb to the gallery of Cape Vell Light takes 219 steps.",
]


def test_the_value_after_the_asked_relation_wins_within_a_sentence_and_pronouns_carry_the_subject(tmp_path):
    """Two years in one sentence: the one after "automated" answers "when was it automated?"; a
    sentence opening "Its last keeper" is about the light the sentence before it names."""
    from lcagent import api
    from lcagent.memory.workspace import Workspace
    from lcagent.runners.scripted import ScriptedRunner

    path = tmp_path / "registry.txt"
    path.write_text("\f".join(REGISTRY), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    asked = {
        "In which year was the Cape Vell light automated?": ("1987", 2),
        "When was the Gannet Head light built?": ("1824", 1),
        "How many storms did the last keeper of the Cape Vell light record?": ("640", 2),
        "Who was the last keeper of the Gannet Head light?": ("Ada Holt", 1),
        "How many steps does the climb to the gallery of Gannet Head Light take?": ("113", 1),
    }
    for question, (expected, page) in asked.items():
        answer = api.ask(path, question, model=ScriptedRunner(responses=[]), workspace=ws, strategy="tools")
        assert (answer.text, answer.usage.llm_calls) == (expected, 0), question
        assert page in {c.page_index for c in answer.citations}, question
    ws.close()



def test_a_year_is_never_the_figure_of_a_question_about_another_year():
    """"In 2016, ..." holds no answer to "how many ... in FY 2017?": the year is a period, not
    the figure, whether it is read as a date or as a run of words."""
    from lcagent.agents.candidates import candidates
    from lcagent.agents.evidence import EvidenceItem

    item = EvidenceItem("d", 1, "1", 0, "In 2016, FEHB plan performance will be assessed based on a common set of "
                        "measures of clinical quality, customer service and appropriate resource use.")
    plan = analyse("How many of its FEHB plan performance assessment targets did OPM meet or exceed in FY 2017?")
    assert "2016" not in {c.text for c in candidates(item, plan)}
