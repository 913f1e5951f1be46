"""``lcagent bench``: every strategy and model on the same samples, in one resumable run."""

from __future__ import annotations

from pathlib import Path

import click

from lcagent.agents.router import STRATEGIES
from lcagent.cli.common import error_console, print_json

SUITES = ("ruler", "loogle", "pdf", "realdocs", "collection")
DEFAULT_STRATEGIES = "full,rag,tools,auto"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@click.command()
@click.argument("suite", type=click.Choice(SUITES))
@click.option("--strategies", default=DEFAULT_STRATEGIES, show_default=True,
              help=f"Comma-separated, from: {', '.join(STRATEGIES)}.")
@click.option("--model", "models", envvar="LCAGENT_MODEL", default="local", show_default=True,
              help="Comma-separated model specs (see `lcagent models`); default $LCAGENT_MODEL, else local.")
@click.option("--lengths", default="4k", show_default=True, help="RULER lengths, e.g. 4k,32k,128k (up to 1m).")
@click.option("--tasks", help="RULER tasks (default: all 13), or LooGLE splits shortdep,longdep.")
@click.option("--limit", default=2, show_default=True, help="Samples per task and length.")
@click.option("--seed", default=42, show_default=True, help="Same seed, same samples.")
@click.option("--start", default=0, show_default=True, type=click.IntRange(min=0),
              help="RULER: first sample index. QA tasks ask the same questions whatever the seed, so keep a "
                   "slice for tuning (e.g. --start 100) apart from the one you measure (from 0).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-results"), show_default=True,
              help="Folder for results JSONL, generated documents, the bench workspace and the plot.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), envvar="LCAGENT_REALDOCS_DIR",
              help="realdocs: the folder benchmarks/realdocs/prepare.py made (default $LCAGENT_REALDOCS_DIR, "
                   "else benchmarks/realdocs/data).")
@click.option("--reader", type=click.Choice(["auto", "extractive", "generative"]), default="auto", show_default=True,
              help="How strategies read their evidence (as in `lcagent ask`). Other than auto, rows are named "
                   "STRATEGY/READER, so they sit beside the auto rows in the same results file.")
@click.option("--wording", is_flag=True,
              help="RULER: also ask every task in people's words, with other needle templates and haystacks "
                   "(rows in OUT/ruler-wording.jsonl); the summary sets them beside the standard rows.")
@click.option("--wording-set", type=click.Choice(["first", "second", "third", "fourth", "fifth"]), default="first",
              show_default=True,
              help="With --wording: which table of wordings (rows in OUT/ruler-wording.jsonl, "
                   "OUT/ruler-wording-second.jsonl, ...). 'fifth' is held out from tuning the question rules; "
                   "the others were tuned on after their first measure.")
@click.option("--no-plot", is_flag=True, help="Skip the PNG plot.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def bench(suite, strategies, models, lengths, tasks, limit, seed, start, out, data, reader, wording, wording_set, no_plot,
          as_json) -> None:
    """Score strategies side by side on RULER, LooGLE or a PDF page-citation set.

    Results go to OUT/SUITE.jsonl (one row per sample x strategy x model: prediction, score,
    citations, seconds, LLM calls and tokens). Rerunning the same command skips finished
    rows, so an interrupted bench resumes. RULER needs `pip install "lcagent[bench]"`.

    \b
    Examples:
      lcagent bench ruler --lengths 4k --limit 1
      lcagent bench ruler --lengths 32k,128k --tasks niah_single_1,niah_multikey_1 --strategies full,tools
      lcagent bench ruler --wording --lengths 4k,32k --strategies tools,auto
      lcagent bench ruler --wording --wording-set fifth --lengths 32k --tasks vt,cwe --strategies auto
      lcagent bench loogle --tasks longdep --strategies rag,tools --limit 10
      lcagent bench loogle --tasks longdep --strategies hypergraph --reader generative
      lcagent bench pdf --strategies tools,rag
      lcagent bench realdocs --strategies bm25,tools,auto --tasks dev --limit 1000
      lcagent bench collection --strategies auto --limit 5

    realdocs: real PDFs with page-level gold (benchmarks/realdocs/README.md); --tasks picks the
    splits (dev, test), --limit counts per split and answerability, bm25 is a model-free baseline.

    collection: 50+ documents in one workspace (LooGLE, realdocs and filings when prepared, needle
    documents); each question asked of the whole collection and of its own document(s). --tasks picks
    kinds (needle, loogle, realdocs, filings, two_needles, compare), --limit counts per kind.
    """
    try:
        if suite == "realdocs":
            _run_realdocs(strategies, models, tasks, limit, out, data, reader, as_json)
            return
        if suite == "collection":
            _run_collection(strategies, models, tasks, limit, seed, out, data, reader, as_json)
            return
        _run_bench(suite, strategies, models, lengths, tasks, limit, seed, start, out, reader, wording, no_plot, as_json,
                   wording_set)
    except (ValueError, FileNotFoundError) as problem:  # bad lengths, splits or data folders
        raise click.UsageError(str(problem)) from None


def _run_bench(suite, strategies, models, lengths, tasks, limit, seed, start, out, reader, wording, no_plot, as_json,
               wording_set="first") -> None:
    from lcagent import api
    from lcagent.bench import generate, load_loogle, make_pdf_samples, parse_length, plot, print_summary, run_bench, summarise
    from lcagent.bench.reference import BenchDependencyMissing
    from lcagent.bench.ruler import TASKS
    from lcagent.memory.workspace import Workspace
    from lcagent.runners.registry import make_runner

    chosen = _split(strategies)
    unknown = [s for s in chosen if s not in STRATEGIES]
    if unknown:
        raise click.BadParameter(f"unknown strategies {unknown}; choose from {', '.join(STRATEGIES)}", param_hint="--strategies")
    if wording and suite != "ruler":
        raise click.BadParameter("--wording applies to the ruler suite only; drop it or run `lcagent bench ruler --wording`",
                                 param_hint="--wording")
    out.mkdir(parents=True, exist_ok=True)
    worded = []
    if suite == "ruler":
        task_names = _split(tasks) if tasks else list(TASKS)
        bad = [t for t in task_names if t not in TASKS]
        if bad:
            raise click.BadParameter(f"unknown RULER tasks {bad}; choose from {', '.join(TASKS)}", param_hint="--tasks")
        samples = [s for length in _split(lengths) for task in task_names for s in generate(task, parse_length(length), limit, seed, start)]
        if wording:
            from lcagent.bench.ruler.wording import generate_wording

            worded = [s for length in _split(lengths) for task in task_names
                      for s in generate_wording(task, parse_length(length), limit, seed, start, wording_set)]
    elif suite == "loogle":
        splits = _split(tasks) if tasks else ["shortdep", "longdep"]
        samples = [s for split in splits for s in load_loogle(split, limit=limit)]
    else:
        samples = make_pdf_samples(out / "pdf-docs", n=limit, seed=seed)
    error_console().print(f"{len(samples) + len(worded)} samples x {len(chosen)} strategies x {len(_split(models))} model(s)")

    results = out / f"{suite}.jsonl"
    rows, worded_rows = [], []
    for model_spec in _split(models):
        runner = make_runner(model_spec)
        workspace = Workspace(out / "workspace")
        try:
            def strategy_fn(name: str):
                def answer(sample, path):
                    return api.ask(path, sample.user_question(), model=runner, strategy=name, workspace=workspace,
                                   reader=reader)
                return answer

            named = {(name if reader == "auto" else f"{name}/{reader}"): strategy_fn(name) for name in chosen}
            rows += run_bench(samples, named, results, model=model_spec, progress=not as_json)
            if worded:
                worded_file = f"{suite}-wording.jsonl" if wording_set == "first" else f"{suite}-wording-{wording_set}.jsonl"
                worded_rows += run_bench(worded, named, out / worded_file, model=model_spec,
                                         progress=not as_json)
        finally:
            workspace.close()
    if worded:
        _print_wording(rows, worded_rows, as_json)
    elif as_json:
        print_json(summarise(rows))
    else:
        print_summary(rows)
    if not no_plot and suite == "ruler":
        try:
            picture = plot(rows, out / f"{suite}.png")
            error_console().print(f"plot: {picture}")
        except BenchDependencyMissing as missing:
            error_console().print(f"no plot: {missing}")
    error_console().print(f"rows: {results}")


def _print_wording(rows, worded_rows, as_json: bool) -> None:
    """The standard summary, then standard against wording per task and the wording breakdown."""
    from rich.console import Console

    from lcagent.bench import print_summary, summarise
    from lcagent.bench.summary import summarise_wording, wording_tables

    compared = summarise_wording(rows + worded_rows)
    if as_json:
        print_json({"standard": summarise(rows), "wording": summarise(worded_rows), "compared": compared})
        return
    console = Console()
    print_summary(rows, console)
    for table in wording_tables(compared):
        console.print(table)


def _run_realdocs(strategies, models, tasks, limit, out, data, reader, as_json) -> None:
    from lcagent.bench.realdocs import SPLITS, bench_realdocs
    from lcagent.bench.realdocs_summary import print_realdocs_summary, summarise_realdocs

    console = error_console()
    rows = bench_realdocs(strategies=_split(strategies), models=_split(models), out=out, data_dir=data,
                          splits=_split(tasks) if tasks else list(SPLITS), limit=limit, reader=reader,
                          progress=not as_json, say=console.print)
    if as_json:
        print_json(summarise_realdocs(rows))
    else:
        print_realdocs_summary(rows)
    console.print(f"rows: {out / 'realdocs.jsonl'}")


def _run_collection(strategies, models, tasks, limit, seed, out, data, reader, as_json) -> None:
    from lcagent.bench.collection import KINDS, bench_collection
    from lcagent.bench.collection_summary import print_collection_summary, summarise_collection

    console = error_console()
    rows = bench_collection(strategies=_split(strategies), models=_split(models), out=out,
                            kinds=_split(tasks) if tasks else list(KINDS), limit=limit, reader=reader,
                            progress=not as_json, say=console.print, realdocs_dir=data, seed=seed)
    if as_json:
        print_json(summarise_collection(rows))
    else:
        print_collection_summary(rows)
    console.print(f"rows: {out / 'collection.jsonl'}")


def register(group: click.Group) -> None:
    group.add_command(bench)
