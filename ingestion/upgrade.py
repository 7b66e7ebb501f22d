"""Upgrade detection: has the contract or a dbt model changed since the last warehouse build?

Incremental facts only recompute recent periods, so after an upgrade that changes the contract
or a model, older periods would keep the old logic until someone noticed numbers that disagree.
The nightly compares a fingerprint of contract.yaml and every model's SQL with the one stored
at the last build, announces the change in its log and runs that build with --full-refresh
(docs/operations.md, "Upgrades").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.contract.model import CONTRACT_PATH
from core.duckdb_connect import open_duckdb
from core.period import Period, PeriodError, utc_now, window_start
from core.settings import DBT_PROJECT_DIR

_DDL = """
create table if not exists ledger.build_fingerprints (
    recorded_at timestamp not null,
    digest varchar not null,   -- sha256 over the parts below
    parts varchar not null     -- JSON {relative path: sha256}
)"""


@dataclass(frozen=True)
class Fingerprint:
    """The code the warehouse tables were built from."""

    digest: str
    parts: dict[str, str]


def code_fingerprint(
    dbt_dir: Path = DBT_PROJECT_DIR, contract: Path = CONTRACT_PATH
) -> Fingerprint:
    """sha256 of contract.yaml, dbt_project.yml and every model and macro SQL file."""
    files = [contract, dbt_dir / "dbt_project.yml"]
    files += sorted((dbt_dir / "models").rglob("*.sql")) + sorted(
        (dbt_dir / "macros").rglob("*.sql")
    )
    root = dbt_dir.parent
    parts = {
        str(path.relative_to(root) if path.is_relative_to(root) else path.name): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in files
        if path.is_file()
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return Fingerprint(digest, parts)


def changed_since_last_build(con: duckdb.DuckDBPyConnection, current: Fingerprint) -> list[str]:
    """Files added, removed or changed since the fingerprint of the last recorded build.

    Empty on the first build of a warehouse (it is a full build anyway) and when nothing changed.
    """
    con.execute("create schema if not exists ledger")
    con.execute(_DDL)
    row = con.execute(
        "select parts from ledger.build_fingerprints order by recorded_at desc limit 1"
    ).fetchone()
    if row is None:
        return []
    before: dict[str, str] = json.loads(row[0])
    names = set(before) | set(current.parts)
    return sorted(n for n in names if before.get(n) != current.parts.get(n))


def record_build(
    con: duckdb.DuckDBPyConnection, current: Fingerprint, now: dt.datetime | None = None
) -> None:
    """Remember the fingerprint of a successful build (the next nightly compares with it)."""
    con.execute("create schema if not exists ledger")
    con.execute(_DDL)
    when = now or utc_now()
    con.execute(
        "insert into ledger.build_fingerprints values (?, ?, ?)",
        [when, current.digest, json.dumps(current.parts, sort_keys=True)],
    )


def pending_full_refresh(warehouse: Path) -> list[str]:
    """Changed files since the warehouse's last recorded build (opens and closes the writer)."""
    if not warehouse.is_file():
        return []
    with open_duckdb(str(warehouse)) as con:
        return changed_since_last_build(con, code_fingerprint())


def record_warehouse_build(warehouse: Path) -> None:
    """Record the current fingerprint after a successful build of `warehouse`."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with open_duckdb(str(warehouse)) as con:
        record_build(con, code_fingerprint())


def data_tests_since(warehouse: Path, judging_day: dt.date, window_months: int) -> dt.date | None:
    """First month the nightly's data tests must read, or None for the whole history.

    None before the first recorded build (everything is new). Otherwise the earliest month of
    a monthly report ingested since the last build (late months and resubmissions of old
    periods included), and never later than the start of the judging window, which also covers
    a held file released since (its row keeps its old `ingested_at`). Months before that
    passed the same tests on the night they last changed (issue 16).
    """
    if not warehouse.is_file():
        return None
    with open_duckdb(str(warehouse)) as con:
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'ledger'"
            ).fetchall()
        }
        if not {"submissions", "build_fingerprints"} <= tables:
            return None  # never built (or nothing ingested): test everything
        rows = con.execute(
            "select max(b.recorded_at), list(distinct s.periode)"
            " filter (where s.ingested_at > b.recorded_at)"
            " from (select max(recorded_at) as recorded_at from ledger.build_fingerprints) as b"
            " left join ledger.submissions as s"
            "  on s.report_kind = 'monthly' and s.periode is not null"
            " group by all"
        ).fetchall()
    if not rows or rows[0][0] is None:
        return None
    since = window_start(judging_day, window_months).start
    for label in rows[0][1] or []:
        try:
            since = min(since, Period.parse(str(label)).start)
        except PeriodError:
            continue  # a rejected file's unreadable period changed nothing in the facts
    return since
