"""Evidence sentences come from whole pages, so a chunk boundary never cuts a quote."""

from lcagent.agents.analysis import analyse
from lcagent.agents.evidence import EvidencePool, TermWeights
from lcagent.chunking import ChunkSettings
from lcagent.ingest import ingest_file


def test_sentence_cut_by_a_chunk_boundary_is_kept_whole(workspace, tmp_path):
    filler = " ".join(f"Filler sentence number {n} about the weather." for n in range(60))
    needle = "One of the special magic numbers for calm-lake is: 5512093."
    path = tmp_path / "doc.txt"
    path.write_text(filler + " " + needle + " " + filler)
    document = ingest_file(workspace, path, settings=ChunkSettings(size=64, overlap=0)).document
    chunks = workspace.chunks(document.id)
    cut = [c for c in chunks if "calm-lake" in c.text and "5512093" not in c.text]
    assert cut, "the test needs a chunk that ends inside the needle sentence"
    analysis = analyse("What is the special magic number for calm-lake?")
    pool = EvidencePool(workspace, TermWeights.for_question(workspace, analysis, [document.id]))
    pool.add_chunk(cut[0])
    best = pool.ranked(1)[0]
    assert best.text == needle
    assert workspace.text(document.id)[best.char_start : best.char_start + len(needle)] == needle
