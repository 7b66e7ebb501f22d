"""A throwaway PostgreSQL 15 cluster for benchmarks, and a meter that includes its processes.

The cluster is the one tests/support/postgres_cluster.py starts (initdb in a temp dir, trust
auth, loopback only, the `lipas` database), kept here because benchmarks do not import tests.
Unlike the tests' cluster it keeps PostgreSQL's stock settings (fsync on, 128 MB shared
buffers): the figures should be those of a server as installed, not one tuned for throwaway use.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psutil

from benchmarks.bench_ingest import PeakRss

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


def _as_postgres(args: list[str], timeout: float = 300) -> None:
    """Run a server binary as the postgres OS user (initdb and pg_ctl refuse root)."""
    prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + args, check=True, capture_output=True, text=True, timeout=timeout)


@dataclass(frozen=True)
class PgCluster:
    """A running throwaway cluster under `root`."""

    root: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def env(self) -> dict[str, str]:
        """LIPAS_PG_* variables (dbt's postgres profile, publishing.postgres) for this cluster."""
        return {
            "LIPAS_PG_HOST": self.host,
            "LIPAS_PG_PORT": str(self.port),
            "LIPAS_PG_USER": PG_USER,
            "LIPAS_PG_PASSWORD": "",
            "LIPAS_PG_DBNAME": DBNAME,
        }

    def postmaster_pid(self) -> int:
        """The server's main process (first line of postmaster.pid); its children do the work."""
        return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files; a server already gone is fine."""
        if (self.data_dir / "postmaster.pid").exists():
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(root: Path) -> PgCluster:
    """initdb + start a cluster in `root` (created, handed to the postgres user) on a free port."""
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
    _as_postgres([
        str(PG_BIN / "pg_ctl"), "-D", str(cluster.data_dir), "-o", options,
        "-l", str(root / "server.log"), "-w", "start",
    ])  # fmt: skip
    _as_postgres([
        str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", PG_USER,
        DBNAME,
    ])  # fmt: skip
    return cluster


class ClusterPeakRss(PeakRss):
    """PeakRss of this process and its children plus the PostgreSQL server's processes.

    CPU counts the postmaster and every backend (as PeakRss: what each adds during the step; a
    backend that ends between two samples loses at most its last 50 ms). Memory counts the
    server's processes by PSS, not RSS: each backend maps the shared buffers, and summing RSS
    would count them once per backend. `server_peak` is the server's share alone.
    """

    def __init__(self, postmaster_pid: int) -> None:
        super().__init__()
        self._postmaster = postmaster_pid
        self.server_peak = 0

    def _server(self) -> list[psutil.Process]:
        try:
            main = psutil.Process(self._postmaster)
            return [main, *main.children(recursive=True)]
        except psutil.Error:
            return []

    def _processes(self) -> list[psutil.Process]:  # type: ignore[override]
        return [*super()._processes(), *self._server()]

    def _sample(self) -> None:
        total = server = 0
        for proc in super()._processes():
            try:
                total += proc.memory_info().rss
                times = proc.cpu_times()
            except psutil.Error:
                continue
            self._cpu[proc.pid] = times.user + times.system
        for proc in self._server():
            try:
                server += proc.memory_full_info().pss
                times = proc.cpu_times()
            except psutil.Error:
                continue
            self._cpu[proc.pid] = times.user + times.system
        self.server_peak = max(self.server_peak, server)
        self.peak = max(self.peak, total + server)
