"""Where lcagent keeps its files: ``$LCAGENT_HOME`` or the user cache directory."""

from __future__ import annotations

import os
from pathlib import Path


def lcagent_home() -> Path:
    configured = os.environ.get("LCAGENT_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("lcagent"))


def default_workspace() -> Path:
    return lcagent_home() / "workspace"
