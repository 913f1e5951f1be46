"""Choose the realdocs documents and questions from MMLongBench-Doc by a fixed rule, and write
the committed lists: selection.json (documents) and questions.ids.jsonl (question ids only).

    python benchmarks/realdocs/choose.py --source PATH_TO_MMLONGBENCH_CLONE_OR_MIRROR

The rule (README.md says why):
- kinds: financial reports, research reports, administration/industry files, guidebooks,
  academic papers; never the US 10-K filings (``NAME_YEAR_10K.pdf``), whose questions come from
  FinanceBench, which lcagent's acceptance questions are drawn from;
- documents of MIN_PAGES..MAX_PAGES pages with a text layer (at least half the pages carry
  MIN_WORDS words of extracted text) and at least one text or table question;
- answerable questions: every evidence source is plain text or a table, every evidence page
  inside the document and carrying MIN_WORDS words of text (a scanned page has nothing to
  retrieve); unanswerable: MMLongBench-Doc's own "Not answerable" questions, plus one
  question per document asked of the next document of the same kind and split (see
  ``cross_questions``);
- split by document: within each kind, documents in sha256 order alternate dev, test.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

from source import Source, question_hash, sha256

HERE = Path(__file__).resolve().parent
KINDS = {
    "Financial report": "financial report",
    "Research report / Introduction": "research report",
    "Administration/Industry file": "administration file",
    "Guidebook": "guidebook",
    "Academic paper": "academic paper",
}
FINANCEBENCH_FILING = re.compile(r"^[A-Za-z0-9]+_\d{4}_10K\.pdf$")
TEXT_SOURCES = {"Pure-text (Plain-text)", "Table"}
NOT_ANSWERABLE = "Not answerable"
MIN_PAGES, MAX_PAGES = 15, 500
MIN_WORDS = 30
_WORDISH = re.compile(r"[A-Za-z]{2,}")
# A name (capitalised, 3+ characters, not opening the question) or a figure of 3+ digits.
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-Z][\w&'-]*[A-Za-z0-9][\w&'-]*|\d[\d,.]*\d\d)\b")


def page_texts(data: bytes) -> list[str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def words_per_page(texts: list[str]) -> list[int]:
    return [len(_WORDISH.findall(text)) for text in texts]


def is_answerable_text(sample: dict, page_words: list[int]) -> bool:
    """Evidence in plain text or tables only, on pages (1-based) that carry text."""
    sources = ast.literal_eval(sample["evidence_sources"]) if sample["evidence_sources"] else []
    evidence = ast.literal_eval(sample["evidence_pages"]) if sample["evidence_pages"] else []
    return (sample["answer"] != NOT_ANSWERABLE and bool(sources) and set(sources) <= TEXT_SOURCES
            and bool(evidence) and all(1 <= page <= len(page_words) and page_words[page - 1] >= MIN_WORDS
                                       for page in evidence))


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w%.]+", " ", text.lower()).split())


def specific_terms(question: str) -> set[str]:
    """Names and figures a question is about. A question in capitals has no telling names."""
    letters = [char for char in question if char.isalpha()]
    if sum(char.isupper() for char in letters) * 2 > len(letters):
        return set()
    return {match.lower() for match in _NAME.findall(question.strip()) if len(match) >= 3}


def unanswerable_elsewhere(sample: dict, source_text: str, target_text: str) -> bool:
    """A question about the source document cannot be answered from the target when it names
    something the source has and the target never mentions, and the target never states its answer."""
    source, target = _normal(source_text), _normal(target_text)
    named = {term for term in specific_terms(sample["question"]) if _normal(term) and _normal(term) in source}
    absent = {term for term in named if f" {_normal(term)} " not in f" {target} "}
    answer = sample["answer"]
    answers = ast.literal_eval(answer) if answer.startswith("[") else [answer]
    stated = any(len(_normal(str(item))) > 2 and _normal(str(item)) in target for item in answers)
    return bool(absent) and not stated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", required=True, help="an MMLongBench-Doc clone or bare mirror")
    parser.add_argument("--out", type=Path, default=HERE, help="where selection.json and questions.ids.jsonl go")
    args = parser.parse_args(argv)
    source = Source(args.source)
    samples = source.samples()
    present = set(source.document_names())
    kind_of = {s["doc_id"]: KINDS.get(s["doc_type"]) for s in samples}

    documents: dict[str, dict] = {}
    texts: dict[str, str] = {}
    page_words: dict[str, list[int]] = {}
    for name in sorted(present):
        if not kind_of.get(name) or FINANCEBENCH_FILING.match(name):
            continue
        try:
            data = source.document(name)
        except Exception as error:  # absent from a mirror: not selectable from this source
            print(f"skip {name}: {error}", file=sys.stderr)
            continue
        pages = page_texts(data)
        page_words[name] = words_per_page(pages)
        with_text = sum(1 for count in page_words[name] if count >= MIN_WORDS)
        if not MIN_PAGES <= len(pages) <= MAX_PAGES or 2 * with_text < len(pages):
            continue
        if not any(s["doc_id"] == name and is_answerable_text(s, page_words[name]) for s in samples):
            continue
        documents[name] = {"file": name, "sha256": sha256(data), "kind": kind_of[name], "pages": len(pages),
                           "pages_with_text": with_text}
        texts[name] = "\n".join(pages)

    licences = json.loads((HERE / "licences.json").read_text(encoding="utf-8"))
    for document in documents.values():
        document["licence"] = licences.get(document["file"], "not checked: read the PDF before redistributing it")
    for kind in sorted(set(d["kind"] for d in documents.values())):
        ordered = sorted((d for d in documents.values() if d["kind"] == kind), key=lambda d: d["sha256"])
        for number, document in enumerate(ordered):
            document["split"] = "dev" if number % 2 == 0 else "test"

    rows = []
    for position, sample in enumerate(samples):
        document = documents.get(sample["doc_id"])
        if not document:
            continue
        if sample["answer"] == NOT_ANSWERABLE:
            answerable = False
        elif is_answerable_text(sample, page_words[document["file"]]):
            answerable = True
        else:
            continue
        rows.append({"id": f"mmlb-{position:04d}", "index": position, "position": position, "doc": document["file"],
                     "split": document["split"], "answerable": answerable, "origin": "mmlongbench",
                     "question_sha256": question_hash(sample["question"])})
    rows += cross_questions(samples, documents, texts, page_words)

    args.out.mkdir(parents=True, exist_ok=True)
    selection = {"source": "https://github.com/mayubo2333/MMLongBench-Doc", "source_commit": source.commit_id(),
                 "documents": sorted(documents.values(), key=lambda d: (d["kind"], d["split"], d["file"]))}
    (args.out / "selection.json").write_text(json.dumps(selection, indent=1) + "\n", encoding="utf-8")
    with (args.out / "questions.ids.jsonl").open("w", encoding="utf-8") as out:
        for row in sorted(rows, key=lambda r: r["index"]):
            out.write(json.dumps(row) + "\n")
    answerable = sum(1 for r in rows if r["answerable"])
    print(f"{len(documents)} documents, {answerable} answerable and {len(rows) - answerable} unanswerable questions")
    return 0


def cross_questions(samples: list[dict], documents: dict[str, dict], texts: dict[str, str],
                    page_words: dict[str, list[int]]) -> list[dict]:
    """Within each kind and split, documents in sha256 order: the first answerable question of
    each that passes ``unanswerable_elsewhere`` is asked of the next document (cyclically)."""
    rows = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for document in documents.values():
        groups.setdefault((document["kind"], document["split"]), []).append(document)
    for group in groups.values():
        ordered = sorted(group, key=lambda d: d["sha256"])
        if len(ordered) < 2:
            continue
        for number, document in enumerate(ordered):
            target = ordered[(number + 1) % len(ordered)]
            for position, sample in enumerate(samples):
                if (sample["doc_id"] == document["file"] and is_answerable_text(sample, page_words[document["file"]])
                        and unanswerable_elsewhere(sample, texts[document["file"]], texts[target["file"]])):
                    rows.append({"id": f"cross-{position:04d}", "index": 10000 + position, "position": position,
                                 "doc": target["file"], "split": target["split"], "answerable": False,
                                 "origin": f"mmlb-{position:04d} ({document['file']}) asked of another document",
                                 "question_sha256": question_hash(sample["question"])})
                    break
    return rows


if __name__ == "__main__":
    sys.exit(main())
