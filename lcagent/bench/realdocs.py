"""Real long PDFs with questions and page-level gold evidence (prepared from MMLongBench-Doc).

The questions are read from a prepared folder (``benchmarks/realdocs/prepare.py``); every
strategy, and a bm25 top-5 baseline that uses no model, is scored on the pages it cites, the
pages it handed its reader, its answer, and whether it says "not found" when it must.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from lcagent.bench.answer_match import answer_score
from lcagent.bench.loogle import length_bucket
from lcagent.bench.run import Row, StrategyFn, run_bench
from lcagent.bench.sample import Sample
from lcagent.bench.scoring import page_accuracy
from lcagent.records import Answer, Citation, Usage

ENV_VAR = "LCAGENT_REALDOCS_DIR"
SPLITS = ("dev", "test")
BASELINE = "bm25"  # the model-free baseline's strategy name
RECALL_K = 5
QUESTIONS_FILE = "questions.jsonl"
DOCUMENTS_DIR = "documents"
PREPARE_HINT = ("prepare it with `python benchmarks/realdocs/prepare.py --source MMLONGBENCH_CHECKOUT --out DIR` "
                f"(see benchmarks/realdocs/README.md), then pass --data DIR or set {ENV_VAR}")


@dataclass(frozen=True)
class RealDocQuestion:
    """One question about one PDF, with its gold answer and the 1-based pages that hold it."""

    id: str
    index: int  # stable number: the row key in results files
    doc: str  # file name under the data folder's documents/
    question: str
    answer: str
    evidence_pages: tuple[int, ...]
    evidence_sources: tuple[str, ...]
    answer_format: str
    answerable: bool
    split: str
    kind: str = ""
    origin: str = ""  # where the question comes from (for one asked of another document: its source)

    @property
    def task(self) -> str:
        return task_name(self.split, self.answerable)

    @classmethod
    def from_dict(cls, data: dict) -> "RealDocQuestion":
        fields = dict(data)
        fields["evidence_pages"] = tuple(int(page) for page in fields.get("evidence_pages", ()))
        fields["evidence_sources"] = tuple(fields.get("evidence_sources", ()))
        return cls(**fields)


def task_name(split: str, answerable: bool) -> str:
    """Rows carry their split and answerability in the task name, so a results file explains itself."""
    return f"realdocs_{split}_{'answerable' if answerable else 'unanswerable'}"


def default_data_dir() -> Path:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "benchmarks" / "realdocs" / "data"


def load_realdocs(directory: str | Path | None = None, splits: Sequence[str] = SPLITS,
                  limit: int | None = None) -> list[RealDocQuestion]:
    """Questions of the chosen splits. With ``limit``, at most that many per split and
    answerability, taken round-robin over the documents so a short run still sees many of them."""
    folder = Path(directory) if directory is not None else default_data_dir()
    bad = [split for split in splits if split not in SPLITS]
    if bad:
        raise ValueError(f"unknown realdocs splits {bad}; use {' or '.join(SPLITS)}")
    path = folder / QUESTIONS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no prepared realdocs data in {folder}: {PREPARE_HINT}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                questions.append(RealDocQuestion.from_dict(json.loads(line)))
            except (json.JSONDecodeError, TypeError) as error:
                raise ValueError(f"{path}:{number} is not a realdocs question ({error}); {PREPARE_HINT}") from None
    missing = sorted({q.doc for q in questions if not (folder / DOCUMENTS_DIR / q.doc).is_file()})
    if missing:
        raise FileNotFoundError(f"{len(missing)} PDFs missing under {folder / DOCUMENTS_DIR} "
                                f"(first: {missing[0]}): {PREPARE_HINT}")
    chosen = [q for q in questions if q.split in splits]
    if limit is None:
        return chosen
    picked: list[RealDocQuestion] = []
    for split in splits:
        for answerable in (True, False):
            group = [q for q in chosen if q.split == split and q.answerable == answerable]
            picked += _round_robin(group)[:limit]
    return picked


def _round_robin(questions: list[RealDocQuestion]) -> list[RealDocQuestion]:
    by_doc: dict[str, list[RealDocQuestion]] = {}
    for question in questions:
        by_doc.setdefault(question.doc, []).append(question)
    queues = list(by_doc.values())
    ordered = []
    for depth in range(max((len(queue) for queue in queues), default=0)):
        ordered += [queue[depth] for queue in queues if depth < len(queue)]
    return ordered


# --- scores ------------------------------------------------------------------------------------
def page_correct(citations: Sequence[Citation], gold_pages: Sequence[int]) -> bool:
    """Is a gold evidence page (1-based) among the pages the answer cites?"""
    return page_accuracy(citations, gold_pages)


def evidence_recall_at_k(evidence_pages: Sequence[Sequence], gold_pages: Sequence[int], k: int = RECALL_K) -> float:
    """1.0 when a gold page is among the first ``k`` pages handed to the reader (``Answer.evidence_pages``,
    best first, as (doc_id, page_index)); 0.0 when none is, or when the strategy reported none."""
    gold = set(gold_pages)
    return float(any(int(page) in gold for _doc_id, page in list(evidence_pages)[:k]))


def score_realdoc(question: RealDocQuestion, sample: Sample, strategy: str, model: str, answer: Answer,
                  seconds: float) -> Row:
    """The row for one answer. An unanswerable question scores 1 when the answer is "not found"."""
    not_found = not answer.found
    if question.answerable:
        score = 0.0 if not_found else answer_score(answer.text, question.answer)
    else:
        score = float(not_found)
    return Row(
        task=sample.task, length=sample.length, index=sample.index, strategy=strategy, model=model,
        prediction=answer.text, score=score, citations=list(answer.citations),
        page_correct=page_correct(answer.citations, question.evidence_pages) if question.answerable else None,
        evidence_recall_at_5=(evidence_recall_at_k(answer.evidence_pages, question.evidence_pages)
                              if question.answerable else None),
        not_found=not_found, seconds=round(seconds, 3), llm_calls=answer.usage.llm_calls,
        prompt_tokens=answer.usage.prompt_tokens, completion_tokens=answer.usage.completion_tokens,
        sample_tokens=sample.tokens,
    )


# --- the model-free baseline -------------------------------------------------------------------
def bm25_baseline(workspace, k: int = RECALL_K) -> Callable[[str, str], Answer]:
    """bm25 top-``k`` chunks of the stored document: cite the best sentence of each (on its own
    page), answer with the top one. What every strategy's page scores must beat."""
    from lcagent.agents.reader import NOT_FOUND
    from lcagent.tools.text import overlap_score, sentences, terms

    def answer(doc_id: str, question: str) -> Answer:
        hits = workspace.search(question, doc_ids=[doc_id], k=k)
        wanted = terms(question)
        citations: list[Citation] = []
        for hit in hits:
            spans = sentences(hit.chunk.text) or []
            if not spans:
                continue
            best = max(spans, key=lambda span: overlap_score(span.text, wanted))  # first of equals
            page_index, page_label = workspace.page_at(doc_id, hit.chunk.char_start + best.start)
            citations.append(Citation(doc_id, page_index, page_label, best.text, hit.doc_name))
        pages = list(dict.fromkeys((c.doc_id, c.page_index) for c in citations))
        if not citations:
            return Answer(question, NOT_FOUND, [], Usage(), BASELINE, "bm25 found no passage", found=False,
                          doc_ids=[doc_id])
        return Answer(question, citations[0].quote, citations, Usage(), BASELINE,
                      f"bm25 top-{k} chunks, no model", doc_ids=[doc_id], evidence_pages=pages)

    return answer


# --- the run -----------------------------------------------------------------------------------
def bench_realdocs(*, strategies: Sequence[str], models: Sequence[str], out: Path, data_dir: str | Path | None = None,
                   splits: Sequence[str] = SPLITS, limit: int | None = None, reader: str = "auto",
                   progress: bool = True, say: Callable[[str], None] = lambda _line: None) -> list[Row]:
    """Run ``strategies`` (lcagent's, plus ``bm25``) on the prepared questions; rows go to
    ``out/realdocs.jsonl`` through the resumable harness. Documents are ingested first, so the
    seconds of a row are the question's alone."""
    from lcagent import api
    from lcagent.agents.router import STRATEGIES
    from lcagent.ingest import ingest_file
    from lcagent.memory.workspace import Workspace

    unknown = [name for name in strategies if name != BASELINE and name not in STRATEGIES]
    if unknown:
        raise ValueError(f"unknown strategies {unknown}; choose from {BASELINE}, {', '.join(STRATEGIES)}")
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    questions = load_realdocs(folder, splits, limit)
    out.mkdir(parents=True, exist_ok=True)
    results = out / "realdocs.jsonl"
    workspace = Workspace(out / "workspace")
    try:
        documents = {}
        for name in sorted({q.doc for q in questions}):
            say(f"ingest {name}")
            documents[name] = ingest_file(workspace, folder / DOCUMENTS_DIR / name).document
        by_index = {q.index: q for q in questions}
        samples = [Sample(task=q.task, length=length_bucket(documents[q.doc].tokens), index=q.index, context="",
                          question=q.question, answers=[q.answer], metric="f1", tokens=documents[q.doc].tokens,
                          document_path=str(folder / DOCUMENTS_DIR / q.doc), title=q.doc)
                   for q in questions]
        say(f"{len(samples)} questions over {len(documents)} documents x {len(strategies)} strategies")

        def scorer(sample: Sample, strategy: str, model: str, answer: Answer, seconds: float) -> Row:
            return score_realdoc(by_index[sample.index], sample, strategy, model, answer, seconds)

        rows: list[Row] = []
        if BASELINE in strategies:
            baseline = bm25_baseline(workspace)
            rows += run_bench(samples, {BASELINE: lambda s, _path: baseline(documents[s.title].id, s.question)},
                              results, model="", progress=progress, scorer=scorer)
        chosen = [name for name in strategies if name != BASELINE]
        for model_spec in models if chosen else []:
            from lcagent.runners.registry import make_runner

            runner = make_runner(model_spec)

            def ask_with(name: str) -> StrategyFn:
                def answer(sample: Sample, path: Path) -> Answer:
                    return api.ask(path, sample.question, model=runner, strategy=name, workspace=workspace,
                                   reader=reader)
                return answer

            named = {(name if reader == "auto" else f"{name}/{reader}"): ask_with(name) for name in chosen}
            rows += run_bench(samples, named, results, model=model_spec, progress=progress, scorer=scorer)
        return rows
    finally:
        workspace.close()
