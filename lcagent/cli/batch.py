"""``lcagent batch``: answer a JSONL file of questions in parallel, into a resumable JSONL of answers."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from lcagent.agents.router import STRATEGIES
from lcagent.cli.common import error_console, json_option, open_workspace, print_json, workspace_option


@click.command()
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers file (JSONL)  [default: QUESTIONS with .answers.jsonl].")
@click.option("--model", "-m", envvar="LCAGENT_MODEL",
              help="One runner per worker: openai:NAME@URL (a shared server, e.g. vLLM), local, gguf:PATH.")
@click.option("--workers", type=click.IntRange(min=1), help="Questions answered at once  [default: the CPUs].")
@click.option("--ray", "use_ray", is_flag=True, help="Run the workers on a local Ray instance (pip install \"lcagent[cluster]\").")
@click.option("--ray-address", metavar="ADDRESS", envvar="LCAGENT_RAY_ADDRESS",
              help="Run them on the Ray cluster at ADDRESS (the workspace must be shared: postgresql://...).")
@click.option("--strategy", "-s", type=click.Choice(STRATEGIES), default="auto", show_default=True,
              help="For questions whose options name none.")
@click.option("--reader", type=click.Choice(["auto", "extractive", "generative"]), default="auto", show_default=True)
@click.option("--max-steps", type=click.IntRange(min=1), default=6, show_default=True)
@click.option("--budget-tokens", type=click.IntRange(min=1), help="Most LLM tokens one question may spend.")
@click.option("--budget-calls", type=click.IntRange(min=1), help="Most LLM calls one question may make.")
@click.option("--budget-seconds", type=click.FloatRange(min=0, min_open=True), help="Most seconds one question may take.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), help="Answer 'not found' below this  [default: 0.35].")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), envvar="LCAGENT_TIMEOUT",
              help="Most seconds one call to a model server may take, retries included  [default: 120].")
@click.option("--retries", type=click.IntRange(min=0), envvar="LCAGENT_RETRIES",
              help="How often a failed call to a model server is repeated  [default: 4].")
@click.option("--no-embed", is_flag=True, help="Do not embed documents ingested for the batch.")
@workspace_option
@json_option
def batch(questions, out, model, workers, use_ray, ray_address, strategy, reader, max_steps, budget_tokens,
          budget_calls, budget_seconds, min_confidence, timeout, retries, no_embed, workspace, as_json) -> None:
    """Answer many questions in parallel: lcagent batch QUESTIONS.jsonl

    Each line of QUESTIONS is a JSON object: "question", what it is asked of ("documents": files,
    folders, globs or stored names, relative to the current directory; or "tag"; or "all": true),
    optionally an "id" and "options" (strategy, reader, max_steps, budget_tokens, budget_calls,
    budget_seconds, min_confidence) that override the command line's.

    Each answer is one JSON row of the answers file (answer, citations, confidence, usage,
    run id, error), written and synced as it finishes, in any order. Run the same command
    again to continue after Ctrl-C or a crash: answered ids are skipped, failed ones retried.
    Documents the questions name are ingested first, here (for many files, `lcagent ingest
    --ray` them first). Each worker builds its runner once; point --model at one server that
    all share (vLLM, `lcagent serve`), or each worker loads its own local model.

    \b
    Examples:
      lcagent batch questions.jsonl --model openai:qwen@http://10.0.0.5:8000/v1 --workers 8
      lcagent batch questions.jsonl --ray --out answers.jsonl
      lcagent batch questions.jsonl --ray-address 10.0.0.5:6379 --workspace postgresql://db/lcagent
    \b
    A questions file:
      {"id": "q1", "question": "Who audits the company?", "documents": ["10k.pdf"]}
      {"id": "q2", "question": "What changed in 2023?", "tag": "filings", "options": {"strategy": "tools"}}
    """
    from lcagent.cluster.batch import WorkerSetup, run_batch
    from lcagent.cluster.pools import make_pool
    from lcagent.cluster.questions import AskOptions, read_questions

    out = out or questions.with_name(questions.name.removesuffix(".jsonl") + ".answers.jsonl")
    read_questions(questions)  # a bad line is reported before any worker starts
    defaults = AskOptions(strategy=strategy, reader=reader, max_steps=max_steps, budget_tokens=budget_tokens,
                          budget_calls=budget_calls, budget_seconds=budget_seconds, min_confidence=min_confidence)
    with open_workspace(workspace) as ws:
        setup = WorkerSetup(str(ws.path), model, timeout, retries)
        pool = make_pool(ray=use_ray, ray_address=ray_address, workers=workers)
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.completed}/{task.total} questions"), TimeElapsedColumn(),
                            console=error_console(), transient=True, disable=as_json)
        task = progress.add_task("answering", total=None)

        def planned(report) -> None:
            progress.update(task, total=report.questions, completed=report.already)
            if not as_json:
                skipped = f"; {report.already} answered before" if report.already else ""
                error_console().print(f"[dim]{report.questions} questions{skipped}; on a {escape(report.pool)}; "
                                      f"answers in {escape(str(report.out))}[/]")

        def written(row) -> None:
            progress.advance(task)
            if row.error and not as_json:
                error_console().print(f"[yellow]{escape(row.id)}:[/] {escape(row.error)}", soft_wrap=True)

        report = None
        try:
            with progress:
                report = run_batch(questions, out, pool, ws, setup, defaults=defaults, embed=not no_embed,
                                   on_row=written, on_start=planned)
        except KeyboardInterrupt:
            error_console().print(f"interrupted; the answers so far are in {escape(str(out))}: run the same "
                                  "command again to continue")
            raise
        finally:
            pool.close()
    if as_json:
        print_json({"out": str(report.out), "questions": report.questions, "already": report.already,
                    "answered": report.answered, "failed": report.failed, "retried": report.retried,
                    "seconds": round(report.seconds, 3),
                    "questions_per_second": round(report.questions_per_second(), 4), "pool": report.pool})
    else:
        error_console().print(
            f"answered {report.answered}, failed {report.failed}"
            + (f", {report.already} answered before" if report.already else "")
            + f" in {report.seconds:.1f} s ({report.questions_per_second():.2f} questions/s); answers in "
            + escape(str(report.out)))
    if report.failed:
        if not as_json:
            error_console().print("[bold red]error:[/] some questions failed (their rows say why); run the same "
                                  "command again to retry them")
        raise click.exceptions.Exit(1)


def register(group: click.Group) -> None:
    group.add_command(batch)
