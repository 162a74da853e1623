"""A throwaway PostgreSQL cluster for the tests, from Debian's ``postgresql`` packages.

``initdb`` into a temporary folder (as the ``postgres`` user when the tests run as root: CI runs
as root and ``pg_ctl`` refuses it), listening on a unix socket in that folder only, with
``fsync=off`` (a crash loses nothing the tests care about), stopped and removed at the end. One
template database is migrated once; every test gets a fresh copy of it (``CREATE DATABASE …
TEMPLATE``: a file copy, much faster than migrating again).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "apt-get install postgresql  (then run the tests again; CI=true installs it via make test)"
TEMPLATE = "atensi_template"


def find_bindir() -> Path | None:
    """The newest installed server's bin folder (Debian keeps them under /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return command if owner is None else ["runuser", "-u", owner, "--", *command]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    owner: str | None  # the user the server runs as (None: the current one)
    user: str  # the database superuser's name
    _numbers = itertools.count(1)

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@/{database}?host={self.socket_dir}&port=5432"

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _as_owner([str(self.bindir / tool), *args], self.owner), check=True, capture_output=True, text=True, cwd="/"
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self.run(
            "psql",
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-U",
            self.user,
            "-d",
            database,
            "-c",
            sql,
        ).stdout

    def new_database(self, template: str = TEMPLATE) -> str:
        """A fresh database copied from the migrated template; returns its URL."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        self.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def empty_database(self) -> str:
        name = f"e{os.getpid()}_{next(self._numbers)}"
        self.psql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """Start a cluster, or raise RuntimeError saying why it could not."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed")
    owner: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no 'postgres' user to run the server") from None
        owner = "postgres"
    root = Path(tempfile.mkdtemp(prefix="atensi-pg-"))
    if owner is not None:
        shutil.chown(root, owner)
    root.chmod(0o700)
    cluster = Cluster(bindir, root, owner, user="postgres")
    try:
        cluster.run(
            "initdb", "-D", str(root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{root}' -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            " -c shared_buffers=64MB -c log_min_messages=warning"
        )
        cluster.run(
            "pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start"
        )
    except subprocess.CalledProcessError as error:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr or error}\n{log}") from None
    return cluster
