"""``lcagent ask`` and ``lcagent trace``."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from lcagent.agents.base import Progress
from lcagent.agents.router import STRATEGIES
from lcagent.cli.common import console, error_console, json_option, open_workspace, print_json, workspace_option
from lcagent.memory.workspace import WorkspaceError
from lcagent.records import Answer


class _LiveStatus:
    """One status line: strategy, step or chunk i/n, tokens so far."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.status = error_console().status("starting", spinner="dots") if enabled else None
        self.strategy = ""
        self.usage = "0 tokens"
        self.current = ""

    def __enter__(self) -> "_LiveStatus":
        if self.status:
            self.status.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.status:
            self.status.__exit__(*exc)

    def __call__(self, event: Progress) -> None:
        if event.stage == "strategy":
            self.strategy = event.detail.split(":")[0]
            if self.enabled:
                error_console().print(f"[dim]strategy {escape(event.detail)}[/]")
        elif event.stage == "usage":
            self.usage = event.detail
        elif event.stage == "note":
            if self.enabled:
                error_console().print(f"[dim]{escape(event.detail)}[/]")
        else:
            counted = f" {event.i}/{event.n}" if event.i is not None and event.n else ""
            self.current = f"{event.stage}{counted}: {event.detail}"
        if self.status:
            self.status.update(escape(f"[{self.strategy}] {self.current} · {self.usage}"))


@click.command()
@click.argument("targets", nargs=-1)
@click.option("--model", "-m", envvar="LCAGENT_MODEL", help="local (default), gguf:/path.gguf, openai:NAME[@URL], vllm:NAME.")
@click.option("--strategy", "-s", type=click.Choice(STRATEGIES), default="auto", show_default=True,
              help="How to read: auto picks by document size and question type.")
@click.option("--max-steps", default=6, show_default=True, help="Most tool-agent steps the model may take.")
@click.option("--budget-tokens", type=click.IntRange(min=1), help="Most LLM tokens the run may spend (prompt + completion).")
@click.option("--budget-calls", type=click.IntRange(min=1), help="Most LLM calls the run may make.")
@click.option("--budget-seconds", type=click.FloatRange(min=0, min_open=True),
              help="Most seconds the run may take; each call's time is estimated from the run's earlier calls.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), envvar="LCAGENT_TIMEOUT", show_envvar=True,
              help="Most seconds one call to a model server may take, retries included  [default: 120].")
@click.option("--retries", type=click.IntRange(min=0), envvar="LCAGENT_RETRIES", show_envvar=True,
              help="How often a failed call to a model server is repeated within --timeout  [default: 4].")
@click.option("--reader", type=click.Choice(["auto", "extractive", "generative"]), default="auto", show_default=True,
              help="extractive copies answer spans from evidence (small models); generative lets the model write.")
@click.option("--tag", "-t", help="Ask the documents tagged so (`lcagent ingest FILES --tag T`), beside any named.")
@click.option("--all", "all_documents", is_flag=True, help="Ask every document in the workspace.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
              help="Answer 'not found' (with the closest pages) below this confidence  [default: 0.35].")
@click.option("--no-embed", is_flag=True,
              help="Do not embed new documents for hybrid search (bm25 only). Without it, a new document of up "
                   "to 16 chunks (about 8k tokens) is embedded as it is ingested; larger ones are searched "
                   "lexically until `lcagent ingest` or `lcagent embed` adds their vectors.")
@click.option("--resume", "resume_run", metavar="RUN_ID", help="Continue an interrupted run instead of starting one.")
@click.option("--password", help="Password for an encrypted PDF.")
@workspace_option
@json_option
def ask(targets, model, strategy, max_steps, budget_tokens, budget_calls, budget_seconds, timeout, retries,
        reader, tag, all_documents, min_confidence, no_embed, resume_run, password, workspace, as_json) -> None:
    """Answer a question about documents, with checked page citations: lcagent ask DOCUMENT... QUESTION

    Each DOCUMENT is a file, a folder, a glob (files are ingested if new) or a document already
    in the workspace (id, id prefix or name); --tag T and --all add stored documents. Over a
    collection the question first picks the documents it is about, then reads pages in them;
    each citation names its document. Every quote shown was found verbatim on the cited page.
    "not found in the document" (with the closest pages) is a real answer: better than a guess.

    Budgets are never overshot: a call that might is not made. A run its budget stops answers
    from what it found so far, marked partial; --resume continues it (with a new budget if given).

    \b
    Examples:
      lcagent ask report.pdf "What did the auditor flag in 2023?"
      lcagent ask reports/ "Which filing reports the highest capital expenditure?"
      lcagent ask --tag filings "What do the 2023 contracts say about termination?"
      lcagent ask a.pdf b.pdf "Compare the revenue of the two companies in 2022"
      lcagent ask report.pdf "How many times does 'going concern' appear?" --json
      lcagent ask big.pdf "Summarise chapter 3" --strategy chain --model openai:gpt-4o-mini
      lcagent ask big.pdf "Summarise chapter 3" --strategy mapreduce --budget-calls 20 --budget-seconds 300
      lcagent ask report.pdf "..." --model openai:smollm2@http://127.0.0.1:8000/v1 --timeout 30 --retries 1
      lcagent ask --resume 3f2a9c81d0e4
      lcagent ask --resume 3f2a9c81d0e4 --budget-calls 40
    """
    from lcagent import api

    budgets = {"budget_tokens": budget_tokens, "budget_calls": budget_calls, "budget_seconds": budget_seconds}
    if resume_run:
        if targets:
            raise click.UsageError("--resume takes only the run id; the question and documents come from the run")
    elif not targets or (len(targets) < 2 and not (tag or all_documents)):
        raise click.UsageError('give DOCUMENT(S) and a QUESTION, e.g. lcagent ask report.pdf "What changed in 2023?" '
                               '(or --tag T / --all and a QUESTION)')
    documents, question = list(targets[:-1]), targets[-1] if targets else ""
    with open_workspace(workspace) as ws, _LiveStatus(enabled=not as_json) as live:
        if resume_run:
            answer = api.resume(resume_run, model=model, workspace=ws, progress=live, timeout=timeout, retries=retries,
                                **budgets)
        else:
            answer = api.ask(
                documents or None, question, tag=tag, all_documents=all_documents, embed=not no_embed, model=model,
                strategy=strategy, workspace=ws, max_steps=max_steps, reader=reader, password=password, progress=live,
                timeout=timeout, retries=retries, min_confidence=min_confidence, **budgets,
            )
    if as_json:
        print_json(answer.to_dict())
    else:
        print_answer(answer)


def print_answer(answer: Answer) -> None:
    out = console()
    out.print(f"[bold]{escape(answer.text)}[/]", soft_wrap=True)
    several = len(answer.searched) > 1
    if answer.citations:
        out.print()
        for citation in answer.citations:
            where = f"{citation.doc_name} " if several and citation.doc_name else ""
            out.print(f"  [cyan]{escape(where + citation.render())}[/]", soft_wrap=True)
    if answer.see_also:
        out.print()
        out.print("  [dim]closest pages, to look at yourself:[/]")
        for citation in answer.see_also:
            where = f"{citation.doc_name} " if several and citation.doc_name else ""
            out.print(f"  [dim]{escape(where + citation.render())}[/]", soft_wrap=True)
    if answer.dropped_quotes:
        out.print(f"  [yellow]{answer.dropped_quotes} quote(s) were not found verbatim in the document and were dropped[/]")
    if answer.partial:
        out.print(f"  [yellow]partial answer: {escape(answer.partial)}; continue with lcagent ask --resume {answer.run_id}[/]",
                  soft_wrap=True)
    out.print()
    if several:
        cited = {c.doc_id for c in answer.citations}
        out.print(f"[dim]documents: searched {len(answer.searched)}, read {len(answer.doc_ids)}, cited {len(cited)}"
                  f"{'' if cited else ' (none answered)'}[/]", soft_wrap=True)
    if answer.found:
        out.print(f"[dim]confidence {answer.confidence:.2f}[/]")
    out.print(f"[dim]strategy {answer.strategy}: {escape(answer.strategy_reason)}[/]", soft_wrap=True)
    out.print(f"[dim]{answer.usage.render()} · run {answer.run_id} (lcagent trace {answer.run_id})[/]", soft_wrap=True)


@click.command()
@click.argument("run_id", required=False)
@click.option("--limit", default=20, show_default=True, help="How many recent runs to list.")
@click.option("--full", is_flag=True, help="Show whole prompts and outputs, not their first lines.")
@workspace_option
@json_option
def trace(run_id, limit, full, workspace, as_json) -> None:
    """Show what a run did: every LLM call and tool call, with tokens and seconds.

    Without RUN_ID, lists recent runs.

    \b
    Examples:
      lcagent trace
      lcagent trace 3f2a9c81d0e4 --full
    """
    from lcagent.memory.traces import load_run, recent_runs

    with open_workspace(workspace) as ws:
        if not run_id:
            runs = recent_runs(ws, limit)
            if as_json:
                print_json(runs)
                return
            table = Table(show_edge=False)
            for column in ("run", "started", "status", "strategy", "model", "question"):
                table.add_column(column)
            for r in runs:
                table.add_row(r.id, r.started_at[:19].replace("T", " "), r.status, r.strategy, escape(r.model), escape(r.question[:60]))
            console().print(table)
            return
        record, steps = load_run(ws, run_id)
    if as_json:
        print_json({"run": record, "steps": steps})
        return
    out = console()
    out.print(f"[bold]run {record.id}[/] · {record.status} · {escape(record.model)} · strategy {record.strategy}", soft_wrap=True)
    out.print(f"question: {escape(record.question)}", soft_wrap=True)
    out.print(f"[dim]why: {escape(record.strategy_reason)}[/]", soft_wrap=True)
    for step in steps:
        cost = f" · {step.prompt_tokens}+{step.completion_tokens} tok" if step.kind == "llm" else ""
        out.print(f"\n[cyan]{step.seq:>3}. {step.kind} {escape(step.name)}[/][dim]{cost} · {step.seconds:.2f} s[/]")
        out.print(_describe(step, full), soft_wrap=True, markup=False)
    if record.answer:
        out.print(f"\n[bold]answer:[/] {escape(str(record.answer.get('text')))}")


def _describe(step, full: bool) -> str:
    limit = None if full else 300
    if step.kind == "llm":
        last = step.input.get("messages", [{}])[-1].get("content", "")
        text = f"  prompt (last message): {_cut(last, limit)}\n  output: {_cut(step.output.get('text', ''), limit)}"
        if step.output.get("tool_calls"):
            text += f"\n  tool calls: {json.dumps(step.output['tool_calls'])}"
        return text
    if step.kind == "tool":
        return f"  arguments: {json.dumps(step.input)}\n  result: {_cut(str(step.output.get('text', '')), limit)}"
    return f"  {_cut(json.dumps(step.output, ensure_ascii=False), limit)}"


def _cut(text: str, limit: int | None) -> str:
    text = " ".join(text.split()) if limit else text
    return text if limit is None or len(text) <= limit else text[:limit] + " …"


def register(group: click.Group) -> None:
    group.add_command(ask)
    group.add_command(trace)


__all__ = ["register", "WorkspaceError"]
