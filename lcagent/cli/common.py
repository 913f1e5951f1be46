"""Options and output helpers shared by every CLI command."""

from __future__ import annotations

import json
import signal
import sys
import threading
from dataclasses import asdict, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console
from rich.markup import escape

from lcagent.bench.reference import BenchDependencyMissing
from lcagent.loaders.base import IngestError
from lcagent.memory.workspace import Workspace, WorkspaceError, workspace_spec
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
        type=_WorkspaceParameter(),
        envvar="LCAGENT_WORKSPACE",
        help="Workspace directory (default: $LCAGENT_HOME/workspace, else the user cache dir), or a "
        "postgresql://USER@HOST/DATABASE URL for a workspace several processes and machines share (needs "
        "the cluster extra). A command that writes waits up to $LCAGENT_LOCK_WAIT seconds (default 60) while "
        "another process is writing to it.",
    )(function)


class _WorkspaceParameter(click.ParamType):
    """A folder, or a database URL kept as written (a Path would fold its '//')."""

    name = "DIR|URL"

    def convert(self, value: Any, param: Any, ctx: Any) -> Path | str:
        spec = workspace_spec(value)
        if isinstance(spec, Path) and spec.exists() and not spec.is_dir():
            self.fail(f"{spec} is a file; a workspace is a folder or a postgresql:// URL", param, ctx)
        return spec


def json_option(function: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text.")(
        function
    )


def open_workspace(path: Path | str | None) -> Workspace:
    """The workspace, saying on stderr when a write has to wait for another process's lock.

    Page folders left by a crashed ingest are swept on the way in: cheap (one directory
    listing), and it never waits for the write lock, so read-only commands stay lock-free.
    """
    workspace = Workspace(path, on_lock_wait=_say_waiting)
    workspace.sweep(wait=False)
    return workspace


def _say_waiting(message: str) -> None:
    error_console().print(f"[yellow]{escape(message)}[/]")


class Terminated(KeyboardInterrupt):
    """SIGTERM (a `timeout`, a service stop), raised like Ctrl-C so the same clean-up runs:
    transactions roll back and a run in progress is recorded as interrupted."""


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM raise ``Terminated`` in the main thread (signals can only be handled there)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def _raise_terminated(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated()


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
