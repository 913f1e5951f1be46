"""Options and output helpers shared by every CLI command."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console

from lcagent.bench.reference import BenchDependencyMissing
from lcagent.loaders.base import IngestError
from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.pagespec import PageSpecError
from lcagent.runners.base import RunnerError
from lcagent.tokens import TokenizerUnavailable

# Errors caused by the user's input or environment: one line, exit 1, no traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (
    IngestError,
    WorkspaceError,
    PageSpecError,
    RunnerError,
    TokenizerUnavailable,
    BenchDependencyMissing,
)


@lru_cache(maxsize=1)
def console() -> Console:
    return Console(highlight=False)


@lru_cache(maxsize=1)
def error_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def workspace_option(function: Callable) -> Callable:
    return click.option(
        "--workspace",
        "-w",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="LCAGENT_WORKSPACE",
        help="Workspace directory (default: $LCAGENT_HOME/workspace, else the user cache dir).",
    )(function)


def json_option(function: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text.")(
        function
    )


def open_workspace(path: Path | None) -> Workspace:
    return Workspace(path)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(_plain(data), ensure_ascii=False, indent=2) + "\n")


def _plain(data: Any) -> Any:
    if is_dataclass(data) and not isinstance(data, type):
        return _plain(asdict(data))
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(value) for value in data]
    if isinstance(data, Path):
        return str(data)
    return data
