"""Which process owns a staging folder or a running trace, and whether that process is gone.

A pid alone can be reused after its process dies, so where Linux tells us (``/proc``) the
process's start time is kept beside it; another host's processes cannot be checked at all.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    pid: int
    started: str | None  # clock ticks since boot, from /proc/PID/stat; None where unknown


def current_process() -> ProcessIdentity:
    return ProcessIdentity(socket.gethostname(), os.getpid(), _start_ticks(os.getpid()))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def is_gone(owner: ProcessIdentity) -> bool:
    """True only when ``owner`` certainly no longer runs (same host, and its pid is dead or reused)."""
    if owner.host != socket.gethostname():
        return False
    if not pid_alive(owner.pid):
        return True
    return owner.started is not None and _start_ticks(owner.pid) not in (None, owner.started)


def _start_ticks(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None
