"""``lcagent models``: which runners can run here, and why not."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from lcagent.cli.common import console, json_option, print_json


@click.command()
@json_option
def models(as_json) -> None:
    """List the model runners and whether each can run on this machine.

    Nothing is loaded or contacted: this only checks what is installed and configured.

    \b
    Examples:
      lcagent models
      lcagent ask report.pdf "..." --model openai:qwen@http://127.0.0.1:8000/v1
    """
    from lcagent.runners.registry import available_runners

    statuses = available_runners()
    if as_json:
        print_json(statuses)
        return
    table = Table(show_edge=False)
    for column in ("runner", "usable", "example --model", "why"):
        table.add_column(column)
    for status in statuses:
        usable = "[green]yes[/]" if status.usable else "[red]no[/]"
        table.add_row(status.name, usable, escape(status.example), escape(status.reason))
    console().print(table)


def register(group: click.Group) -> None:
    group.add_command(models)
