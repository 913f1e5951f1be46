"""Throughput against a local OpenAI-compatible server: how concurrency changes questions/s.

    python benchmarks/throughput.py                                  # lcagent serve (SmolLM2-135M)
    python benchmarks/throughput.py --questions 100 --workers 1,2,1,2 --concurrency 1,2,4
    python benchmarks/throughput.py --server stub --stub-delay 0.5   # a server that never queues
    python benchmarks/throughput.py --ray                            # batch workers on a local Ray instance

Two measurements against the same server on 127.0.0.1:

1. the server alone: the same short chat completion sent by 1, 2, 4 ... clients at once
   (requests/s, completion tokens/s): does the server serve requests side by side or queue them?
2. ``lcagent batch``: N questions about generated lighthouse registries (PDFs written by
   ``lcagent.pdfgen``; each question's answer is stated once, on one page), asked with the tools
   strategy by 1, 2 ... workers, each with its own runner against the server (questions/s,
   LLM calls per question, answers that hold the expected value). ``--reader extractive``
   (default) answers from the tools' evidence, ``--reader generative`` has the model plan the
   question and write the answer.

``--server stub`` replaces ``lcagent serve`` with a stand-in that answers every request after
``--stub-delay`` seconds, any number at once (what a vLLM server with spare batch slots looks
like from outside), to show the workers' side without a model-server bottleneck.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FILLER = ("the harbour board kept records of every season and the ledgers were copied by hand each winter while "
          "fishermen repaired their nets along the quay and the tide tables were posted at the chandlery door "
          "visitors walked the cliff path in summer and the ferry ran twice a week when the weather allowed").split()
FIRST = ["Ada", "Bram", "Cora", "Dag", "Edda", "Finn", "Greta", "Hal", "Ines", "Jon", "Kari", "Lars", "Maren", "Nils",
         "Olga", "Per", "Runa", "Sven", "Tove", "Ulf"]
LAST = ["Lindqvist", "Holt", "Berg", "Strand", "Dahl", "Vik", "Moe", "Lund", "Sand", "Aas"]
PLACES = ["Harrow", "Cape", "Isle", "Skerry", "Tarn", "Vell", "Mull", "Rook", "Gannet", "Seal", "Corran", "Drey",
          "Fenn", "Gull", "Hask", "Ivor", "Kell", "Lorn", "Mera", "Noss"]


def make_registries(folder: Path, documents: int, entries_per_document: int, seed: int = 7) -> list[dict]:
    """PDF registries of invented lighthouses and the questions each entry answers."""
    from lcagent.pdfgen import render_text_pdf

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    names = [f"{a} {b}" for a in PLACES for b in ("Point", "Head", "Rock", "Ness", "Sound")]
    rng.shuffle(names)
    for number in range(documents):
        pages = []
        for entry in range(entries_per_document):
            name = names.pop()
            keeper = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            built, automated = rng.randint(1790, 1900), rng.randint(1950, 1999)
            steps, storms = rng.randint(80, 400), rng.randint(50, 900)
            filler = " ".join(rng.choice(FILLER) for _ in range(180)).capitalize() + "."
            pages.append(f"{name} Light\n{filler}\nThe {name} light was built in {built} and automated in "
                         f"{automated}. Its last keeper, {keeper}, recorded {storms} storms. The climb to the "
                         f"gallery of {name} Light takes {steps} steps.\n{filler}")
            path = folder / f"registry-{number:02d}.pdf"
            questions += [
                {"question": f"In which year was the {name} light automated?", "answer": str(automated)},
                {"question": f"How many steps does the climb to the gallery of {name} Light take?",
                 "answer": str(steps)},
                {"question": f"How many storms did the last keeper of the {name} light record?", "answer": str(storms)},
                {"question": f"Who was the last keeper of the {name} light?", "answer": keeper},
            ]
            for question in questions[-4:]:
                question["documents"] = [str(path)]
        render_text_pdf(pages, folder / f"registry-{number:02d}.pdf", title=f"Lighthouse registry {number + 1}")
    return questions


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(base_url: str, process: subprocess.Popen | None, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(base_url + "/models", timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"no server answered at {base_url} within {timeout:.0f} s")


def chat(base_url: str, model: str) -> int:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Name three sea birds."}],
                       "max_tokens": 32, "temperature": 0}).encode()
    request = urllib.request.Request(base_url + "/chat/completions", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())["usage"]["completion_tokens"]


def server_alone(base_url: str, model: str, levels: list[int], requests_per_level: int, rounds: int) -> list[dict]:
    """Requests/s at each number of clients; the levels take turns, ``rounds`` times, and medians
    are reported, so a burst of other work on the machine does not land on one level only."""
    chat(base_url, model)  # warm: the first completion loads caches
    seen: dict[int, list[tuple[float, int]]] = {clients: [] for clients in levels}
    for _ in range(rounds):
        for clients in levels:
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                tokens = sum(pool.map(lambda _: chat(base_url, model), range(requests_per_level)))
            seen[clients].append((time.perf_counter() - started, tokens))
            print(json.dumps({"clients": clients, "seconds": round(seen[clients][-1][0], 2)}), file=sys.stderr)
    rows = []
    for clients, runs in seen.items():
        seconds = statistics.median(run[0] for run in runs)
        tokens = statistics.median(run[1] for run in runs)
        rows.append({"clients": clients, "requests": requests_per_level, "rounds": rounds,
                     "median_seconds": round(seconds, 2), "requests_per_s": round(requests_per_level / seconds, 3),
                     "completion_tokens_per_s": round(tokens / seconds, 1),
                     "all_seconds": [round(run[0], 2) for run in runs]})
    return rows


def batch_runs(base_url: str, model: str, workers: list[int], count: int, use_ray: bool, out: Path,
               reader: str) -> dict:
    from lcagent.cluster.batch import WorkerSetup, run_batch
    from lcagent.cluster.pools import LocalPool, RayPool
    from lcagent.ingest import ingest_file
    from lcagent.memory.workspace import Workspace

    documents = max(1, count // 20)
    questions = make_registries(out / "registries", documents, entries_per_document=5)[:count]
    questions_file = out / "questions.jsonl"
    questions_file.write_text("".join(json.dumps({"id": f"q{n:03d}", "question": q["question"],
                                                  "documents": q["documents"],
                                                  "options": {"strategy": "tools", "reader": reader}}) + "\n"
                                      for n, q in enumerate(questions)), encoding="utf-8")
    expected = {f"q{n:03d}": q["answer"] for n, q in enumerate(questions)}
    runs = []
    with Workspace(out / "workspace") as ws:
        for path in sorted((out / "registries").glob("*.pdf")):
            ingest_file(ws, path)
        setup = WorkerSetup(str(ws.path), f"openai:{model}@{base_url}", timeout=600, retries=0)
        for worker_count in workers:
            started = time.perf_counter()
            pool = RayPool(worker_count) if use_ray else LocalPool(worker_count)
            pool_start = time.perf_counter() - started
            answers = out / f"answers-{worker_count}.jsonl"
            answers.unlink(missing_ok=True)
            try:
                report = run_batch(questions_file, answers, pool, ws, setup, embed=False)
            finally:
                pool.close()
            rows = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines()]
            correct = sum(1 for row in rows if row["answer"] and expected[row["id"]].lower() in row["answer"].lower())
            calls = [row["usage"].get("llm_calls", 0) for row in rows if not row["error"]]
            runs.append({"workers": worker_count, "pool": report.pool, "pool_start_s": round(pool_start, 2),
                         "seconds": round(report.seconds, 2), "answered": report.answered, "failed": report.failed,
                         "questions_per_s": round(report.questions_per_second(), 3),
                         "llm_calls_per_question": round(statistics.mean(calls), 2) if calls else 0,
                         "correct": correct})
            print(json.dumps(runs[-1]), file=sys.stderr)
    # a worker count given more than once (--workers 1,2,1,2: runs take turns) is summarised by medians
    summary = []
    for worker_count in dict.fromkeys(run["workers"] for run in runs):
        same = [run for run in runs if run["workers"] == worker_count]
        seconds = statistics.median(run["seconds"] for run in same)
        summary.append({"workers": worker_count, "runs": len(same), "median_seconds": round(seconds, 2),
                        "questions_per_s": round(len(questions) / seconds, 3)})
    for row in summary:
        row["speedup"] = round(summary[0]["median_seconds"] / row["median_seconds"], 2)
    return {"questions": len(questions), "documents": documents, "strategy": "tools", "reader": reader,
            "summary": summary, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=["serve", "stub"], default="serve")
    parser.add_argument("--stub-delay", type=float, default=0.5, help="seconds the stub takes per request")
    parser.add_argument("--threads", type=int, default=None, help="lcagent serve --threads")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--concurrency", default="1,2,4", help="clients sending to the server at once")
    parser.add_argument("--requests", type=int, default=4, help="requests per concurrency level and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the concurrency levels (medians reported)")
    parser.add_argument("--ray", action="store_true", help="batch workers on a local Ray instance")
    parser.add_argument("--reader", choices=["extractive", "generative"], default="extractive",
                        help="extractive answers from the tools' evidence (few or no model calls); generative "
                        "has the model plan the question and write the answer (about 3 calls a question)")
    parser.add_argument("--out", type=Path, help="folder for the documents, workspace and answers (default: temp)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="lcagent-throughput-"))
    out.mkdir(parents=True, exist_ok=True)
    process = stub = None
    try:
        if args.server == "serve":
            port = free_port()
            command = [str(Path(sys.executable).with_name("lcagent")), "serve", "--port", str(port)]
            if args.threads:
                command += ["--threads", str(args.threads)]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            base_url, model = f"http://127.0.0.1:{port}/v1", "smollm2-135m"
            wait_until_ready(base_url, process)
        else:
            sys.path.insert(0, str(REPO))
            from tests.cluster.openai_stub import OpenAIStub

            stub = OpenAIStub(text="not found", delay=args.stub_delay).__enter__()
            base_url, model = stub.base_url, "stub-model"
        report = {
            "server": args.server if args.server == "serve" else f"stub ({args.stub_delay} s a request)",
            "server_alone": server_alone(base_url, model, [int(c) for c in args.concurrency.split(",")], args.requests,
                                         args.rounds),
            "batch": batch_runs(base_url, model, [int(w) for w in args.workers.split(",")], args.questions, args.ray,
                                out, args.reader),
            "out": str(out),
        }
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # it finishes a request in flight first; do not wait for it
                process.kill()
                process.wait()
        if stub is not None:
            stub.__exit__(None, None, None)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
