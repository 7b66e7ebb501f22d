"""Remember each submission's failures of per-row checks, so a night checks only what is new.

The nightly re-judges the whole 12-month window (late files, new versions), but a submission's
raw rows never change after it is loaded, and every validity expectation judges one row on its
own (not null, in a set, between, a regex, one column against another of the same row). So a
submission's failing cells are a function of its rows and the suite alone. GX validity was the
largest part of the quality step (issue 16: ~9 s of ~24 s at national scale), nearly all of it
re-validating months already judged. (The consistency rules are not cached: all 27 take
~0.7 s over the whole window, less than writing their cache entries would.)

A cached result is used only while all of this holds, else the submission is validated again:
- the check is the same (`suite_digest`: every expectation with its arguments, e.g. a code
  list from the seeds, and the GX version);
- the table still holds the same number of rows for it;
- no ledger.redactions row for it is newer than the validation (the raw-integrity gate masked a
  value in place, or `lipas purge` removed its rows; purge also deletes its cached rows here).

Only failures are kept: the row number and the display text a finding sample would show
(already scrubbed of long digit runs, `quality.redaction.display_value`). Findings are drafted
from cached and fresh failures alike, so the same cells give the same finding ids and a finding
never resolves because its month was not re-validated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from core.duckdb_connect import insert_rows
from quality.gx_suites import ExpectationSpec

CACHE_SCHEMA = "quality_cache"
VALIDATED = f"{CACHE_SCHEMA}.checked"
FAILURES = f"{CACHE_SCHEMA}.failures"
# Bump when what is stored changes meaning: every cached result is then validated again.
CACHE_VERSION = "1"

# (submission_id, rule_id, row_number, display value)
Failure = tuple[str, str, int, str | None]


def ensure_cache_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the cache schema and tables (idempotent). Not an interface: nothing else reads it.

    `checked` names what was checked: the raw table whose GX suite ran.
    """
    con.execute(f"create schema if not exists {CACHE_SCHEMA}")
    con.execute(
        f"create table if not exists {VALIDATED} (submission_id varchar not null,"
        " checked varchar not null, suite_digest varchar not null, row_count bigint not null,"
        " validated_at timestamp not null, primary key (submission_id, checked))"
    )
    con.execute(
        f"create table if not exists {FAILURES} (submission_id varchar not null,"
        " checked varchar not null, rule_id varchar not null, row_number integer not null,"
        " value varchar)"
    )


def suite_digest(specs: Sequence[ExpectationSpec]) -> str:
    """What a validation depends on besides the rows: the expectations and the GX version."""
    from importlib.metadata import version

    text = repr((CACHE_VERSION, version("great_expectations"), sorted(map(repr, specs))))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class CachePlan:
    """For one check: submissions whose cached result holds, and those to check again."""

    checked: str
    digest: str
    fresh: frozenset[str]
    stale: dict[str, int]  # submission_id -> rows in scope now


def count_rows(con: duckdb.DuckDBPyConnection, raw_table: str, row_filter: str) -> str:
    """Rows per submission in scope (`row_filter` on q_cur_<table>), as a temp table; its name.

    Counted once per table and call of a check family, not once per check: 27 consistency
    rules re-counting the window's rows of their table cost seconds a night (issue 16).
    """
    name = f"q_rows_{raw_table}"
    con.execute(
        f"create or replace temp table {name} as select submission_id, count(*) as n"
        f" from q_cur_{raw_table} where {row_filter} group by submission_id"
    )
    return name


def plan(
    con: duckdb.DuckDBPyConnection,
    rows_table: str,
    digest: str,
    checked: str,
    *,
    reuse: bool = True,
) -> CachePlan:
    """Split the submissions of `rows_table` (from count_rows) by the rules above for a check.

    `checked` names the check in the cache (the raw table whose GX suite ran).
    `reuse=False` marks every submission stale (check all, refresh the cache).
    """
    rows = con.execute(
        f"with now_rows as (select submission_id, n from {rows_table}),"
        " redacted as (select submission_id, max(redacted_at) as at from q_ledger_redactions"
        " where submission_id in (select submission_id from now_rows) group by submission_id)"
        " select now_rows.submission_id, now_rows.n,"
        " v.submission_id is not null and v.suite_digest = ? and v.row_count = now_rows.n"
        " and (redacted.at is null or redacted.at < v.validated_at)"
        f" from now_rows left join {VALIDATED} v on v.submission_id = now_rows.submission_id"
        " and v.checked = ?"
        " left join redacted on redacted.submission_id = now_rows.submission_id",
        [digest, checked],
    ).fetchall()
    fresh = frozenset(str(sid) for sid, _n, ok in rows if ok and reuse)
    stale = {str(sid): int(n) for sid, n, _ok in rows if str(sid) not in fresh}
    return CachePlan(checked, digest, fresh, stale)


def cached_failures(con: duckdb.DuckDBPyConnection, cache: CachePlan) -> list[Failure]:
    """The stored failures of the fresh submissions."""
    if not cache.fresh:
        return []
    rows = con.execute(
        f"select submission_id, rule_id, row_number, value from {FAILURES}"
        " where checked = ? and submission_id in (select unnest(?::varchar[]))",
        [cache.checked, sorted(cache.fresh)],
    ).fetchall()
    return [(str(s), str(r), int(n), None if v is None else str(v)) for s, r, n, v in rows]


def store(
    con: duckdb.DuckDBPyConnection,
    cache: CachePlan,
    failures: Iterable[Failure],
    now: dt.datetime,
) -> None:
    """Record the check of the stale submissions (replacing what was cached for them)."""
    if not cache.stale:
        return
    ids = sorted(cache.stale)
    con.execute("begin transaction")
    try:
        for table in (VALIDATED, FAILURES):
            con.execute(
                f"delete from {table} where checked = ?"
                " and submission_id in (select unnest(?::varchar[]))",
                [cache.checked, ids],
            )
        validated = [[sid, cache.checked, cache.digest, cache.stale[sid], now] for sid in ids]
        insert_rows(con, VALIDATED, ["submission_id", "checked", "digest", "n", "at"], validated)
        rows = [[sid, cache.checked, rule, row, value] for sid, rule, row, value in failures]
        insert_rows(con, FAILURES, ["submission_id", "checked", "rule", "row", "value"], rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
