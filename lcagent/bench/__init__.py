"""lcagent's measuring instrument: RULER regenerated, real documents, PDF page citations,
and a resumable harness that scores every strategy on every sample.

Heavy parts (the RULER data, matplotlib) load only when used; ``pip install "lcagent[bench]"``.
"""

from lcagent.bench.loogle import load_loogle
from lcagent.bench.pdfset import make_pdf_samples
from lcagent.bench.plot import plot
from lcagent.bench.reference import BenchDependencyMissing
from lcagent.bench.ruler import TASKS, generate, generate_one
from lcagent.bench.run import Row, StrategyFn, read_rows, run_bench
from lcagent.bench.sample import Needle, Sample, format_length, parse_length
from lcagent.bench.scoring import evidence_recall, f1, page_accuracy, score, string_match_all, string_match_part
from lcagent.bench.summary import Summary, print_summary, summarise, summary_tables

__all__ = [
    "TASKS", "BenchDependencyMissing", "Needle", "Row", "Sample", "StrategyFn", "Summary",
    "evidence_recall", "f1", "format_length", "generate", "generate_one", "load_loogle",
    "make_pdf_samples", "page_accuracy", "parse_length", "plot", "print_summary", "read_rows",
    "run_bench", "score", "string_match_all", "string_match_part", "summarise", "summary_tables",
]
