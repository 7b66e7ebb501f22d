"""`lipas backup` / `lipas restore`: what cannot be rebuilt comes back, and the marts rebuild equal.

Issue #18 item 3: a national agency's data is only as safe as its last restore that was
actually tried, so the slow test restores into an empty home, rebuilds with dbt and compares.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings, load_settings
from ingestion import ledger
from ingestion.backup import BackupError, backup_home, restore_home, verify_backup
from quality.alerts.state import enqueue, ensure_alert_tables
from quality.findings import acknowledge

AS_OF = dt.date(2025, 4, 20)


def _small_home(settings: Settings) -> None:
    """A hand-made home: one archived file, one ledger row, an outbox message, instance.json."""
    archived = settings.archive_dir / "ab" / ("ab" * 32) / "laporan.xlsx"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"original bytes of a clerk's workbook")
    (settings.home / "instance.json").write_text('{"as_of": "2025-04-20"}', encoding="utf-8")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ledger.ensure_ledger_tables(con)
        con.execute(
            "insert into ledger.submissions (submission_id, sha256, archived_path, status) "
            "values ('s1', ?, ?, 'accepted')",
            ["ab" * 32, str(archived)],
        )
        ensure_alert_tables(con)
        enqueue(
            con, message_key="2025-04-20/ditjen/digest", audience="ditjen", kind="digest",
            recipients=("dq@example.go.id",), subject="Ringkasan", message=b"\x00mail bytes",
            eml_path="mail/x.eml",
        )  # fmt: skip


def _other_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Settings:
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / name))
    return load_settings()


def test_restore_gives_back_tables_files_and_rewrites_archive_paths(
    lipas_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox message bytes, ledger and archive come back; archived_path points at the new home.

    Regression: archived_path is absolute, so a restored ledger pointed into the dead disk's
    home and `lipas reprocess` could not find any original.
    """
    _small_home(lipas_home)
    result = backup_home(lipas_home, tmp_path / "backups")
    assert result.path.name.startswith("lipas-backup-")
    restored = _other_home(tmp_path, monkeypatch, "new_home")
    restore_home(restored, result.path)
    with duckdb.connect(str(restored.warehouse_path), read_only=True) as con:
        path = con.execute("select archived_path from ledger.submissions").fetchone()
        outbox = con.execute("select message, status from quality.outbox").fetchone()
    assert path is not None and Path(path[0]).read_bytes().startswith(b"original bytes")
    assert Path(path[0]).is_relative_to(restored.archive_dir)
    assert outbox == (b"\x00mail bytes", "pending")
    assert json.loads((restored.home / "instance.json").read_text())["as_of"] == "2025-04-20"
    assert restored.archive_dir.stat().st_mode & 0o077 == 0


def test_restore_refuses_a_non_empty_home(lipas_home: Settings, tmp_path: Path) -> None:
    """Restoring over a live home would mix two histories: refused, nothing written.

    The backup folder has a quote in its name: COPY's target is a SQL literal (regression of
    a first draft that pasted the path in unquoted).
    """
    _small_home(lipas_home)
    result = backup_home(lipas_home, tmp_path / "operator's backups")
    with pytest.raises(BackupError, match="not empty"):
        restore_home(lipas_home, result.path)


def test_damaged_backup_is_refused(
    lipas_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One flipped byte in an archived original is caught by the manifest before restoring."""
    _small_home(lipas_home)
    result = backup_home(lipas_home, tmp_path / "backups")
    copy = next((result.path / "home" / "archive").rglob("laporan.xlsx"))
    copy.write_bytes(b"Original bytes of a clerk's workbook")
    with pytest.raises(BackupError, match="damaged"):
        verify_backup(result.path)
    restored = _other_home(tmp_path, monkeypatch, "new_home")
    with pytest.raises(BackupError, match="damaged"):
        restore_home(restored, result.path)
    assert not restored.warehouse_path.exists()


def test_backup_waits_for_the_writer_and_says_so(lipas_home: Settings, tmp_path: Path) -> None:
    """A nightly holding the warehouse makes the backup fail cleanly, leaving no partial folder.

    The writer is another process (DuckDB's lock is per process); it signals readiness on
    stdout, so nothing depends on timing.
    """
    _small_home(lipas_home)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(lipas_home.warehouse_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(BackupError, match="in use"):
            backup_home(lipas_home, tmp_path / "backups", wait_seconds=0)
    finally:
        holder.kill()
        holder.wait()
    assert not any((tmp_path / "backups").iterdir())


def _tables(con: duckdb.DuckDBPyConnection, db: str, schemas: tuple[str, ...]) -> list[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = ? and list_contains(?, schema_name) order by 1",
        [db, list(schemas)],
    ).fetchall()
    return [r[0] for r in rows]


# Set by dbt to the time of the build, so a rebuild differs there by design.
BUILD_TIME_COLUMNS = ("batch_at",)


def _differing(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows in one database's table but not the other's (both directions, duplicates counted)."""
    columns = [r[0] for r in con.execute(f"describe a.{table}").fetchall()]
    cols = ", ".join(f'"{c}"' for c in columns if c not in BUILD_TIME_COLUMNS)
    a, b = f"select {cols} from a.{table}", f"select {cols} from b.{table}"
    row = con.execute(
        f"select (select count(*) from ({a} except all {b})) + "
        f"(select count(*) from ({b} except all {a}))"
    ).fetchone()
    return int(row[0]) if row else -1


@pytest.mark.slow
def test_restored_home_rebuilds_the_same_ledger_findings_and_marts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backup a real pipeline home, restore it empty, rebuild with dbt, compare every table."""
    from orchestration.dbt_invocation import dbt_command, dbt_env, dbt_vars, run_dbt
    from tests.publishing.pipeline_data import build_pipeline_warehouse

    original = build_pipeline_warehouse(tmp_path / "original")
    with duckdb.connect(str(original.warehouse_path)) as con:
        first = con.execute("select finding_id from quality.findings limit 1").fetchone()
        assert first is not None
        acknowledge(con, first[0], "sudah dikonfirmasi ke Bapas", dt.datetime(2025, 4, 21))
    runner = CliRunner()
    monkeypatch.setenv("LIPAS_HOME", str(original.home))
    monkeypatch.setenv("LIPAS_ENV", "dev")
    made = runner.invoke(build_app(), ["backup", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    backup_dir = Path(made.stdout.strip().splitlines()[-1])

    restored = _other_home(tmp_path, monkeypatch, "restored")
    done = runner.invoke(build_app(), ["restore", str(backup_dir)])
    assert done.exit_code == 0, done.output
    target = tmp_path / "dbt_target"
    env = dbt_env(restored)
    env["DBT_LOG_PATH"] = str(tmp_path / "dbt_logs")
    args = dbt_command(
        "build", vars_json=dbt_vars(AS_OF), target_path=target,
        extra_args=("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"),
    )  # fmt: skip
    rebuilt = run_dbt(args, env, target_path=target)
    assert rebuilt.success, rebuilt.output[-4000:]

    con = duckdb.connect()
    con.execute("attach ? as a (read_only)", [str(original.warehouse_path)])
    con.execute("attach ? as b (read_only)", [str(restored.warehouse_path)])
    schemas = ("ledger", "quality", "raw", "marts", "reference")
    tables = _tables(con, "a", schemas)
    assert _tables(con, "b", schemas) == tables
    assert {"quality.finding_events", "quality.findings", "ledger.submissions"} <= set(tables)
    assert any(t.startswith("marts.") for t in tables)
    # archived_path is rewritten to the new home by design; compare it relative to each home.
    con.execute(
        "create temp table sub_a as select * replace "
        "(replace(archived_path, ?, '') as archived_path) from a.ledger.submissions",
        [str(original.home)],
    )
    con.execute(
        "create temp table sub_b as select * replace "
        "(replace(archived_path, ?, '') as archived_path) from b.ledger.submissions",
        [str(restored.home)],
    )
    moved = con.execute("select count(*) from (from sub_a except all from sub_b)").fetchone()
    assert moved == (0,)
    differing = {t: n for t in tables if t != "ledger.submissions" if (n := _differing(con, t))}
    assert differing == {}
    history = con.execute(
        "select count(*) from b.quality.finding_events where comment = ?",
        ["sudah dikonfirmasi ke Bapas"],
    ).fetchone()
    assert history == (1,)
