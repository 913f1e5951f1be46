"""Do an SQLite and a PostgreSQL workspace give the same answers and citations? The bench's PDF
suite and a RULER sample, every strategy asked through both, rows compared field by field.

    python benchmarks/backends.py OUT [--postgresql URL] [--suites pdf,ruler] [--limit 5]
        [--ruler-limit 1] [--lengths 4k] [--strategies rag,tools,auto] [--model local] [--no-embed]

Without --postgresql a private server is started for the run (as the tests do: initdb and
pg_ctl from the postgresql package); with it, each suite's workspace is a new schema there. Results: OUT/SUITE-sqlite.jsonl, OUT/SUITE-postgresql.jsonl
and OUT/compare.json (matches, every difference, seconds per backend), made afresh each run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the private test server

from lcagent import api  # noqa: E402
from lcagent.bench import TASKS, generate, make_pdf_samples, parse_length, run_bench  # noqa: E402
from lcagent.memory.workspace import Workspace  # noqa: E402
from lcagent.runners.registry import make_runner  # noqa: E402


def samples_for(suite: str, args, out: Path) -> list:
    if suite == "pdf":
        return make_pdf_samples(out / "pdf-docs", n=args.limit, seed=args.seed)
    return [sample for length in args.lengths.split(",") for task in TASKS
            for sample in generate(task, parse_length(length), args.ruler_limit, args.seed)]


def comparable(row) -> dict:
    return {"prediction": row.prediction, "score": row.score, "error": row.error,
            "citations": [(c.doc_id, c.page_index, c.page_label, c.quote) for c in row.citations]}


def run(args) -> dict:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from postgres_server import PostgresServer

    # Each suite gets a workspace of its own on both sides (bm25's idf counts every chunk stored).
    server = PostgresServer(args.postgresql) if args.postgresql else PostgresServer.start()
    runner = make_runner(args.model)
    report: dict = {"model": args.model, "strategies": args.strategies, "suites": {}}
    try:
        for suite in args.suites.split(","):
            samples = samples_for(suite, args, out)
            # From scratch each time: both workspaces must hold the same documents when a row is asked.
            shutil.rmtree(out / f"workspace-{suite}", ignore_errors=True)
            for stale in out.glob(f"{suite}-*.jsonl"):
                stale.unlink()
            rows, seconds = {}, {}
            schema = server.new_schema()
            for backend, spec in (("sqlite", out / f"workspace-{suite}"), ("postgresql", server.url(schema))):
                workspace = Workspace(spec)
                try:
                    def strategy(name: str):
                        return lambda sample, path: api.ask(str(path), sample.user_question(), model=runner,
                                                            strategy=name, workspace=workspace, embed=args.embed)
                    started = time.perf_counter()
                    found = run_bench(samples, {name: strategy(name) for name in args.strategies.split(",")},
                                      out / f"{suite}-{backend}.jsonl", model=args.model, progress=True)
                    seconds[backend] = round(time.perf_counter() - started, 1)
                    rows[backend] = {row.key: row for row in found}
                finally:
                    workspace.close()
            differences = []
            for key, row in rows["sqlite"].items():
                other = rows["postgresql"].get(key)
                if other is None or comparable(row) != comparable(other):
                    differences.append({"key": list(key), "sqlite": comparable(row),
                                        "postgresql": comparable(other) if other else None})
            report["suites"][suite] = {
                "rows": len(rows["sqlite"]), "matching": len(rows["sqlite"]) - len(differences),
                "cited_rows": sum(1 for row in rows["sqlite"].values() if row.citations),
                "mean_score": {b: round(sum(r.score for r in rows[b].values()) / max(len(rows[b]), 1), 3) for b in rows},
                "llm_calls": {b: sum(r.llm_calls for r in rows[b].values()) for b in rows},
                "seconds_this_run": seconds, "differences": differences,
            }
            (out / "compare.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    finally:
        server.stop()
    return report


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the private server is stopped on the way out
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--postgresql", help="a postgresql:// URL of a database to make schemas in (default: start a private server)")
    parser.add_argument("--suites", default="pdf,ruler")
    parser.add_argument("--limit", type=int, default=5, help="PDF suite samples")
    parser.add_argument("--ruler-limit", type=int, default=1, help="RULER samples per task and length")
    parser.add_argument("--lengths", default="4k")
    parser.add_argument("--strategies", default="rag,tools,auto",
                        help="full reads no search results (only page text): add it when CPU time allows")
    parser.add_argument("--model", default="local")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-embed", dest="embed", action="store_false",
                        help="skip embedding at ingest (bm25 only); by default documents are embedded, as lcagent ask does")
    args = parser.parse_args()
    report = run(args)
    for suite, result in report["suites"].items():
        print(f"{suite}: {result['matching']}/{result['rows']} rows match (answer, score, citations); "
              f"{result['cited_rows']} rows cite; mean score {result['mean_score']}; llm calls {result['llm_calls']}; "
              f"seconds {result['seconds_this_run']}")
        for difference in result["differences"][:10]:
            print("  differs:", json.dumps(difference, ensure_ascii=False)[:400])


if __name__ == "__main__":
    main()
