"""Ingest benchmark: tokens/s and peak memory for a large real PDF, against the
pure pypdfium2 text-extraction time of the same file (the lower bound).

    python benchmarks/ingest.py                      # Debian's fullrefman.pdf (fetched with apt-get download)
    python benchmarks/ingest.py path/to/big.pdf --repeat 3

Each measurement runs in a fresh subprocess so peak RSS is that step's own.
Target (issue 2): full ingest within 2x the extraction lower bound; re-ingest under 0.1 s.
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
    env = {**os.environ}
    output = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    if output.returncode != 0:
        raise SystemExit(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdf", nargs="?", help="PDF to ingest (default: Debian's fullrefman.pdf)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    args = parser.parse_args()
    pdf = Path(args.pdf) if args.pdf else fetch_fullrefman()

    extract = [run(EXTRACT, str(pdf)) for _ in range(args.repeat)]
    ingests, reingests = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as workspace:
            ingests.append(run(INGEST, str(pdf), workspace))
            reingests.append(run(INGEST, str(pdf), workspace))
    assert all(r["status"] == "unchanged" for r in reingests)

    lower = statistics.median(r["seconds"] for r in extract)
    full = statistics.median(r["seconds"] for r in ingests)
    again = statistics.median(r["seconds"] for r in reingests)
    tokens = ingests[0]["tokens"]
    report = {
        "file": pdf.name,
        "bytes": pdf.stat().st_size,
        "pages": ingests[0]["pages"],
        "tokens": tokens,
        "chunks": ingests[0]["chunks"],
        "pypdfium2_extract_s": round(lower, 3),
        "ingest_s": round(full, 3),
        "ratio_to_lower_bound": round(full / lower, 2),
        "ingest_tokens_per_s": round(tokens / full),
        "reingest_s": round(again, 4),
        "extract_peak_mib": round(max(r["peak_mib"] for r in extract)),
        "ingest_peak_mib": round(max(r["peak_mib"] for r in ingests)),
        "runs": args.repeat,
    }
    width = max(len(k) for k in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
