"""A workspace holding a small multi-page document, for agent and tool tests."""

from __future__ import annotations

import pytest

from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace

GUIDE_PAGES = [
    "Front matter\nThis guide was compiled by Maren Holt in 2024.",
    "Contents\n1 Harrow Point\n2 Gull Rock",
    "1 Harrow Point Light\nThe Harrow Point light was automated in 1987, the last light to keep a crew.\n"
    "Its final keeper, Tomas Brenning, served for 26 years.",
    "2 Gull Rock Light\nKeeper Ada Lindqvist kept the Gull Rock logs.\n"
    "Her logbooks record 312 storms in twenty-nine years.\nThe climb to the gallery takes 219 steps.",
    "3 Notes\nOne of the special magic numbers for dazzling-bat is: 4471932.\n"
    "One of the special magic numbers for quiet-river is: 9055281.\n"
    "One of the special magic numbers for dazzling-bat is: 7301146.",
]


@pytest.fixture
def guide(tmp_path):
    path = tmp_path / "guide.txt"
    path.write_text("\f".join(GUIDE_PAGES), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    document = ingest_file(ws, path).document
    yield ws, document
    ws.close()
