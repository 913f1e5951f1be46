"""Workspaces for memory tests: a multi-hop 'films' document chunked small, so retrieval has
to hop between passages on different pages."""

from __future__ import annotations

import pytest

from lcagent.chunking import ChunkSettings
from lcagent.ingest import ingest_file
from lcagent.memory.traces import RunTrace
from lcagent.memory.workspace import Workspace
from lcagent.agents.base import AgentContext, Budget
from lcagent.runners.tracing import TracingRunner

FILLER = (
    "The festival programme listed screenings in the old harbour hall every evening. "
    "Tickets were sold at the kiosk beside the ferry terminal. "
    "Critics wrote long reviews for the weekend papers. "
)

FILM_PAGES = [
    "Festival notes\n" + FILLER,
    "Cast notes\nKarel Vos was born in Oslo and trained at the national theatre school.\n" + FILLER,
    "Programme\n" + FILLER + "The audience voted for the closing film on Sunday.\n",
    "Northern Tide\nThe lead actor of Northern Tide was Karel Vos, in his first film role.\n" + FILLER,
    "Crew notes\n" + FILLER,
    "Directors\nNorthern Tide was directed by Ilse Marrow, who also wrote the script.\n" + FILLER,
    "Other films\nSalt Road was directed by Pieter Hald. Its lead actor, Jonas Bergh, was born in Bergen.\n" + FILLER,
]


def make_workspace(tmp_path, pages, name="films.txt", spec=None):
    path = tmp_path / name
    path.write_text("\f".join(pages), encoding="utf-8")
    ws = Workspace(spec or tmp_path / "ws")
    document = ingest_file(ws, path, settings=ChunkSettings(64, 16)).document
    return ws, document


@pytest.fixture
def films(tmp_path):
    ws, document = make_workspace(tmp_path, FILM_PAGES)
    yield ws, document
    ws.close()


@pytest.fixture
def any_films(tmp_path, workspace_spec):
    """The films document in a workspace of each backend in turn."""
    ws, document = make_workspace(tmp_path, FILM_PAGES, spec=workspace_spec)
    yield ws, document
    ws.close()


def agent_context(ws, doc_ids, runner, *, max_steps=6, reader="extractive") -> AgentContext:
    """What ``api.ask`` builds for a strategy, for tests that drive one strategy directly."""
    trace = RunTrace.start(ws, question="test", doc_ids=list(doc_ids), model=runner.describe(), strategy="test", reason="")
    traced = TracingRunner(runner, lambda label, request, completion: None)
    return AgentContext(ws, list(doc_ids), traced, trace, Budget(max_steps=max_steps), reader=reader)
