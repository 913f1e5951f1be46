"""A private PostgreSQL server for the tests: initdb and pg_ctl from the distribution's packages
(``apt-get install postgresql``) in a temporary folder, on a free loopback port, stopped at the
end of the session. ``LCAGENT_TEST_POSTGRESQL=postgresql://...`` uses a server you run instead.

Each test gets its own schema (``?options=-csearch_path=...``), which is much faster than a
database per test; the extensions the workspace needs are created once, in ``public``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

DATABASE = "lcagent_test"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _utf8_locale() -> str | None:
    """A UTF-8 locale, so [:alnum:] and the text parser know non-ASCII letters."""
    try:
        available = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    except OSError:
        return None
    for name in ("C.utf8", "C.UTF-8", "en_US.utf8", "en_US.UTF-8"):
        if name in available:
            return name
    return None


class PostgresServer:
    """One running server; ``url(schema)`` names a workspace in it."""

    def __init__(self, base_url: str, stop=None) -> None:
        self.base_url, self._stop = base_url, stop

    @classmethod
    def start(cls) -> "PostgresServer":
        """Start a private server; raises ``RuntimeError`` with the reason when it cannot."""
        external = os.environ.get("LCAGENT_TEST_POSTGRESQL")
        if external:
            return cls(external)
        binaries = _binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
                               "apt-get install postgresql (or set LCAGENT_TEST_POSTGRESQL=postgresql://...)")
        root = Path(tempfile.mkdtemp(prefix="lcagent-pg-"))
        run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no postgres user to run the test server as") from None
            os.chown(root, user.pw_uid, user.pw_gid)
            run_as = ["runuser", "-u", "postgres", "--"]
        port = _free_port()
        data = root / "data"
        locale = _utf8_locale()
        initdb = [*run_as, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8", *(["--locale", locale] if locale else ["--no-locale"])]
        _checked(initdb, "initdb")
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=100")
        pg_ctl = [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60"]
        _checked([*pg_ctl, "-o", options, "start"], "pg_ctl start")

        def stop() -> None:
            subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
            shutil.rmtree(root, ignore_errors=True)

        server = cls(f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}", stop)
        try:
            server._prepare(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        except BaseException:
            stop()
            raise
        return server

    def _prepare(self, admin_url: str) -> None:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        with psycopg.connect(self.base_url, autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            connection.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
            try:  # pgvector where the server has it (not packaged for Debian 12): its tests skip otherwise
                connection.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
            except psycopg.Error:
                pass

    def new_schema(self) -> str:
        """A fresh, empty schema: one workspace."""
        import psycopg

        name = "ws_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.base_url, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {name}")
        return name

    def drop_schema(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    def url(self, schema: str) -> str:
        separator = "&" if "?" in self.base_url else "?"
        return f"{self.base_url}{separator}options={quote(f'-csearch_path={schema},public', safe='')}"

    def stop(self) -> None:
        if self._stop:
            self._stop()


def _checked(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed: {(result.stderr or result.stdout).strip()[-500:]}")
