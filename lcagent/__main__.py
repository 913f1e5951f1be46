"""``python -m lcagent`` runs the command line."""

from lcagent.cli import run

run()
