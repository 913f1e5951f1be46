"""Ingest benchmarks.

One big PDF, cold, against pypdfium2's own extraction of the same file (the lower bound):

    python benchmarks/ingest.py                      # Debian's fullrefman.pdf (fetched with apt-get download)
    python benchmarks/ingest.py path/to/big.pdf --repeat 5

Each repeat runs, side by side and in alternating order, (a) pypdfium2 extracting every page's
text and (b) ``ingest_file`` into a fresh workspace, each in a fresh process timed from inside
(after imports), and then (c) the same two as whole processes timed from outside: a pypdfium2
script against ``lcagent ingest``. Medians and the median of the per-repeat ratios are
reported, with each process's CPU seconds (less sensitive to other jobs on the machine).
Target (issue 15): ingest within 1.3x the extraction time; re-ingest under 0.1 s.

Many PDFs through Ray, one worker against two (issue 15 target: 2 workers >= 1.7x one):

    python benchmarks/ingest.py --many 200 --pages 4 --workers 1,2 [--embed]

The PDFs are pages of the same manual laid out again by ``lcagent.pdfgen``; a local Ray
instance with WORKERS CPUs is started for each run (its start-up is reported apart).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "lcagent-bench-data"

EXTRACT = """
import sys, time, resource, pypdfium2
t = time.perf_counter()
pdf = pypdfium2.PdfDocument(sys.argv[1])
chars = 0
for i in range(len(pdf)):
    page = pdf[i]
    textpage = page.get_textpage()
    chars += len(textpage.get_text_range())
    textpage.close(); page.close()
seconds = time.perf_counter() - t
print(__import__('json').dumps({"seconds": seconds, "pages": len(pdf), "chars": chars,
      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

INGEST = """
import sys, time, resource, json
from lcagent.memory.workspace import Workspace
from lcagent.ingest import ingest_file
from lcagent.tokens import get_encoding
get_encoding()  # tokenizer load is start-up, not ingest
ws = Workspace(sys.argv[2])
t = time.perf_counter()
result = ingest_file(ws, sys.argv[1])
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "status": result.status, "tokens": result.document.tokens,
      "pages": result.document.pages, "chunks": result.document.chunks,
      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

MANY = """
import json, sys, time
from pathlib import Path
from lcagent.cluster.ingest import ingest_on_pool
from lcagent.cluster.pools import RayPool
from lcagent.memory.workspace import Workspace
from lcagent.tokens import get_encoding
folder, workspace, workers, embed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "embed"
get_encoding()
t = time.perf_counter()
pool = RayPool(workers)
startup = time.perf_counter() - t
files = sorted(Path(folder).glob("*.pdf"))
with Workspace(workspace) as ws:
    t = time.perf_counter()
    outcomes = list(ingest_on_pool(ws, files, pool, embed_limit=1000 if embed else None))
    seconds = time.perf_counter() - t
pool.close()
errors = [o.error for o in outcomes if o.error]
pages = sum(o.result.document.pages for o in outcomes if o.result)
chunks = sum(o.result.document.chunks for o in outcomes if o.result)
print(json.dumps({"workers": workers, "startup_s": startup, "seconds": seconds, "files": len(files),
                  "pages": pages, "chunks": chunks, "errors": errors[:3],
                  "worker_busy_s": sum(o.worker_seconds for o in outcomes),
                  "worker_cpu_s": sum(o.worker_cpu_seconds for o in outcomes),
                  "driver_store_s": sum(o.store_seconds for o in outcomes),
                  "driver_store_cpu_s": sum(o.store_cpu_seconds for o in outcomes)}))
"""


def fetch_fullrefman() -> Path:
    found = glob.glob(str(CACHE / "**" / "fullrefman.pdf"), recursive=True)
    if found:
        return Path(found[0])
    CACHE.mkdir(parents=True, exist_ok=True)
    print("fetching Debian's r-doc-pdf (apt-get download, no install)...", file=sys.stderr)
    subprocess.run(["apt-get", "download", "r-doc-pdf"], cwd=CACHE, check=True)
    deb = sorted(CACHE.glob("r-doc-pdf_*.deb"))[-1]
    subprocess.run(["dpkg-deb", "-x", str(deb), str(CACHE / "x")], check=True)
    return Path(glob.glob(str(CACHE / "**" / "fullrefman.pdf"), recursive=True)[0])


def run(script: str, *args: str) -> dict:
    output = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    if output.returncode != 0:
        raise SystemExit(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def whole_process(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of running ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(process.stderr.read().decode())
    # the children's own children (extraction workers) are in RUSAGE_CHILDREN of this process
    return wall, usage.ru_utime + usage.ru_stime


def single(pdf: Path, repeat: int) -> dict:
    lcagent = str(Path(sys.executable).with_name("lcagent"))
    extract, ingests, reingests, ratios = [], [], [], []
    whole_extract, whole_ingest, whole_ratios = [], [], []
    for number in range(repeat):
        with tempfile.TemporaryDirectory() as workspace, tempfile.TemporaryDirectory() as cli_workspace:
            pair = [("extract", lambda: run(EXTRACT, str(pdf))), ("ingest", lambda: run(INGEST, str(pdf), workspace))]
            done = dict((name, step()) for name, step in (pair if number % 2 == 0 else reversed(pair)))
            extract.append(done["extract"])
            ingests.append(done["ingest"])
            ratios.append(done["ingest"]["seconds"] / done["extract"]["seconds"])
            reingests.append(run(INGEST, str(pdf), workspace))
            outside = [("extract", [sys.executable, "-c", EXTRACT, str(pdf)]),
                       ("ingest", [lcagent, "ingest", str(pdf), "-w", cli_workspace])]
            timed = dict((name, whole_process(command))
                         for name, command in (outside if number % 2 == 0 else reversed(outside)))
            whole_extract.append(timed["extract"])
            whole_ingest.append(timed["ingest"])
            whole_ratios.append(timed["ingest"][0] / timed["extract"][0])
        print(f"repeat {number + 1}: in-process {ratios[-1]:.2f}x, whole process {whole_ratios[-1]:.2f}x",
              file=sys.stderr)
    assert all(r["status"] == "unchanged" for r in reingests)
    lower = statistics.median(r["seconds"] for r in extract)
    full = statistics.median(r["seconds"] for r in ingests)
    return {
        "file": pdf.name,
        "bytes": pdf.stat().st_size,
        "pages": ingests[0]["pages"],
        "tokens": ingests[0]["tokens"],
        "chunks": ingests[0]["chunks"],
        "pypdfium2_extract_s": round(lower, 3),
        "ingest_s": round(full, 3),
        "ratio_of_medians": round(full / lower, 2),
        "median_ratio": round(statistics.median(ratios), 2),
        "ratios": [round(r, 2) for r in ratios],
        "ingest_tokens_per_s": round(ingests[0]["tokens"] / full),
        "reingest_s": round(statistics.median(r["seconds"] for r in reingests), 4),
        "whole_process_extract_s": round(statistics.median(w for w, _ in whole_extract), 3),
        "whole_process_ingest_s": round(statistics.median(w for w, _ in whole_ingest), 3),
        "whole_process_median_ratio": round(statistics.median(whole_ratios), 2),
        "whole_process_extract_cpu_s": round(statistics.median(c for _, c in whole_extract), 3),
        "whole_process_ingest_cpu_s": round(statistics.median(c for _, c in whole_ingest), 3),
        "extract_peak_mib": round(max(r["peak_mib"] for r in extract)),
        "ingest_peak_mib": round(max(r["peak_mib"] for r in ingests)),
        "runs": repeat,
    }


def make_many(count: int, pages_each: int) -> Path:
    """``count`` PDFs of ``pages_each`` pages of the R manual's text, laid out by lcagent.pdfgen."""
    folder = CACHE / f"many-{count}x{pages_each}"
    if len(list(folder.glob("*.pdf"))) == count:
        return folder
    import pypdfium2

    from lcagent.pdfgen import render_text_pdf

    folder.mkdir(parents=True, exist_ok=True)
    manual = pypdfium2.PdfDocument(str(fetch_fullrefman()))
    texts = []
    for index in range(min(len(manual), count * pages_each)):
        page = manual[index]
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range().replace("\r\n", "\n"))
        textpage.close()
        page.close()
    for number in range(count):
        chosen = [texts[(number * pages_each + offset) % len(texts)] for offset in range(pages_each)]
        render_text_pdf(chosen, folder / f"part-{number:04d}.pdf", title=f"R reference manual, part {number + 1}")
    return folder


def many(count: int, pages_each: int, workers: list[int], embed: bool) -> dict:
    folder = make_many(count, pages_each)
    runs = []
    for worker_count in workers:
        with tempfile.TemporaryDirectory() as workspace:
            result = run(MANY, str(folder), workspace, str(worker_count), "embed" if embed else "no-embed")
        result["pages_per_s"] = round(result["pages"] / result["seconds"], 1)
        # what one worker prepares, and what the one writer stores, per second of its own time
        result["worker_pages_per_busy_s"] = round(result["pages"] / result["worker_busy_s"], 1)
        result["driver_pages_stored_per_s"] = round(result["pages"] / result["driver_store_s"], 1)
        # the same per CPU second: what a dedicated core would do
        result["worker_pages_per_cpu_s"] = round(result["pages"] / result["worker_cpu_s"], 1)
        result["driver_pages_stored_per_cpu_s"] = round(result["pages"] / result["driver_store_cpu_s"], 1)
        print(json.dumps(result), file=sys.stderr)
        runs.append(result)
    base = runs[0]["seconds"]
    return {"files": count, "pages_each": pages_each, "embed": embed,
            "runs": [{**r, "seconds": round(r["seconds"], 2), "startup_s": round(r["startup_s"], 2),
                      "worker_busy_s": round(r["worker_busy_s"], 2), "driver_store_s": round(r["driver_store_s"], 2),
                      "worker_cpu_s": round(r["worker_cpu_s"], 2), "driver_store_cpu_s": round(r["driver_store_cpu_s"], 2),
                      "speedup": round(base / r["seconds"], 2)} for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdf", nargs="?", help="PDF to ingest (default: Debian's fullrefman.pdf)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    parser.add_argument("--many", type=int, metavar="N", help="ingest N PDFs through Ray instead")
    parser.add_argument("--pages", type=int, default=4, help="with --many: pages per PDF")
    parser.add_argument("--workers", default="1,2", help="with --many: worker counts to compare")
    parser.add_argument("--embed", action="store_true", help="with --many: embed on the workers too")
    args = parser.parse_args()
    if args.many:
        report = many(args.many, args.pages, [int(w) for w in args.workers.split(",")], args.embed)
    else:
        report = single(Path(args.pdf) if args.pdf else fetch_fullrefman(), args.repeat)
    width = max(len(k) for k in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
