"""Re-pseudonymise from the archive: replay an old home's originals into a new home's landing.

A lost or rotated LIPAS_PSEUDONYM_KEY cannot be "converted": client_key is a one-way HMAC of
the NIK, and the NIK lives only in the archived originals. So the new home (empty, with the new
key in its environment) receives every archived original under its original landing path and
arrival time, and ingestion runs as it did then; dbt and the checks rebuild the rest
(docs/operations.md, "Keys and rotation").
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.duckdb_connect import open_duckdb
from core.settings import Settings

logger = logging.getLogger(__name__)


class RekeyError(RuntimeError):
    """The replay cannot run (message says why)."""


@dataclass(frozen=True)
class Replay:
    """What `replay_archive` staged."""

    staged: int
    skipped_purged: int
    missing: int


def _originals(warehouse: Path) -> tuple[list[tuple[str, str, float]], set[str]]:
    """(archived path, original path, received epoch) per distinct content, oldest first."""
    with open_duckdb(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select sha256, any_value(archived_path order by received_at), "
            "any_value(original_path order by received_at), min(received_at), "
            "list(submission_id) from ledger.submissions "
            "where archived_path is not null and file_format <> 'unknown' "
            "group by sha256 order by min(received_at), sha256"
        ).fetchall()
        has_redactions = con.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'ledger' and table_name = 'redactions'"
        ).fetchone()
        # Warehouses older than `lipas purge` have no redactions table: nothing was purged.
        purged = (
            {
                r[0]
                for r in con.execute(
                    "select distinct submission_id from ledger.redactions"
                ).fetchall()
            }
            if has_redactions and has_redactions[0]
            else set()
        )
    out: list[tuple[str, str, float]] = []
    skipped: set[str] = set()
    for sha, archived, original, received, ids in rows:
        if purged & set(ids):
            # A purge removed personal data on purpose; replaying would load it again.
            skipped.add(sha)
            continue
        out.append((archived, original, received.timestamp() if received else 0.0))
    return out, skipped


def _set_times(path: Path, epoch: float) -> None:
    """Arrival time = mtime (discover takes min(mtime, ctime, now)), for files and folders."""
    targets = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    for target in targets:
        os.utime(target, (epoch, epoch))


def replay_archive(old_home: Path, settings: Settings) -> Replay:
    """Copy the old home's archived originals into the new (empty) home's landing.

    The old warehouse is only read. Purged submissions are not replayed. The caller then runs
    ingestion in the new home with the new key (`lipas rekey` does both).
    """
    old_warehouse = old_home / "warehouse" / "lipas.duckdb"
    if not old_warehouse.is_file():
        raise RekeyError(f"{old_home} has no warehouse/lipas.duckdb to read the ledger from")
    if settings.warehouse_path.exists():
        raise RekeyError(f"the new LIPAS_HOME {settings.home} already has a warehouse")
    originals, purged = _originals(old_warehouse)
    settings.ensure_dirs()
    staged = missing = 0
    for archived, original, epoch in originals:
        # archived_path is absolute in the old home; find it under that home's archive.
        source = old_home / "archive" / Path(archived).parent.name[:2] / Path(archived).parent.name
        source = source / Path(archived).name
        target = settings.landing_dir / original
        if not source.exists() or not target.resolve().is_relative_to(settings.landing_dir):
            missing += 1
            logger.warning("rekey: archived original %s is missing", Path(archived).parent.name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
        _set_times(target, epoch)
        staged += 1
    logger.info("rekey: staged %d originals (%d purged skipped)", staged, len(purged))
    return Replay(staged, len(purged), missing)
