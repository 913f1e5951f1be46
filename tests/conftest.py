"""Shared fixtures. Tests never reach the network: only loopback connections are allowed."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PDF = REPO / "examples" / "field_guide.pdf"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address) -> None:
    if isinstance(address, (str, bytes)):  # unix socket
        return
    host = address[0]
    if host in ("localhost",):
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ConnectionRefusedError(f"tests may not reach the network (tried {host}); use a server on 127.0.0.1")


def _guarded_connect(self, address):
    _loopback_only(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _loopback_only(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    yield
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory):
    """Every test session gets its own LCAGENT_HOME; the tiktoken cache is built once in it."""
    home = tmp_path_factory.mktemp("lcagent-home")
    saved = {key: os.environ.get(key) for key in ("LCAGENT_HOME", "TIKTOKEN_CACHE_DIR", "LCAGENT_MODEL", "LCAGENT_WORKSPACE")}
    os.environ["LCAGENT_HOME"] = str(home)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(home / "tiktoken")
    os.environ.pop("LCAGENT_MODEL", None)
    os.environ.pop("LCAGENT_WORKSPACE", None)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def workspace(tmp_path):
    from lcagent.memory.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server for the session (tests/postgres_server.py); skipped with the
    reason where the server binaries or psycopg are missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip('psycopg is not installed; pip install ".[cluster]" to run the PostgreSQL tests')
    from postgres_server import PostgresServer

    try:
        server = PostgresServer.start()
    except RuntimeError as reason:
        pytest.skip(str(reason))
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A URL naming an empty PostgreSQL workspace (its own schema, dropped afterwards)."""
    schema = postgres_server.new_schema()
    yield postgres_server.url(schema)
    postgres_server.drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace_spec(request, tmp_path):
    """Where a storage test's workspace lives: a folder (SQLite) or a PostgreSQL URL; tests that
    take it run once per backend."""
    if request.param == "sqlite":
        return tmp_path / "ws"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def any_workspace(workspace_spec):
    """A workspace of each backend in turn."""
    from lcagent.memory.workspace import Workspace

    ws = Workspace(workspace_spec)
    yield ws
    ws.close()


@pytest.fixture
def example_pdf() -> Path:
    assert EXAMPLE_PDF.exists(), "examples/field_guide.pdf is missing; run python examples/make_example_pdf.py"
    return EXAMPLE_PDF


@pytest.fixture(scope="session")
def minilm():
    """The real embedder, loaded once; skipped, saying why, without the embed extra."""
    from lcagent.retrieval.embeddings import MiniLMEmbedder, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(f"the embed extra is not installed: {reason}")
    return MiniLMEmbedder().load()
