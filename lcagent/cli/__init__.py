"""The ``lcagent`` command line. Only this package turns exceptions into exit codes."""

from __future__ import annotations

import signal
import sys

import click
from rich.markup import escape

from lcagent import __version__
from lcagent.cli.common import USER_ERRORS, Terminated, error_console, exit_cleanly_on_sigterm


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Run `lcagent COMMAND --help` for examples. Documents live in a workspace: "
    "$LCAGENT_HOME/workspace (default: your user cache dir), or --workspace DIR.",
)
@click.version_option(__version__, prog_name="lcagent")
def cli() -> None:
    """Ask questions about documents far longer than a model's context window.

    \b
    Quick start:
      lcagent ask report.pdf "What did the auditor flag in 2023?"
      lcagent search report.pdf "auditor 2023"
      lcagent show report.pdf --pages 3-5
      lcagent trace              (what the last runs did and cost)
    """


def _register() -> None:
    from lcagent.cli import documents

    documents.register(cli)
    for module_name in ("ask", "models", "bench", "memory", "mcp", "serve", "embed", "batch"):
        try:
            module = __import__(f"lcagent.cli.{module_name}", fromlist=["register"])
        except ModuleNotFoundError as missing:
            if missing.name == f"lcagent.cli.{module_name}":
                continue
            raise
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> int:
    exit_cleanly_on_sigterm()
    try:
        cli.main(args=argv, prog_name="lcagent", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code or 0)
    except click.ClickException as usage:
        usage.show()
        return usage.exit_code
    except click.exceptions.Abort as stop:  # click turns KeyboardInterrupt (and so Terminated) into Abort
        error_console().print("aborted")
        return 143 if isinstance(stop.__cause__, Terminated) else 130
    except KeyboardInterrupt:
        error_console().print("interrupted; nothing half-written was kept")
        return 130
    except USER_ERRORS as problem:
        error_console().print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False)
        return 1
    return 0


def run() -> None:
    """The program: ``main``, then exit with its status. Once stopping on Ctrl-C, further presses
    are ignored: one landing while worker pools shut down would only turn the exit into a
    traceback from the interpreter's shutdown, and lose the status 130."""
    code = main()
    if code in (130, 143):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    run()
