"""Which submissions the raw-integrity gate scans tonight; which it has scanned (ledger.raw_scans).

Raw is append-only per submission, so a night scans only the ids it has not scanned yet; a full
pass every LIPAS_RAW_FULL_SCAN_DAYS days, on the first run and whenever the scanned columns
change catches rows put into raw by another door under an id already scanned (issue 16).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import duckdb

from core.contract.raw_schema import LEDGER_SCHEMA
from core.settings_registry import setting
from ingestion.stored_masking import scanned_raw_columns

# Temp table of the submission ids this run scans (the gate's connection only).
SCOPE_TABLE = "_raw_gate_scope"


def columns_digest() -> str:
    """What a pass scans; when the contract changes it, earlier passes no longer count."""
    text = json.dumps(scanned_raw_columns(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def full_scan_due(con: duckdb.DuckDBPyConnection, now: dt.datetime, digest: str) -> bool:
    """No full pass yet, the last one older than the setting's days, or other columns then."""
    days = setting("LIPAS_RAW_FULL_SCAN_DAYS").integer()
    last_full, other_columns = con.execute(
        "select max(scanned_at) filter (where full_scan),"
        " count(*) filter (where columns_digest <> ?) from ledger.raw_scans",
        [digest],
    ).fetchone() or (None, 0)
    if days == 0 or last_full is None or other_columns:
        return True
    return bool(last_full <= now - dt.timedelta(days=days))


def select_scope(con: duckdb.DuckDBPyConnection, full: bool) -> int:
    """Fill SCOPE_TABLE with the ids this pass covers (every ledger id on a full pass)."""
    not_scanned = (
        "" if full else " where submission_id not in (select submission_id from ledger.raw_scans)"
    )
    con.execute(
        f"create or replace temp table {SCOPE_TABLE} as"
        f" select distinct submission_id from {LEDGER_SCHEMA}.submissions{not_scanned}"
    )
    row = con.execute(f"select count(*) from {SCOPE_TABLE}").fetchone()
    return int(row[0]) if row else 0
