"""Embedding benchmark: pages/s and chunks/s of ingest without and with dense embeddings on a
real ~200-page PDF, plus what the vectors cost on disk.

    python benchmarks/embed.py                  # Debian's policy.pdf (apt-get download debian-policy)
    python benchmarks/embed.py --pdf R-intro    # R-intro.pdf from r-doc-pdf
    python benchmarks/embed.py path/to.pdf --threads 1

Each measurement runs in a fresh process (a cold model load is part of "with embeddings").
CPU seconds are reported beside wall seconds: on a shared machine the wall clock mostly
measures the neighbours, and CPU seconds / threads is what an idle machine would take.
Target (issue 11): a 200-page filing (about 600 chunks) ingested with embeddings in 60 s on 2 cores.
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
SOURCES = {  # name: (Debian package, file inside it)
    "policy": ("debian-policy", "policy.pdf"),
    "R-intro": ("r-doc-pdf", "R-intro.pdf"),
}

INGEST = """
import json, os, resource, sys, time
from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace
from lcagent.retrieval.indexing import EmbedOptions
from lcagent.tokens import get_encoding
get_encoding()  # tokenizer load is start-up, not ingest
pdf, folder, embed = sys.argv[1], sys.argv[2], sys.argv[3] == "embed"
ws = Workspace(folder)
wall, cpu = time.perf_counter(), time.process_time()
result = ingest_file(ws, pdf, embed=EmbedOptions(limit=None) if embed else None)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
ws.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
report = result.embedding
print(json.dumps({
    "seconds": wall, "cpu_seconds": cpu, "pages": result.document.pages, "chunks": result.document.chunks,
    "tokens": result.document.tokens, "db_bytes": os.path.getsize(os.path.join(folder, "workspace.db")),
    "embed_seconds": report.seconds if report else 0.0, "vectors": report.windows if report else 0,
    "skipped": report.skipped if report else None,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def fetch(name: str) -> Path:
    package, filename = SOURCES[name]
    found = glob.glob(str(CACHE / "**" / filename), recursive=True)
    if found:
        return Path(found[0])
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"fetching Debian's {package} (apt-get download, no install)...", file=sys.stderr)
    subprocess.run(["apt-get", "download", package], cwd=CACHE, check=True)
    deb = sorted(CACHE.glob(f"{package}_*.deb"))[-1]
    subprocess.run(["dpkg-deb", "-x", str(deb), str(CACHE / package)], check=True)
    for packed in glob.glob(str(CACHE / package / "**" / f"{filename}.gz"), recursive=True):
        subprocess.run(["gunzip", "-kf", packed], check=True)
    return Path(glob.glob(str(CACHE / "**" / filename), recursive=True)[0])


def run(pdf: Path, embed: bool, threads: int | None) -> dict:
    env = dict(os.environ)
    if threads:
        env["LCAGENT_EMBED_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-c", INGEST, str(pdf), folder, "embed" if embed else "plain"],
                              capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["skipped"]:
        raise SystemExit(f"embedding was skipped: {result['skipped']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", help="a PDF to ingest (default: --pdf)")
    parser.add_argument("--pdf", choices=sorted(SOURCES), default="policy", help="which Debian PDF to fetch")
    parser.add_argument("--threads", type=int, help="onnxruntime threads (default: LCAGENT_EMBED_THREADS or the cores, at most 4)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; medians are reported")
    args = parser.parse_args()
    pdf = Path(args.path) if args.path else fetch(args.pdf)

    plain = [run(pdf, False, args.threads) for _ in range(args.repeat)]
    embedded = [run(pdf, True, args.threads) for _ in range(args.repeat)]
    median = lambda rows, key: statistics.median(row[key] for row in rows)  # noqa: E731
    pages, chunks = plain[0]["pages"], plain[0]["chunks"]
    threads = args.threads or int(os.environ.get("LCAGENT_EMBED_THREADS") or min(os.cpu_count() or 1, 4))
    plain_s, embed_s, embed_cpu = median(plain, "seconds"), median(embedded, "seconds"), median(embedded, "cpu_seconds")
    embedding_only_cpu = embed_cpu - median(plain, "cpu_seconds")
    report = {
        "file": pdf.name,
        "pages": pages,
        "chunks": chunks,
        "tokens": plain[0]["tokens"],
        "vectors": embedded[0]["vectors"],
        "threads": threads,
        "load_average": round(os.getloadavg()[0], 1),
        "ingest_s": round(plain_s, 2),
        "ingest_pages_per_s": round(pages / plain_s, 1),
        "ingest_chunks_per_s": round(chunks / plain_s, 1),
        "ingest_with_embeddings_s": round(embed_s, 2),
        "ingest_with_embeddings_cpu_s": round(embed_cpu, 2),
        "with_embeddings_pages_per_s": round(pages / embed_s, 2),
        "with_embeddings_chunks_per_s": round(chunks / embed_s, 2),
        "embedding_chunks_per_cpu_s": round(chunks / embedding_only_cpu, 2),
        # an idle machine runs the threads side by side: CPU seconds / threads is its wall time
        "idle_estimate_600_chunks_s": round(600 / (chunks / embedding_only_cpu) / threads + plain_s * 600 / chunks, 1),
        "vectors_mib": round((embedded[0]["db_bytes"] - plain[0]["db_bytes"]) / 2**20, 2),
        "peak_mib": round(max(row["peak_mib"] for row in embedded)),
        "runs": args.repeat,
    }
    width = max(len(key) for key in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
