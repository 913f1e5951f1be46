"""Evidence sentences come from whole pages, so a chunk boundary never cuts a quote."""

from lcagent.agents.analysis import analyse
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
