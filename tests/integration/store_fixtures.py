"""Real databases for the store tests: a SQLite file, and a PostgreSQL server started for the session.

PostgreSQL comes from Debian's ``postgresql`` package (``.ci/run`` installs it): ``initdb`` in a
temporary directory as an unprivileged user (the ``postgres`` account when the tests run as root),
the server on a free loopback port with its socket in that directory, stopped at the end. Tests skip
with the reason only where the binaries are absent.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    url: str
    datadir: Path
    bindir: Path
    user: str | None

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    def new_database(self, name: str) -> str:
        """A fresh, empty database on this server; its URL."""
        out = self.run("createdb", "-h", "127.0.0.1", "-p", self.url.rsplit(":", 1)[1].split("/")[0],
                       "-U", "pqscan", name)
        assert out.returncode == 0, out.stderr
        return self.url.rsplit("/", 1)[0] + "/" + name


def start_postgres() -> Postgres | str:
    """Start a throw-away server, or return why it cannot be started here."""
    bindir = _pg_bindir()
    if bindir is None:
        return "PostgreSQL server binaries not installed (Debian package postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg (the PostgreSQL driver) is not installed"
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no unprivileged 'postgres' account to run the server"
        user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="pqscan-pg-"))
    if user:
        shutil.chown(base, user)
    datadir = base / "data"
    port = _free_port()
    pg = Postgres(f"postgresql://pqscan@127.0.0.1:{port}/postgres", datadir, bindir, user)
    init = pg.run("initdb", "-D", str(datadir), "-A", "trust", "-U", "pqscan", "--no-sync", "-E", "UTF8")
    if init.returncode != 0:
        return f"initdb failed: {init.stderr.strip()[:200]}"
    opts = f"-p {port} -k {base} -h 127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50"
    start = pg.run("pg_ctl", "-D", str(datadir), "-o", opts, "-l", str(base / "log"), "-w", "-t", "30", "start")
    if start.returncode != 0:
        return f"PostgreSQL did not start: {start.stderr.strip()[:200]}"
    return pg


def stop_postgres(pg: Postgres) -> None:
    pg.run("pg_ctl", "-D", str(pg.datadir), "-m", "immediate", "-w", "-t", "30", "stop")
    time.sleep(0.1)
    shutil.rmtree(pg.datadir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    pg = start_postgres()
    if isinstance(pg, str):
        pytest.skip(pg)
    try:
        yield pg
    finally:
        stop_postgres(pg)


_counter = iter(range(1, 10_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'estate.db'}"
    pg: Postgres = request.getfixturevalue("postgres_server")
    return pg.new_database(f"store_{os.getpid()}_{next(_counter)}")
