"""How lcagent loads a GGUF model into llama.cpp, for the in-process runner and for ``lcagent serve``.

Both load through here so both get the same workaround for CPUs that advertise AMX but fault on it.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from typing import Any, Iterator

EXTRA_BUFFERS_VARIABLE = "LCAGENT_LLAMA_EXTRA_BUFFERS"

_LOAD_LOCK = threading.Lock()


def amx_advertised() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as cpuinfo:
            return any(line.startswith("flags") and " amx_tile" in line for line in cpuinfo)
    except OSError:
        return False


def extra_buffers_off() -> str | None:
    """Why llama.cpp's extra CPU buffers (AMX, weight repacking) are switched off for this load,
    or None when they stay on.

    On VMs that advertise AMX without really enabling it (measured: Firecracker guests on
    Sapphire Rapids) every multi-token decode dies with SIGILL in the AMX matmul, so they are off
    wherever AMX is advertised. ``LCAGENT_LLAMA_EXTRA_BUFFERS=1`` keeps them on anyway, ``=0``
    switches them off on any CPU (to test this path on a machine without AMX).
    """
    setting = os.environ.get(EXTRA_BUFFERS_VARIABLE, "").strip()
    if setting == "1":
        return None
    if setting == "0":
        return f"{EXTRA_BUFFERS_VARIABLE}=0"
    if amx_advertised():
        return f"the CPU advertises AMX ({EXTRA_BUFFERS_VARIABLE}=1 keeps them)"
    return None


@contextmanager
def llama_load_settings(llama_cpp: Any, *, disable_extra_buffers: bool) -> Iterator[None]:
    """Settings llama-cpp-python's Llama() has no argument for, applied while a model loads.

    Silence: Llama(verbose=False) still lets llama.cpp's unlevelled notes through to stderr
    (e.g. Gemma's "using full-size SWA cache"), so its set_verbose is swapped for one that
    mutes everything. Extra buffers: see :func:`extra_buffers_off`; they are switched off
    through the default model params, which every Llama() load starts from.
    """
    low_level = llama_cpp.llama_cpp
    high_level = llama_cpp.llama
    with _LOAD_LOCK:
        original_defaults = low_level.llama_model_default_params
        original_set_verbose = high_level.set_verbose

        def defaults_without_extra_buffers() -> Any:
            params = original_defaults()
            params.use_extra_bufts = False
            return params

        def mute(verbose: bool) -> None:
            logging.getLogger("llama-cpp-python").setLevel(logging.DEBUG if verbose else logging.CRITICAL + 1)

        if disable_extra_buffers:
            low_level.llama_model_default_params = defaults_without_extra_buffers
        high_level.set_verbose = mute
        try:
            yield
        finally:
            low_level.llama_model_default_params = original_defaults
            high_level.set_verbose = original_set_verbose
