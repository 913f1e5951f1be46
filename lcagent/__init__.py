"""lcagent: agents that work through documents far longer than a model's context window.

The public surface is imported lazily, so ``import lcagent`` stays cheap (langgraph and the
model runtimes load only when a strategy needs them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ask": "lcagent.api",
    "resume": "lcagent.api",
    "Workspace": "lcagent.memory.workspace",
    "Answer": "lcagent.records",
    "Citation": "lcagent.records",
    "Usage": "lcagent.records",
    "Document": "lcagent.records",
    "Page": "lcagent.records",
    "Chunk": "lcagent.records",
    "make_runner": "lcagent.runners.registry",
    "Runner": "lcagent.runners.base",
    "ingest_file": "lcagent.ingest",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from lcagent.api import ask, resume
    from lcagent.ingest import ingest_file
    from lcagent.memory.workspace import Workspace
    from lcagent.records import Answer, Chunk, Citation, Document, Page, Usage
    from lcagent.runners.base import Runner
    from lcagent.runners.registry import make_runner


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lcagent' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
