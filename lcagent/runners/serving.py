"""Serve a GGUF model over the OpenAI API: llama_cpp.server's FastAPI app, with the model loaded
the way the local runner loads it (the AMX workaround included). ``lcagent serve`` runs it.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lcagent.runners.base import RunnerError
from lcagent.runners.bundled_models import bundled_model_name, bundled_model_path
from lcagent.runners.llama_loading import extra_buffers_off, llama_load_settings
from lcagent.runners.local import DEFAULT_MAX_CONTEXT, check_model_file, import_llama_cpp

SERVER_INSTALL_HINT = 'pip install "lcagent[server]"'
MODEL_SPECS = "local, local:gemma3-270m, a bundled name (smollm2-135m, gemma3-270m) or gguf:/path/model.gguf"


@dataclass(frozen=True)
class ServedModel:
    """What ``lcagent serve`` loads: the file, the name clients may use, and how it is loaded."""

    path: Path
    name: str
    n_ctx: int
    threads: int
    extra_buffers_off: str | None  # why llama.cpp's extra CPU buffers are off, None when on


def plan_model(spec: str, n_ctx: int | None = None, threads: int | None = None) -> ServedModel:
    """Resolve ``spec`` to a checked GGUF file and settle its context window and threads.

    The context defaults to the model's trained context, capped at 8,192 tokens like the local
    runner's; a larger ``n_ctx`` than the trained context is refused, since positions past it
    produce garbage.
    """
    from lcagent.runners.local import default_threads

    path, name = _model_file(spec.strip())
    check_model_file(path)
    trained = trained_context(path)
    if n_ctx is None:
        n_ctx = min(trained or DEFAULT_MAX_CONTEXT, DEFAULT_MAX_CONTEXT)
    elif trained and n_ctx > trained:
        raise RunnerError(f"--n-ctx {n_ctx} is larger than the {trained}-token context {path.name} was trained for; "
                          f"use --n-ctx {trained} or less")
    return ServedModel(path, name, n_ctx, threads or default_threads(), extra_buffers_off())


def _model_file(spec: str) -> tuple[Path, str]:
    scheme, separator, rest = spec.partition(":")
    scheme = scheme.lower()
    if spec.lower() in ("", "local") or (separator and scheme == "local"):
        name = bundled_model_name(rest or None)
        return Path(bundled_model_path(name)), name
    if separator and scheme == "gguf":
        if not rest:
            raise RunnerError("gguf: needs a model file, e.g. --model gguf:/path/to/model.gguf")
        path = Path(rest).expanduser()
        return path, path.stem
    if not separator and spec.lower().endswith(".gguf"):
        path = Path(spec).expanduser()
        return path, path.stem
    if not separator:
        name = bundled_model_name(spec)
        return Path(bundled_model_path(name)), name
    raise RunnerError(f"lcagent serve cannot serve {spec!r}; give one of: {MODEL_SPECS}")


def create_server_app(model: ServedModel, host: str, port: int) -> Any:
    """llama_cpp.server's app for ``model``. The app loads the model while it is created, so that
    load runs inside the same settings the local runner loads under (extra buffers off on AMX)."""
    llama_cpp = import_llama_cpp()
    try:
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as missing:
        raise RunnerError(f"lcagent serve needs llama-cpp-python's server extra ({missing.name} is missing): "
                          f"{SERVER_INSTALL_HINT}") from None
    server_settings = ServerSettings(host=host, port=port)
    model_settings = ModelSettings(
        model=str(model.path), model_alias=model.name, n_ctx=model.n_ctx, n_threads=model.threads,
        n_threads_batch=model.threads, verbose=False,
    )
    try:
        with llama_load_settings(llama_cpp, disable_extra_buffers=model.extra_buffers_off is not None):
            return create_app(server_settings=server_settings, model_settings=[model_settings])
    except (ValueError, RuntimeError, OSError) as error:
        raise RunnerError(f"llama.cpp could not load {model.path} ({error}); check the file, or try another model") from None


def run_server(app: Any, host: str, port: int) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn shuts down cleanly on both)."""
    try:
        import uvicorn
    except ImportError:
        raise RunnerError(f"lcagent serve needs uvicorn: {SERVER_INSTALL_HINT}") from None
    uvicorn.run(app, host=host, port=port, log_level="warning")


def check_port_free(host: str, port: int) -> None:
    """Fail before loading the model when nothing could listen at host:port."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except OSError as error:
        raise RunnerError(f"cannot listen on {host}:{port} ({error.strerror or error}); pick another --port or --host") from None


# --- the trained context, read from the GGUF header without loading the model ------------------

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


def trained_context(path: Path) -> int | None:
    """``{architecture}.context_length`` from a GGUF file's metadata; None when it is not there."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"GGUF":
                return None
            _version, _tensors, count = struct.unpack("<IQQ", handle.read(20))
            architecture = None
            for _ in range(count):
                key = _read_string(handle)
                value = _read_value(handle, struct.unpack("<I", handle.read(4))[0])
                if key == "general.architecture":
                    architecture = value
                elif architecture and key == f"{architecture}.context_length" and isinstance(value, int):
                    return value
    except (OSError, struct.error, UnicodeDecodeError, KeyError):
        return None
    return None


def _read_string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", handle.read(8))
    return handle.read(length).decode("utf-8")


def _read_value(handle: BinaryIO, kind: int) -> Any:
    if kind == _STRING:
        return _read_string(handle)
    if kind == _ARRAY:
        element_kind, length = struct.unpack("<IQ", handle.read(12))
        if element_kind in _SCALARS:  # skipped, not read: the tokenizer's arrays are large
            handle.seek(struct.calcsize(_SCALARS[element_kind]) * length, 1)
        else:
            for _ in range(length):
                _read_value(handle, element_kind)
        return None
    fmt = _SCALARS[kind]
    return struct.unpack(fmt, handle.read(struct.calcsize(fmt)))[0]
