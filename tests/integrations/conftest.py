"""Shared set-up for the integration tests: an allowed directory with the example PDF, and a
secret outside it that no entry point may read (reached by '..', an absolute path, or a symlink)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

SECRET = "TOP SECRET: the vault code is 7319"
QUESTION = "In which year was the Harrow Point light automated?"


@dataclass(frozen=True)
class Sandbox:
    allowed: Path  # the only directory clients may ingest from
    pdf: Path  # examples/field_guide.pdf, copied into allowed
    secret: Path  # outside allowed
    file_link: Path  # allowed/notes.txt -> secret
    dir_link: Path  # allowed/elsewhere -> the secret's directory
    workspace: Path


@pytest.fixture
def sandbox(tmp_path, example_pdf) -> Sandbox:
    allowed = tmp_path / "allowed"
    outside = tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET + "\n")
    pdf = allowed / "field_guide.pdf"
    shutil.copyfile(example_pdf, pdf)
    file_link = allowed / "notes.txt"
    file_link.symlink_to(secret)
    dir_link = allowed / "elsewhere"
    dir_link.symlink_to(outside, target_is_directory=True)
    return Sandbox(allowed, pdf, secret, file_link, dir_link, tmp_path / "ws")


def assert_nothing_secret_stored(workspace_path: Path) -> None:
    """No document in the workspace came from outside the allowed directory, and no page holds the secret."""
    from lcagent.memory.workspace import Workspace

    with Workspace(workspace_path) as ws:
        for document in ws.documents(all_versions=True):
            assert "outside" not in document.path and "passwd" not in document.path
            assert SECRET not in ws.text(document.id)
