"""The scale benchmark's PostgreSQL: the tests' throwaway cluster, and a meter including it.

The cluster is tests/support/postgres_cluster.py's (one implementation), started with
`stock=True`: PostgreSQL's own settings (fsync on, 128 MB shared buffers), so the figures are
those of a server as installed, not one tuned for throwaway use.
"""

from __future__ import annotations

from pathlib import Path

import psutil

from benchmarks.bench_ingest import PeakRss
from tests.support.postgres_cluster import PgCluster, postgres_available
from tests.support.postgres_cluster import start_cluster as _start

__all__ = ["ClusterPeakRss", "PgCluster", "postgres_available", "start_cluster"]


def start_cluster(root: Path) -> PgCluster:
    """A cluster with stock settings under `root` (its data in `root/pg`)."""
    return _start(root, stock=True)


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
