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
