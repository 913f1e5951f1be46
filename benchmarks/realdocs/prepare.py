"""Build the realdocs data folder from a local MMLongBench-Doc clone or mirror: copy the chosen
PDFs (checked by sha256) and write the questions from the committed ids. No network.

    git clone https://github.com/mayubo2333/MMLongBench-Doc /tmp/MMLongBench-Doc
    python benchmarks/realdocs/prepare.py --source /tmp/MMLongBench-Doc --out benchmarks/realdocs/data

Writes OUT/documents/*.pdf, OUT/documents.json (the selection) and OUT/questions.jsonl, one
question a line: id, index, doc, question, answer, evidence_pages (1-based), evidence_sources,
answer_format, answerable, split, kind, origin.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from pathlib import Path

from source import Source, SourceError, question_hash, sha256

HERE = Path(__file__).resolve().parent
NOT_ANSWERABLE = "Not answerable"


def question_row(sample: dict, ids: dict, kind: str) -> dict:
    """One question as the bench reads it; a question asked of another document loses its gold."""
    answerable = bool(ids["answerable"])
    asked_elsewhere = ids["doc"] != sample["doc_id"]
    own_gold = answerable or not asked_elsewhere
    evidence = ast.literal_eval(sample["evidence_pages"]) if own_gold and sample["evidence_pages"] else []
    sources = ast.literal_eval(sample["evidence_sources"]) if own_gold and sample["evidence_sources"] else []
    return {
        "id": ids["id"], "index": ids["index"], "doc": ids["doc"], "question": sample["question"].strip(),
        "answer": str(sample["answer"]).strip() if answerable else NOT_ANSWERABLE,
        "evidence_pages": [int(page) for page in evidence], "evidence_sources": list(sources),
        "answer_format": str(sample["answer_format"]) if answerable else "None",
        "answerable": answerable, "split": ids["split"], "kind": kind, "origin": ids["origin"],
    }


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def prepare(source: Source, out: Path, lists: Path = HERE) -> tuple[int, int]:
    selection = json.loads((lists / "selection.json").read_text(encoding="utf-8"))
    ids = [json.loads(line) for line in (lists / "questions.ids.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]
    documents = {d["file"]: d for d in selection["documents"]}
    (out / "documents").mkdir(parents=True, exist_ok=True)
    for document in documents.values():
        target = out / "documents" / document["file"]
        if target.is_file() and sha256(target.read_bytes()) == document["sha256"]:
            continue
        data = source.document(document["file"])
        if sha256(data) != document["sha256"]:
            raise SourceError(f"{document['file']} in {source.path} differs from the selection (sha256); "
                              f"check out commit {selection.get('source_commit')} of MMLongBench-Doc")
        _write_atomic(target, data)

    samples = source.samples()
    lines = []
    for row in ids:
        position = row["position"]
        sample = samples[position] if position < len(samples) else None
        if sample is None or question_hash(sample["question"]) != row["question_sha256"]:
            raise SourceError(f"question {row['id']} is not at position {position} of samples.json in {source.path}; "
                              f"check out commit {selection.get('source_commit')} of MMLongBench-Doc")
        lines.append(json.dumps(question_row(sample, row, documents[row["doc"]]["kind"]), ensure_ascii=False))
    _write_atomic(out / "questions.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
    _write_atomic(out / "documents.json", (json.dumps(selection, indent=1) + "\n").encode("utf-8"))
    return len(documents), len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the realdocs bench data from a local MMLongBench-Doc copy.")
    parser.add_argument("--source", required=True, help="a clone (or bare mirror) of mayubo2333/MMLongBench-Doc")
    parser.add_argument("--out", type=Path, default=HERE / "data", help="the data folder (default: %(default)s)")
    parser.add_argument("--lists", type=Path, default=HERE,
                        help="the folder with selection.json and questions.ids.jsonl (default: beside this script)")
    args = parser.parse_args(argv)
    try:
        source = Source(args.source, json.loads((args.lists / "selection.json").read_text())["source_commit"])
        documents, questions = prepare(source, args.out, args.lists)
    except SourceError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"{documents} documents and {questions} questions in {args.out}; "
          f"run: lcagent bench realdocs --data {args.out} --strategies bm25,tools")
    return 0


if __name__ == "__main__":
    sys.exit(main())
