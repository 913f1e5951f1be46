"""The collection suite: one workspace of 50+ documents (LooGLE's articles, the realdocs and
filings PDFs when prepared, generated needle documents), questions asked of the whole collection
without naming their document beside the same questions asked of the right document(s).

Single-document questions score whether the right document is among the citations and the
answer both ways; questions that need two documents (two needles, a comparison) score whether
both documents are cited. Rows go through the resumable harness (``OUT/collection.jsonl``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from lcagent.bench.answer_match import answer_score
from lcagent.bench.collection_docs import GeneratedDocument, comparison_pairs, write_documents
from lcagent.bench.loogle import length_bucket, load_loogle
from lcagent.bench.run import Row, run_bench
from lcagent.bench.sample import Sample
from lcagent.bench.scoring import evidence_recall, f1, string_match_all
from lcagent.records import Answer, Citation

SINGLE_KINDS = ("needle", "loogle", "realdocs", "filings")
PAIR_KINDS = ("two_needles", "compare")
KINDS = SINGLE_KINDS + PAIR_KINDS
SCOPES = ("collection", "document")  # asked of every document, or of the right one(s) only
MIN_DOCUMENTS = 50
NEEDLE_DOCUMENTS = 12
TASK_PREFIX = "collection_"
REPO_ROOT = Path(__file__).resolve().parents[2]
FILINGS_ENV = "LCAGENT_FILINGS_DIR"


@dataclass(frozen=True)
class CollectionQuestion:
    """One question, the documents that hold its answer and how its answer is scored."""

    kind: str
    index: int  # stable within its kind: the row key
    question: str  # exactly what is asked
    answers: tuple[str, ...]
    scoring: str  # "match_all" (every value named), "f1", "answer" (realdocs matching), "option" (first is right)
    documents: tuple[Path, ...]
    pages: tuple[tuple[Path, int], ...] = ()  # gold (document, 1-based page) pairs, where known
    evidence: tuple[str, ...] = ()  # gold sentences (LooGLE)

    @property
    def task(self) -> str:
        return TASK_PREFIX + self.kind


@dataclass
class Collection:
    documents: list[Path]
    questions: list[CollectionQuestion]
    notes: list[str] = field(default_factory=list)  # sources left out, and why


def default_filings_dir() -> Path:
    """``$LCAGENT_FILINGS_DIR``, else benchmarks/filings/data (made by benchmarks/filings/prepare.py)."""
    configured = os.environ.get(FILINGS_ENV)
    return Path(configured) if configured else REPO_ROOT / "benchmarks" / "filings" / "data"


def scope_of(strategy: str) -> tuple[str, str]:
    """``"auto@collection"`` -> ("auto", "collection")."""
    name, _, scope = strategy.rpartition("@")
    return name, scope


# --- the documents and questions ---------------------------------------------------------------
def _round_robin(groups: dict[str, list]) -> list:
    queues = list(groups.values())
    return [queue[depth] for depth in range(max(map(len, queues), default=0)) for queue in queues if depth < len(queue)]


def _slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:80] or "article"


def loogle_part(folder: Path | None, docs_dir: Path, limit: int | None) -> tuple[list[Path], list[CollectionQuestion]]:
    """Every LooGLE article (both files) as a text file named by its title; the short-dependency
    questions that have evidence, taken round-robin over the articles."""
    asked = load_loogle("shortdep", folder)
    articles = {sample.title: sample.context for sample in asked}
    try:
        for sample in load_loogle("longdep", folder):  # more articles, no questions from them
            articles.setdefault(sample.title, sample.context)
    except FileNotFoundError:
        pass
    docs_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for title, text in articles.items():
        path = docs_dir / f"{_slug(title)}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths[title] = path
    by_title: dict[str, list[Sample]] = {}
    for sample in asked:
        if sample.evidence:
            by_title.setdefault(sample.title, []).append(sample)
    questions = [CollectionQuestion("loogle", sample.index, sample.user_question(), tuple(sample.answers), "f1",
                                    (paths[sample.title],), evidence=tuple(sample.evidence))
                 for sample in _round_robin(by_title)[:limit]]
    return list(paths.values()), questions


def realdocs_part(folder: Path, kind: str, limit: int | None) -> tuple[list[Path], list[CollectionQuestion]]:
    """All PDFs of a prepared realdocs-format folder; its answerable questions round-robin over them."""
    from lcagent.bench.realdocs import DOCUMENTS_DIR, load_realdocs

    loaded = load_realdocs(folder)
    documents = sorted({folder / DOCUMENTS_DIR / q.doc for q in loaded})
    by_doc: dict[str, list] = {}
    for q in loaded:
        if q.answerable:
            by_doc.setdefault(q.doc, []).append(q)
    questions = []
    for q in _round_robin(by_doc)[:limit]:
        path = folder / DOCUMENTS_DIR / q.doc
        questions.append(CollectionQuestion(kind, q.index, " ".join(q.question.split()), (q.answer,), "answer",
                                            (path,), tuple((path, page) for page in q.evidence_pages)))
    return documents, questions


def needle_question(keys: Sequence[str]) -> str:
    """RULER's needle question for one or more keys, as a user asks it (RULER's join: "a, and b")."""
    from lcagent.bench.ruler.niah import NiahConfig, niah_prompt

    query = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + ", and " + keys[-1]
    config = NiahConfig("essay", "words", "numbers", num_keys=len(keys), num_queries=len(keys))
    parts = niah_prompt(config, query)
    return Sample(task="needle", length=0, index=0, context="", question=parts.question, answers=["-"],
                  metric="string_match_all").user_question()


def needle_part(documents: list[GeneratedDocument], limit: int | None) -> list[CollectionQuestion]:
    """One question per needle; two-needle questions pairing documents half the collection apart;
    one comparison per pair of fact documents."""
    with_needles = [d for d in documents if d.needle]
    single = [CollectionQuestion("needle", number, needle_question([d.needle.key]), (d.needle.value,), "match_all",
                                 (d.path,), ((d.path, d.needle.page),))
              for number, d in enumerate(with_needles)]
    half = len(with_needles) // 2
    pairs = []
    for number in range(half):
        first, second = with_needles[number], with_needles[number + half]
        pairs.append(CollectionQuestion(
            "two_needles", number, needle_question([first.needle.key, second.needle.key]),
            (first.needle.value, second.needle.value), "match_all", (first.path, second.path),
            ((first.path, first.needle.page), (second.path, second.needle.page))))
    compared = []
    for number, (question, right, first, second) in enumerate(comparison_pairs(documents)):
        other = second.fact.subject if right == first.fact.subject else first.fact.subject
        compared.append(CollectionQuestion("compare", number, question, (right, other), "option",
                                           (first.path, second.path),
                                           ((first.path, first.fact.page), (second.path, second.fact.page))))
    return single[:limit] + pairs[:limit] + compared[:limit]


def build_collection(out_dir: Path, *, kinds: Sequence[str] = KINDS, limit: int | None = None,
                     loogle_dir: Path | None = None, realdocs_dir: Path | None = None,
                     filings_dir: Path | None = None, needle_documents: int = NEEDLE_DOCUMENTS,
                     needle_pages: int = 16, min_documents: int = MIN_DOCUMENTS, seed: int = 42) -> Collection:
    """Gather the documents (all of each source, whatever ``kinds`` asks about) and the questions
    of ``kinds``, at most ``limit`` per kind. A source that is not there is left out with a note;
    generated needle documents fill the collection up to ``min_documents``."""
    from lcagent.bench.realdocs import default_data_dir

    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown collection kinds {unknown}; choose from {', '.join(KINDS)}")
    documents: list[Path] = []
    questions: list[CollectionQuestion] = []
    notes: list[str] = []
    try:
        paths, asked = loogle_part(loogle_dir, out_dir / "loogle", limit)
        documents += paths
        questions += asked
    except FileNotFoundError as missing:
        notes.append(f"LooGLE left out: {missing}")
    for kind, folder in (("realdocs", realdocs_dir or default_data_dir()), ("filings", filings_dir or default_filings_dir())):
        try:
            paths, asked = realdocs_part(Path(folder), kind, limit)
        except FileNotFoundError as missing:
            notes.append(f"{kind} left out: {missing}")
            continue
        documents += paths
        questions += asked
    count = max(needle_documents, min_documents - len(documents))
    generated = write_documents(out_dir / "needles", count + count % 2, pages=needle_pages, seed=seed, prefix="essays")
    documents += [d.path for d in generated]
    questions += needle_part(generated, limit)
    return Collection(documents, [q for q in questions if q.kind in kinds], notes)


# --- scores ------------------------------------------------------------------------------------
def option_score(prediction: str, right: str, other: str) -> float:
    """1 when the answer names the right option, and names it before the other if it names both."""
    text = prediction.lower()
    at_right, at_other = text.find(right.lower()), text.find(other.lower())
    return float(at_right >= 0 and (at_other < 0 or at_right < at_other))


def answer_points(question: CollectionQuestion, answer: Answer) -> float:
    if question.scoring == "match_all":
        return string_match_all(answer.text, question.answers)
    if question.scoring == "f1":
        return f1(answer.text, question.answers)
    if question.scoring == "answer":
        return answer_score(answer.text, question.answers[0]) if answer.found else 0.0
    if question.scoring == "option":
        return option_score(answer.text, *question.answers[:2])
    raise ValueError(f"unknown scoring {question.scoring!r}")


def documents_cited(citations: Sequence[Citation], gold_ids: Sequence[str]) -> float:
    """Share of the question's documents that some citation names."""
    cited = {citation.doc_id for citation in citations}
    return sum(1 for doc_id in gold_ids if doc_id in cited) / len(gold_ids)


def pages_cited(citations: Sequence[Citation], gold_pages: Sequence[tuple[str, int]]) -> bool:
    """Does every document with gold pages have a citation on one of them (its own document's)?"""
    wanted: dict[str, set[int]] = {}
    for doc_id, page in gold_pages:
        wanted.setdefault(doc_id, set()).add(page)
    cited = {(citation.doc_id, citation.page_index) for citation in citations}
    return all(any((doc_id, page) in cited for page in pages) for doc_id, pages in wanted.items())


def score_question(question: CollectionQuestion, ids: dict[Path, str], sample: Sample, strategy: str, model: str,
                   answer: Answer, seconds: float) -> Row:
    gold_pages = [(ids[path], page) for path, page in question.pages]
    return Row(
        task=sample.task, length=sample.length, index=sample.index, strategy=strategy, model=model,
        prediction=answer.text, score=answer_points(question, answer), citations=list(answer.citations),
        page_correct=pages_cited(answer.citations, gold_pages) if gold_pages else None,
        evidence_recall=(evidence_recall(question.evidence, [c.quote for c in answer.citations])
                         if question.evidence else None),
        not_found=not answer.found,
        documents_cited=documents_cited(answer.citations, [ids[path] for path in question.documents]),
        seconds=round(seconds, 3), llm_calls=answer.usage.llm_calls, prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens, sample_tokens=sample.tokens,
    )


# --- the run -----------------------------------------------------------------------------------
def _ingest(workspace, paths: Sequence[Path], say: Callable[[str], None], embed: bool) -> dict[Path, object]:
    from lcagent.ingest import ingest_file

    options = None
    if embed:
        from lcagent.retrieval.indexing import EmbedOptions

        options = EmbedOptions()
    documents = {}
    for number, path in enumerate(paths, start=1):
        say(f"ingest {number}/{len(paths)} {path.name}")
        documents[path] = ingest_file(workspace, path, embed=options).document
    return documents


def bench_collection(*, strategies: Sequence[str], models: Sequence, out: Path, kinds: Sequence[str] = KINDS,
                     limit: int | None = None, scopes: Sequence[str] = SCOPES, reader: str = "auto",
                     progress: bool = True, say: Callable[[str], None] = lambda _line: None, embed: bool = False,
                     **sources) -> list[Row]:
    """Ingest the collection into ``out/collection/workspace`` and the questions' own documents
    into ``out/collection/documents-workspace`` (so memory written while answering one scope never
    helps the other), then ask every question in each scope with each strategy and model (a spec
    or a Runner). ``sources``: build_collection's folders and sizes. Ingest is not timed; with
    ``embed`` False (the default) retrieval is bm25 alone."""
    from lcagent import api
    from lcagent.agents.router import STRATEGIES
    from lcagent.memory.workspace import Workspace
    from lcagent.runners.base import Runner

    unknown = [name for name in strategies if name not in STRATEGIES]
    if unknown:
        raise ValueError(f"unknown strategies {unknown}; choose from {', '.join(STRATEGIES)}")
    bad_scopes = [scope for scope in scopes if scope not in SCOPES]
    if bad_scopes:
        raise ValueError(f"unknown scopes {bad_scopes}; choose from {', '.join(SCOPES)}")
    folder = out / "collection"
    collection = build_collection(folder, kinds=kinds, limit=limit, **sources)
    for note in collection.notes:
        say(note)
    say(f"{len(collection.documents)} documents, {len(collection.questions)} questions "
        f"x {len(strategies)} strategies x {len(scopes)} scopes")
    whole = Workspace(folder / "workspace")
    own = Workspace(folder / "documents-workspace") if "document" in scopes else None
    try:
        stored = _ingest(whole, collection.documents, say, embed)
        if own is not None:
            needed = list(dict.fromkeys(path for q in collection.questions for path in q.documents))
            _ingest(own, needed, say, embed)
        ids = {path: document.id for path, document in stored.items()}
        every_id = list(dict.fromkeys(ids.values()))
        by_key = {(q.task, q.index): q for q in collection.questions}
        samples = [Sample(task=q.task, length=length_bucket(sum(stored[p].tokens for p in q.documents)),
                          index=q.index, context="", question=q.question, answers=list(q.answers), metric="f1",
                          tokens=sum(stored[p].tokens for p in q.documents), document_path=str(q.documents[0]))
                   for q in collection.questions]

        def scorer(sample: Sample, strategy: str, model: str, answer: Answer, seconds: float) -> Row:
            return score_question(by_key[(sample.task, sample.index)], ids, sample, strategy, model, answer, seconds)

        rows: list[Row] = []
        for model in models:
            runner = model if isinstance(model, Runner) else _make_runner(model)
            label = model if isinstance(model, str) else runner.describe()

            def ask_with(name: str, scope: str):
                workspace = whole if scope == "collection" else own

                def answer(sample: Sample, _path: Path) -> Answer:
                    question = by_key[(sample.task, sample.index)]
                    targets = every_id if scope == "collection" else [ids[p] for p in question.documents]
                    return api.ask(targets, question.question, model=runner, strategy=name, workspace=workspace,
                                   reader=reader, ingest=False, embed=embed)
                return answer

            reader_part = "" if reader == "auto" else f"/{reader}"
            named = {f"{name}{reader_part}@{scope}": ask_with(name, scope) for name in strategies for scope in scopes}
            rows += run_bench(samples, named, out / "collection.jsonl", model=label, progress=progress, scorer=scorer)
        return rows
    finally:
        whole.close()
        if own is not None:
            own.close()


def _make_runner(spec: str):
    from lcagent.runners.registry import make_runner

    return make_runner(spec)
