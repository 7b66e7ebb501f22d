"""`lipas backup` / `lipas restore`: a dated, checksummed copy of what cannot be rebuilt.

Backed up: the archive of original files (the only copy of what Bapas sent), raw Parquet,
quarantine reports, the `ledger`, `quality` (findings with their history and triage comments,
alert log, outbox) and `raw` schemas of the warehouse, instance.json, the run-failure log and
the Dagster instance's schedule/sensor state. Rebuilt after a restore: every dbt table
(`lipas nightly` or `lipas build`), published snapshots and digests. The raw schema is backed
up rather than re-parsed so that a restore gives back exactly the numbers in force, even when
the parser or the pseudonym key changed since (docs/operations.md, "Backup and restore").

Consistency: the warehouse tables are exported under a read-only DuckDB connection, which
excludes the single writer for the few seconds the export takes; files are copied afterwards.
The archive and raw Parquet are write-once (content-addressed, per submission), so every file
the exported ledger names is already on disk and unchanged when it is copied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.duckdb_connect import open_duckdb
from core.settings import Settings

logger = logging.getLogger(__name__)

BACKUP_SCHEMAS = ("ledger", "quality", "raw")
MANIFEST = "manifest.json"
FORMAT_VERSION = 1
# Folders of LIPAS_HOME copied file by file (write-once, so copying outside the lock is safe).
FILE_DIRS = ("archive", "raw", "quarantine")
# Single files of LIPAS_HOME kept as they are.
HOME_FILES = ("instance.json", "reports/run_failures.jsonl", "dagster/dagster.yaml")
# Dagster's SQLite schedule storage: sensor cursors and started/stopped state of schedules.
DAGSTER_SCHEDULE_DB = "dagster/schedules/schedules.db"


class BackupError(RuntimeError):
    """The backup or restore cannot proceed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """Where a backup went and what it holds."""

    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    """What a restore put into the new LIPAS_HOME."""

    home: Path
    tables: int
    rows: int
    files: int
    seconds: float


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(identifier: str) -> str:
    """A DuckDB identifier in double quotes (names come from the catalog, never from input)."""
    return '"' + identifier.replace('"', '""') + '"'


def _connect_read_only(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Read-only connection; retries while a writer (ingest, nightly) holds the file lock."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return open_duckdb(str(path), read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise BackupError(
                        "the warehouse is in use by an ingestion or nightly run; run the backup "
                        "again later or give a longer --wait"
                    ) from exc
                raise
        time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))


def _export_tables(con: duckdb.DuckDBPyConnection, out: Path) -> list[dict[str, object]]:
    """COPY every table of BACKUP_SCHEMAS to Parquet; returns the manifest's table entries."""
    rows = con.execute(
        "select schema_name, table_name, sql from duckdb_tables() "
        "where database_name = current_database() and schema_name in (?, ?, ?) "
        "order by schema_name, table_name",
        list(BACKUP_SCHEMAS),
    ).fetchall()
    out.mkdir(parents=True)
    tables: list[dict[str, object]] = []
    for schema, table, ddl in rows:
        name = f"{schema}.{table}"
        target = out / f"{name}.parquet"
        qualified = f"{_quote(schema)}.{_quote(table)}"
        count = con.execute(f"select count(*) from {qualified}").fetchone()
        # COPY takes no bind parameter for its target; the path is the operator's DEST plus
        # catalog names, quoted as a SQL string literal.
        literal = "'" + str(target).replace("'", "''") + "'"
        con.execute(f"copy (select * from {qualified}) to {literal} (format parquet)")
        tables.append(
            {"name": name, "file": f"tables/{target.name}", "rows": int(count[0]) if count else 0,
             "sql": ddl}
        )  # fmt: skip
    return tables


def _copy_sqlite(source: Path, target: Path) -> None:
    """Online copy of a SQLite database (consistent while the daemon writes to it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _copy_files(home: Path, staging: Path) -> None:
    for folder in FILE_DIRS:
        root = home / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(home)
            if not path.is_file() or ".staging" in rel.parts or path.name.endswith(".tmp"):
                continue
            target = staging / "home" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(path, target)
            except FileNotFoundError:
                # `lipas purge` removed a raw Parquet file after the export; its rows are in
                # the exported tables' state of that moment, so nothing is lost.
                logger.info("backup: %s vanished while copying (purged)", rel)
    for name in HOME_FILES:
        if (home / name).is_file():
            target = staging / "home" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(home / name, target)
    if (home / DAGSTER_SCHEDULE_DB).is_file():
        _copy_sqlite(home / DAGSTER_SCHEDULE_DB, staging / "home" / DAGSTER_SCHEDULE_DB)


def _checksums(staging: Path) -> dict[str, dict[str, object]]:
    return {
        str(path.relative_to(staging)): {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        for path in sorted(staging.rglob("*"))
        if path.is_file()
    }


def backup_home(
    settings: Settings, dest: Path, *, wait_seconds: float = 600.0, now: dt.datetime | None = None
) -> BackupResult:
    """Write `dest/lipas-backup-<UTC timestamp>/` with a manifest of sha256 per file.

    The folder appears only when complete (written as `.partial`, then renamed), so a crash
    leaves no backup that looks whole.
    """
    started = time.monotonic()
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    final = dest / f"lipas-backup-{stamp}"
    staging = dest / f".lipas-backup-{stamp}.partial"
    if final.exists() or staging.exists():
        raise BackupError(f"{final} already exists; wait a second and run the backup again")
    dest.mkdir(parents=True, exist_ok=True)
    staging.mkdir(mode=0o700)
    try:
        tables: list[dict[str, object]] = []
        if settings.warehouse_path.is_file():
            with _connect_read_only(settings.warehouse_path, wait_seconds) as con:
                tables = _export_tables(con, staging / "tables")
        _copy_files(settings.home, staging)
        files = _checksums(staging)
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source_home": str(settings.home),
            "environment": settings.environment,
            "tables": tables,
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    size = sum(int(str(entry["bytes"])) for entry in files.values())
    rows = sum(int(str(t["rows"])) for t in tables)
    result = BackupResult(final, len(tables), rows, len(files), size, time.monotonic() - started)
    logger.info("backup: %s (%d tables, %d files)", final, len(tables), len(files))
    return result


def read_manifest(src: Path) -> dict[str, object]:
    """The backup's manifest; BackupError when the folder is not a complete backup."""
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} is not a lipas backup (no {MANIFEST})")
    manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{src}: unknown backup format {manifest.get('format_version')!r}")
    return manifest


def verify_backup(src: Path) -> dict[str, object]:
    """Check every file against the manifest's sha256; BackupError names the first mismatch."""
    manifest = read_manifest(src)
    files = manifest["files"]
    assert isinstance(files, dict)
    for rel, entry in files.items():
        path = src / rel
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            raise BackupError(f"backup file {rel} is missing or damaged (sha256 differs)")
    return manifest


def _home_is_empty(home: Path) -> bool:
    return not home.exists() or not any(home.iterdir())


def restore_home(settings: Settings, src: Path) -> RestoreResult:
    """Rebuild an empty LIPAS_HOME from a verified backup; refuses a home that holds anything.

    ledger.submissions.archived_path is absolute, so it is rewritten from the backed-up home's
    archive folder to the new one.
    """
    started = time.monotonic()
    home = settings.home
    if not _home_is_empty(home):
        raise BackupError(f"LIPAS_HOME {home} is not empty; restore only into an empty folder")
    manifest = verify_backup(src)
    files = manifest["files"]
    tables = manifest["tables"]
    assert isinstance(files, dict) and isinstance(tables, list)
    settings.ensure_dirs()
    copied = 0
    for rel in files:
        if not rel.startswith("home/"):
            continue
        target = home / rel.removeprefix("home/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, target)
        copied += 1
    settings.archive_dir.chmod(0o700)
    rows = 0
    with open_duckdb(str(settings.warehouse_path)) as con:
        con.execute("BEGIN TRANSACTION")
        for schema in BACKUP_SCHEMAS:
            con.execute(f"create schema if not exists {_quote(schema)}")
        for table in tables:
            con.execute(str(table["sql"]))
            schema, name = str(table["name"]).split(".", 1)
            con.execute(
                f"insert into {_quote(schema)}.{_quote(name)} select * from read_parquet(?)",
                [str(src / str(table["file"]))],
            )
            rows += int(str(table["rows"]))
        old_archive = str(Path(str(manifest["source_home"])) / "archive") + "/"
        if any(t["name"] == "ledger.submissions" for t in tables):
            con.execute(
                "update ledger.submissions set archived_path = ? || "
                "substr(archived_path, length(?) + 1) where starts_with(archived_path, ?)",
                [str(settings.archive_dir) + "/", old_archive, old_archive],
            )
        con.execute("COMMIT")
    logger.info("restore: %s -> %s (%d tables, %d files)", src, home, len(tables), copied)
    return RestoreResult(home, len(tables), rows, copied, time.monotonic() - started)
