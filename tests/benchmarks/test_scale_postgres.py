"""bench_scale --postgres: the meter counts the server's work, and `make bench` can turn it on."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg2
import pytest

from benchmarks import run_all
from benchmarks.bench_ingest import PeakRss
from benchmarks.pg_cluster import ClusterPeakRss, postgres_available, start_cluster

# CPU-bound in the server, nothing in the client: ~0.5 s of a backend's time.
SERVER_WORK = "select count(distinct md5(i::text)) from generate_series(1, 1000000) as s(i)"


@pytest.mark.postgres
def test_cluster_meter_counts_the_server_processes() -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL 15 server binaries not installed")
    home = Path(tempfile.mkdtemp(prefix="lipas_bench_pg_"))
    cluster = start_cluster(home / "pg")
    try:
        env = cluster.env()
        dsn = (f"host={env['LIPAS_PG_HOST']} port={env['LIPAS_PG_PORT']} "
               f"user={env['LIPAS_PG_USER']} dbname={env['LIPAS_PG_DBNAME']}")  # fmt: skip
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            with PeakRss() as client_only:
                cur.execute(SERVER_WORK)
            with ClusterPeakRss(cluster.postmaster_pid()) as with_server:
                cur.execute(SERVER_WORK)
        # The query's CPU is spent in the backend: only the cluster meter sees it.
        assert with_server.cpu_seconds > 0.2
        assert with_server.cpu_seconds > 3 * max(client_only.cpu_seconds, 0.05)
        assert 0 < with_server.server_peak <= with_server.peak
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


def test_make_bench_adds_postgres_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(run_all.SCALE_POSTGRES_ENV, raising=False)
    assert "--postgres" not in (run_all._argv("benchmarks.bench_scale") or [])
    monkeypatch.setenv(run_all.SCALE_POSTGRES_ENV, "1")
    assert (run_all._argv("benchmarks.bench_scale") or [])[-1] == "--postgres"
