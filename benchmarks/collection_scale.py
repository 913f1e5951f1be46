"""Collections at scale: does a question's cost follow the documents it reads, not the collection?

    python benchmarks/collection_scale.py growth                      # 10 vs 100 documents, same questions
    python benchmarks/collection_scale.py scale                       # 40 documents of 250k tokens: 10M tokens
    python benchmarks/collection_scale.py scale --documents 8 --tokens 64k --questions 8   # a quick try
    python benchmarks/collection_scale.py select                      # no model: documents chosen, bench collection

growth: 10 documents hold the needles and comparison facts asked about; the 100-document collection
adds 90 distractors (45 plain essay documents, 45 with other needles). Every question is asked of
both collections, alternately, and the medians of seconds per question are compared (target: at
most 2x). scale: needle documents made from RULER's essay haystack, text and PDF alternately, one
needle each; every question asked of the whole collection (target: the right document and page
for at least 95%, at most 10 s per question after ingest). select: every question of the suite's
collection (`lcagent bench collection`), no model: are its documents among those chosen to be read?

Documents are ingested without embeddings (bm25 alone; --embed to add them), and ingest is timed
apart from the questions. CPU seconds are reported beside wall seconds: on a shared machine the
wall clock also measures the neighbours. Results: OUT/<mode>.jsonl, one line a
question, and a summary line printed and written to OUT/<mode>-summary.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from lcagent import api
from lcagent.bench.collection import (CollectionQuestion, answer_points, documents_cited, needle_part,
                                      pages_cited)
from lcagent.bench.collection_docs import pages_for_tokens, write_documents
from lcagent.bench.sample import parse_length
from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace


def ingest_all(workspace: Workspace, paths: list[Path], embed: bool) -> tuple[dict[Path, str], dict]:
    """Ingest every file; return path -> document id and the ingest's wall and CPU seconds."""
    options = None
    if embed:
        from lcagent.retrieval.indexing import EmbedOptions

        options = EmbedOptions(limit=None)
    wall, cpu = time.perf_counter(), time.process_time()
    ids, tokens = {}, 0
    for number, path in enumerate(paths, start=1):
        result = ingest_file(workspace, path, embed=options)
        ids[path] = result.document.id
        tokens += result.document.tokens
        print(f"  ingest {number}/{len(paths)} {path.name}: {result.status}, {result.document.tokens:,} tokens",
              file=sys.stderr)
    return ids, {"ingest_seconds": round(time.perf_counter() - wall, 1),
                 "ingest_cpu_seconds": round(time.process_time() - cpu, 1), "tokens": tokens, "documents": len(paths)}


def ask(workspace: Workspace, question: CollectionQuestion, ids: dict[Path, str], runner, strategy: str,
        label: str) -> dict:
    """One question of every document in ``workspace``, scored and timed."""
    wall, cpu = time.perf_counter(), time.process_time()
    answer = api.ask(question=question.question, all_documents=True, model=runner, strategy=strategy,
                     workspace=workspace, embed=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gold_pages = [(ids[path], page) for path, page in question.pages]
    return {
        "collection": label, "kind": question.kind, "index": question.index, "question": question.question,
        "answer": answer.text, "score": answer_points(question, answer),
        "documents_cited": documents_cited(answer.citations, [ids[path] for path in question.documents]),
        "page_correct": pages_cited(answer.citations, gold_pages),
        "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "llm_calls": answer.usage.llm_calls,
        "searched": len(answer.searched), "read": len(answer.doc_ids), "strategy": answer.strategy,
    }


def summarise(results: list[dict]) -> dict:
    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in results), 3) if results else 0.0

    return {
        "questions": len(results), "median_seconds": median("seconds"), "median_cpu_seconds": median("cpu_seconds"),
        "max_seconds": max((r["seconds"] for r in results), default=0.0),
        "right_documents_percent": round(100 * sum(r["documents_cited"] == 1.0 for r in results) / max(len(results), 1), 1),
        "right_page_percent": round(100 * sum(r["page_correct"] for r in results) / max(len(results), 1), 1),
        "answer_percent": round(100 * sum(r["score"] for r in results) / max(len(results), 1), 1),
        "median_documents_read": median("read"), "median_llm_calls": median("llm_calls"),
    }


def _write(out: Path, mode: str, results: list[dict], summary: dict) -> None:
    with (out / f"{mode}.jsonl").open("w", encoding="utf-8") as lines:
        for result in results:
            lines.write(json.dumps(result) + "\n")
    (out / f"{mode}-summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))


def growth(args, runner) -> None:
    out = args.out / "growth"
    targets = write_documents(out / "targets", args.small, pages=args.pages, seed=args.seed, prefix="target")
    keys = {d.needle.key for d in targets}
    plain = write_documents(out / "plain", (args.large - args.small) // 2, pages=args.pages, seed=args.seed,
                            prefix="plain", needles=False, facts=False)
    others = write_documents(out / "others", args.large - args.small - len(plain), pages=args.pages, seed=args.seed,
                             prefix="other", facts=False, used_keys=keys)
    questions = needle_part(targets, None)[:args.questions]
    small_ws, large_ws = Workspace(out / f"workspace-{args.small}"), Workspace(out / f"workspace-{args.large}")
    try:
        print(f"ingest {args.small} documents", file=sys.stderr)
        small_ids, small_ingest = ingest_all(small_ws, [d.path for d in targets], args.embed)
        print(f"ingest {args.large} documents", file=sys.stderr)
        large_ids, large_ingest = ingest_all(large_ws, [d.path for d in targets + plain + others], args.embed)
        results = []
        for number, question in enumerate(questions, start=1):
            # alternate which collection goes first, so a busy spell on the machine hits both alike
            order = [(small_ws, small_ids, args.small), (large_ws, large_ids, args.large)]
            for workspace, ids, size in (order if number % 2 else order[::-1]):
                results.append(ask(workspace, question, ids, runner, args.strategy, f"{size} documents"))
                last = results[-1]
                print(f"  {number}/{len(questions)} {size:>4} docs {last['seconds']:6.2f} s  {question.kind}: "
                      f"docs {last['documents_cited']:.1f} page {last['page_correct']} score {last['score']:.2f}",
                      file=sys.stderr)
    finally:
        small_ws.close()
        large_ws.close()
    small = summarise([r for r in results if r["collection"] == f"{args.small} documents"])
    large = summarise([r for r in results if r["collection"] == f"{args.large} documents"])
    per_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in results):
        medians = [statistics.median(r["seconds"] for r in results if r["kind"] == kind and r["collection"] == label)
                   for label in (f"{args.small} documents", f"{args.large} documents")]
        per_kind[kind] = {"median_seconds_small": medians[0], "median_seconds_large": medians[1],
                          "growth": round(medians[1] / medians[0], 2) if medians[0] else None}
    summary = {"mode": "growth", "model": args.model, "strategy": args.strategy, "embed": args.embed,
               "pages_per_document": args.pages, "small": {**small_ingest, **small}, "large": {**large_ingest, **large},
               "per_kind": per_kind,
               "seconds_growth": round(large["median_seconds"] / small["median_seconds"], 2) if small["median_seconds"] else None,
               "cpu_seconds_growth": (round(large["median_cpu_seconds"] / small["median_cpu_seconds"], 2)
                                      if small["median_cpu_seconds"] else None)}
    _write(args.out, "growth", results, summary)


def scale(args, runner) -> None:
    out = args.out / f"scale-{args.documents}x{args.tokens}"
    pages = pages_for_tokens(parse_length(args.tokens))
    print(f"write {args.documents} documents of {pages} pages (about {args.tokens} tokens each)", file=sys.stderr)
    started = time.perf_counter()
    documents = write_documents(out / "documents", args.documents, pages=pages, seed=args.seed, prefix="volume",
                                facts=False)
    written = round(time.perf_counter() - started, 1)
    questions = [q for q in needle_part(documents, None) if q.kind == "needle"][:args.questions]
    workspace = Workspace(out / "workspace")
    try:
        ids, ingest = ingest_all(workspace, [d.path for d in documents], args.embed)
        results = []
        for number, question in enumerate(questions, start=1):
            results.append(ask(workspace, question, ids, runner, args.strategy, "scale"))
            last = results[-1]
            print(f"  {number}/{len(questions)} {last['seconds']:6.2f} s docs {last['documents_cited']:.1f} "
                  f"page {last['page_correct']} score {last['score']:.2f} read {last['read']}", file=sys.stderr)
    finally:
        workspace.close()
    summary = {"mode": "scale", "model": args.model, "strategy": args.strategy, "embed": args.embed,
               "tokens_per_document": args.tokens, "pages_per_document": pages, "generate_seconds": written,
               **ingest, **summarise(results)}
    _write(args.out, "scale", results, summary)


def select(args, _runner) -> None:
    """No model: for every question of the bench collection (`lcagent bench collection` builds and
    ingests it under OUT/collection), are its documents among those the question picks?"""
    from lcagent.agents.collection import select_documents
    from lcagent.bench.collection import build_collection
    from lcagent.query import analyse

    collection = build_collection(args.suite_out / "collection", limit=args.questions)
    workspace = Workspace(args.suite_out / "collection" / "workspace")
    try:
        ids, ingest = ingest_all(workspace, collection.documents, args.embed)
        documents = [workspace.get(doc_id) for doc_id in dict.fromkeys(ids.values())]
        results = []
        for question in collection.questions:
            wall = time.perf_counter()
            chosen = select_documents(analyse(question.question), workspace, documents).chosen
            results.append({"kind": question.kind, "index": question.index, "chosen": len(chosen),
                            "all_chosen": all(ids[path] in chosen for path in question.documents),
                            "seconds": round(time.perf_counter() - wall, 3)})
    finally:
        workspace.close()
    per_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in results):
        group = [r for r in results if r["kind"] == kind]
        per_kind[kind] = {"questions": len(group),
                          "documents_chosen_percent": round(100 * sum(r["all_chosen"] for r in group) / len(group), 1),
                          "median_chosen": statistics.median(r["chosen"] for r in group),
                          "median_seconds": statistics.median(r["seconds"] for r in group)}
    summary = {"mode": "select", **ingest, "notes": collection.notes, "per_kind": per_kind}
    _write(args.out, "select", results, summary)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["growth", "scale", "select"])
    parser.add_argument("--out", type=Path, default=Path("bench-results") / "collection-scale")
    parser.add_argument("--model", default="local", help="model spec (see `lcagent models`)")
    parser.add_argument("--strategy", default="auto")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--embed", action="store_true", help="also embed the chunks (hybrid search); default bm25 only")
    parser.add_argument("--questions", type=int, default=40, help="at most this many questions (select: per kind)")
    growth_options = parser.add_argument_group("growth")
    growth_options.add_argument("--small", type=int, default=10, help="documents that hold the answers")
    growth_options.add_argument("--large", type=int, default=100, help="the same plus distractors")
    growth_options.add_argument("--pages", type=int, default=16, help="pages per document")
    scale_options = parser.add_argument_group("scale")
    scale_options.add_argument("--documents", type=int, default=40)
    scale_options.add_argument("--tokens", default="250k", help="tokens per document (e.g. 64k, 250k)")
    select_options = parser.add_argument_group("select")
    select_options.add_argument("--suite-out", type=Path, default=Path("bench-results"),
                                help="the --out of `lcagent bench collection` (its collection is reused)")
    args = parser.parse_args(argv)
    if args.mode == "growth" and not 1 < args.small < args.large:
        parser.error("--small must be at least 2 and below --large")
    args.out.mkdir(parents=True, exist_ok=True)
    from lcagent.runners.registry import make_runner

    runner = make_runner(args.model) if args.mode != "select" else None
    {"growth": growth, "scale": scale, "select": select}[args.mode](args, runner)


if __name__ == "__main__":
    main()
