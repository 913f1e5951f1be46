"""`lcagent ...` exactly as the console script runs it, except that `--model scripted` builds a
ScriptedRunner with an empty script: a server started this way answers from its tools alone,
and any model call fails loudly (ScriptExhausted) instead of loading or calling a model.

Usage: python -m tests.integrations.scripted_mcp mcp --model scripted --http 127.0.0.1:PORT ...
"""

from __future__ import annotations

import sys

from lcagent.runners import registry
from lcagent.runners.scripted import ScriptedRunner

_real_make_runner = registry.make_runner


def _make_runner(spec=None):
    if spec == "scripted":
        return ScriptedRunner(responses=[])
    return _real_make_runner(spec)


registry.make_runner = _make_runner

if __name__ == "__main__":
    from lcagent.cli import main

    sys.exit(main(sys.argv[1:]))
