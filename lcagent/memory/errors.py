"""Errors about the workspace that the user can act on (the CLI prints them as one line)."""

from __future__ import annotations


class WorkspaceError(Exception):
    """Bad user input about the workspace (unknown document, bad page range...)."""


class DocumentNotFound(WorkspaceError):
    pass


class WorkspaceLocked(WorkspaceError):
    """Another process held the workspace's write lock for longer than this one would wait."""
