"""``python -m lcagent.cli`` runs the command line."""

from lcagent.cli import run

run()
