"""A throwaway PostgreSQL 15 cluster for tests (initdb in a temp dir, trust auth, one database).

Reusable outside tests/dbt: `start_cluster(tmp)` returns a `PgCluster` whose `env()` gives the
LIPAS_PG_* variables dbt's postgres target and ingestion/postgres_copy.py read; `stop()` ends it.
The scale benchmark (benchmarks/scale_postgres.py) starts its cluster here too, with
`stock=True`: PostgreSQL's own settings, fsync on, as a real server runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
DBNAME = "lipas"


def postgres_available() -> bool:
    """True when the PostgreSQL 15 server binaries are installed."""
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a server binary as the postgres OS user (initdb refuses to run as root)."""
    prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
    # 300 s: stopping a benchmark's server checkpoints gigabytes (tests take seconds).
    return subprocess.run(prefix + args, check=True, capture_output=True, text=True, timeout=300)


@dataclass(frozen=True)
class PgCluster:
    """A running throwaway cluster."""

    root: Path
    port: int
    user: str = PG_USER
    dbname: str = DBNAME
    host: str = "127.0.0.1"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def env(self) -> dict[str, str]:
        """LIPAS_PG_* variables pointing at this cluster."""
        return {
            "LIPAS_PG_HOST": self.host,
            "LIPAS_PG_PORT": str(self.port),
            "LIPAS_PG_USER": self.user,
            "LIPAS_PG_PASSWORD": "",
            "LIPAS_PG_DBNAME": self.dbname,
        }

    def dsn(self) -> str:
        """libpq connection string."""
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"

    def postmaster_pid(self) -> int:
        """The server's main process (first line of postmaster.pid); its children do the work."""
        return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files; a server already gone is fine."""
        if (self.data_dir / "postmaster.pid").exists():
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(tmp: Path | None = None, *, stock: bool = False) -> PgCluster:
    """initdb + start a cluster on a free port and create the `lipas` database.

    Without `tmp` the cluster lives in its own mkdtemp folder: pytest prunes old basetemp
    folders, and a concurrent session of a colleague once deleted a running cluster's data dir.
    Tests run it with fsync off (a throwaway); `stock` keeps PostgreSQL's defaults.
    """
    root = (tmp / "pg") if tmp is not None else Path(tempfile.mkdtemp(prefix="lipas_pg_"))
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, user=PG_USER, group=PG_USER)
        # The postgres user must be able to reach the directory through its parents.
        for parent in root.parents:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    cluster = PgCluster(root=root, port=_free_port())
    _as_postgres([
        str(PG_BIN / "initdb"), "-D", str(cluster.data_dir), "-U", PG_USER,
        "--auth=trust", "--encoding=UTF8", "--locale=C",
    ])  # fmt: skip
    options = f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1"
    if not stock:
        options += " -c fsync=off"
    _as_postgres([
        str(PG_BIN / "pg_ctl"), "-D", str(cluster.data_dir), "-o", options,
        "-l", str(root / "server.log"), "-w", "start",
    ])  # fmt: skip
    _as_postgres([
        str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", PG_USER,
        DBNAME,
    ])  # fmt: skip
    return cluster


@contextmanager
def module_cluster() -> Iterator[PgCluster]:
    """A fixture's throwaway cluster: skipped without the binaries, stopped and removed after.

    It lives in its own mkdtemp folder (see `start_cluster`), never under pytest's basetemp.
    """
    import pytest

    if not postgres_available():
        pytest.skip("PostgreSQL 15 server binaries not installed")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
