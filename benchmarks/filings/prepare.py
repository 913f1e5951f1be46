"""Build the filings data folder (10-K, 10-Q and agency performance-report PDFs with page-level gold)
from local copies of the public repositories that carry the PDFs. No network.

    git clone https://github.com/docugami/KG-RAG-datasets /tmp/KG-RAG-datasets
    git clone https://github.com/venkateshtata/multisource_rag /tmp/multisource_rag
    python benchmarks/filings/prepare.py --source /tmp/KG-RAG-datasets --source /tmp/multisource_rag \
        --out benchmarks/filings/data

A source may be a clone, a bare mirror, or a plain folder holding the PDFs under any names. Every
PDF is checked by sha256, and every gold page is opened (pypdfium2) to check that it states the
answer. Writes OUT/documents/*.pdf, OUT/documents.json and OUT/questions.jsonl in the format
`lcagent bench realdocs --data OUT` reads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "test")
BENCH_FIELDS = ("id", "index", "doc", "question", "answer", "evidence_pages", "evidence_sources", "answer_format",
                "answerable", "split", "kind", "origin")
# Typographic quotes and PDFium's soft-hyphen marker differ between a PDF's text layer and a quote typed by hand.
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\ufffe": "", "\u00ad": ""})
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


class PrepareError(Exception):
    """A source or a committed list that does not match: the message says what to fix."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(text: str) -> str:
    return " ".join(text.translate(_TYPOGRAPHY).split())


def split_by_rule(documents: list[dict]) -> dict[str, str]:
    """Within each kind, documents in sha256 order alternate dev, test: a rule that needs no judgement."""
    splits = {}
    for kind in sorted({d["kind"] for d in documents}):
        ordered = sorted((d for d in documents if d["kind"] == kind), key=lambda d: d["sha256"])
        splits.update({d["file"]: SPLITS[n % 2] for n, d in enumerate(ordered)})
    return splits


def _git_dir(folder: Path) -> Path | None:
    for candidate in (folder / ".git", folder):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _from_git(git_dir: Path, commit: str, path: str) -> bytes | None:
    for revision in (commit, "HEAD"):  # the recorded commit first; the sha256 check decides either way
        result = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "blob", f"{revision}:{path}"],
                                capture_output=True)
        if result.returncode == 0:
            return result.stdout
    return None


def find_pdf(document: dict, sources: list[Path]) -> bytes:
    """The document's bytes from the first source that has them with the recorded sha256."""
    origin = document["source"]
    names = {Path(origin["path"]).name, document["file"]}
    for folder in sources:
        candidates = []
        if (folder / origin["path"]).is_file():
            candidates.append((folder / origin["path"]).read_bytes())
        git_dir = _git_dir(folder)
        if git_dir is not None:
            candidates.append(_from_git(git_dir, origin["commit"], origin["path"]))
        if git_dir != folder:  # a plain folder or a work tree: any file of the same name
            candidates += [path.read_bytes() for name in names for path in folder.rglob(name) if path.is_file()]
        for data in candidates:
            if data is not None and sha256(data) == document["sha256"]:
                return data
    raise PrepareError(f"{document['file']} (sha256 {document['sha256'][:12]}) is in none of the sources; clone "
                       f"https://github.com/{origin['repo']} (commit {origin['commit'][:10]}, file {origin['path']}) "
                       f"and pass it with --source")


def gold_page_problems(question: dict, page_texts: list[str]) -> list[str]:
    """Each gold page must state the answer: one of the question's evidence quotes, or its figure as printed."""
    quotes = [normalise(quote) for quote in question.get("evidence_quotes", [])]
    figure = _FIGURE.search(question["answer"])
    figure_pattern = (re.compile(r"(?<![\d,.])" + re.escape(figure.group(0)) + r"(?![\d]|,\d)")
                      if figure and len(figure.group(0).replace(",", "")) >= 3 else None)
    problems = []
    for page in question["evidence_pages"]:
        if not 1 <= page <= len(page_texts):
            problems.append(f"{question['id']}: page {page} is outside {question['doc']}")
            continue
        text = page_texts[page - 1]
        if not (any(quote in text for quote in quotes) or (figure_pattern and figure_pattern.search(text))):
            problems.append(f"{question['id']}: page {page} of {question['doc']} states neither a quote nor "
                            f"{question['answer']!r}")
    if quotes and question["evidence_pages"] and quotes[0] not in page_texts[question["evidence_pages"][0] - 1]:
        problems.append(f"{question['id']}: the first quote is not on the first gold page")
    return problems


def page_texts(data: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [normalise(document[index].get_textpage().get_text_range()) for index in range(len(document))]
    finally:
        document.close()


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def prepare(sources: list[Path], out: Path, lists: Path = HERE) -> tuple[int, int]:
    documents = json.loads((lists / "documents.json").read_text(encoding="utf-8"))["documents"]
    questions = [json.loads(line) for line in (lists / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    splits = split_by_rule(documents)
    wrong = [d["file"] for d in documents if d.get("split") != splits[d["file"]]]
    if wrong:
        raise PrepareError(f"documents.json disagrees with the split rule for {wrong}; fix their split")
    by_file = {d["file"]: d for d in documents}
    unknown = sorted({q["doc"] for q in questions} - set(by_file))
    if unknown:
        raise PrepareError(f"questions.jsonl names documents not in documents.json: {unknown}")
    (out / "documents").mkdir(parents=True, exist_ok=True)
    problems = []
    for document in documents:
        target = out / "documents" / document["file"]
        data = target.read_bytes() if target.is_file() else b""
        if sha256(data) != document["sha256"]:
            data = find_pdf(document, sources)
            _write_atomic(target, data)
        texts = page_texts(data)
        problems += [p for q in questions if q["doc"] == document["file"] and q["answerable"]
                     for p in gold_page_problems(q, texts)]
    if problems:
        raise PrepareError(f"{len(problems)} gold pages do not state their answer:\n  " + "\n  ".join(problems))
    rows = [{**{name: q[name] for name in BENCH_FIELDS if name != "split"}, "split": splits[q["doc"]]}
            for q in questions]
    lines = "".join(json.dumps({name: row[name] for name in BENCH_FIELDS}, ensure_ascii=False) + "\n" for row in rows)
    _write_atomic(out / "questions.jsonl", lines.encode("utf-8"))
    _write_atomic(out / "documents.json", (json.dumps({"documents": documents}, indent=1) + "\n").encode("utf-8"))
    return len(documents), len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the filings bench data from local copies of its sources.")
    parser.add_argument("--source", type=Path, action="append", default=[],
                        help="a clone, bare mirror or folder holding the PDFs (repeat for each repository)")
    parser.add_argument("--out", type=Path, default=HERE / "data", help="the data folder (default: %(default)s)")
    parser.add_argument("--lists", type=Path, default=HERE,
                        help="the folder with documents.json and questions.jsonl (default: beside this script)")
    args = parser.parse_args(argv)
    try:
        documents, questions = prepare(args.source, args.out, args.lists)
    except PrepareError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"{documents} documents and {questions} questions in {args.out}; run: "
          f"lcagent bench realdocs --data {args.out} --strategies bm25 --limit 1000 --out bench-results/filings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
