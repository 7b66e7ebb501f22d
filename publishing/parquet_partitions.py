"""Month partitions of the Parquet export that did not change are linked, not written again.

A night adds one month, but the export rewrote every month of every large fact: at three
national years that was most of `lipas publish` (issue 16). Each version folder now records a
fingerprint per table and period (row count and the sum of the rows' hashes, with the table's
columns and the DuckDB version); the next export hard-links the previous version's files of
every period whose fingerprint is unchanged and writes only the others. Exported files are
never modified in place, so a reader of the previous version is unaffected, and pruning an old
version only removes its own links.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from pathlib import Path

import duckdb

from core.settings_registry import setting

logger = logging.getLogger(__name__)

FINGERPRINTS = ".fingerprints.json"
# Only plain months or years are reused: their folder name is exactly `period=<value>`.
REUSABLE_PERIOD = re.compile(r"^\d{4}(-\d{2})?$")
# Stamped by dbt on every row an incremental model writes (dbt_project/macros/batch_at.sql).
BATCH_COLUMN = "batch_at"

Fingerprints = dict[str, dict[str, object]]


def table_fingerprints(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    previous: dict[str, object] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """The table's layout and one fingerprint per period (`relation` is quoted by the caller).

    A fingerprint is the period's row count and the sum of its rows' hashes. `sum` of the
    UBIGINT hashes is already an exact HUGEINT: the explicit `::hugeint` cast this used to carry
    gave the same fingerprints but cost half the query on a 2 M-row fact (issue 16).

    Hashing every row of every period each night grew with history: at 1,500 clients per
    Bapas-month the +1 month publish took 1.61x as long at three years as at one (issue 16).
    A table dbt writes carries `batch_at` on every row (the dbt run that wrote it), so a period
    whose row count and latest `batch_at` equal `previous`'s (this table's record from the last
    publish) was not written by dbt since; its hash is taken from `previous` and only the other
    periods are hashed. A change made outside dbt that keeps both (a hand UPDATE) is found by
    the full hash every LIPAS_PUBLISH_FULL_HASH_DAYS days (`0`: every publish), as the
    raw-integrity gate's full pass does for raw. A table without `batch_at` is hashed whole.
    """
    layout = [[str(r[0]), str(r[1])] for r in con.execute(f"describe {relation}").fetchall()]
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    identity = {"layout": layout, "duckdb": duckdb.__version__}
    if not any(name == BATCH_COLUMN for name, _ in layout):
        return {**identity, "periods": _hashes(con, relation, None)}
    reusable = _reusable(previous, identity, moment)
    if reusable is None:  # a full hash: stamps and hashes in one pass
        rows = con.execute(
            f"select period, count(*), sum(hash(t)), max({BATCH_COLUMN})"
            f" from {relation} as t group by period"
        ).fetchall()
        return {
            **identity,
            "periods": {str(p): f"{n}:{h}" for p, n, h, _ in rows if p is not None},
            "stamps": {str(p): f"{n}:{latest}" for p, n, _, latest in rows if p is not None},
            "hashed_at": moment.isoformat(),
        }
    stamps = {
        str(p): f"{n}:{latest}"
        for p, n, latest in con.execute(
            f"select period, count(*), max({BATCH_COLUMN}) from {relation} group by period"
        ).fetchall()
        if p is not None
    }
    old_periods, old_stamps, hashed_at = reusable
    stale = sorted(p for p, s in stamps.items() if old_stamps.get(p) != s or p not in old_periods)
    periods = {p: old_periods[p] for p in stamps.keys() - set(stale)}
    periods.update(_hashes(con, relation, stale))
    if stale:
        logger.debug("%s: %d of %d periods hashed", relation, len(stale), len(stamps))
    return {**identity, "periods": periods, "stamps": stamps, "hashed_at": hashed_at}


def _hashes(
    con: duckdb.DuckDBPyConnection, relation: str, periods: list[str] | None
) -> dict[str, str]:
    """`count:hash` per period: every period (None) or only those listed."""
    if periods == []:
        return {}
    where = "" if periods is None else "where period in (select unnest(?::varchar[]))"
    rows = con.execute(
        f"select period, count(*), sum(hash(t)) from {relation} as t {where} group by period",
        [] if periods is None else [periods],
    ).fetchall()
    return {str(p): f"{n}:{h}" for p, n, h in rows if p is not None}


def _reusable(
    previous: dict[str, object] | None, identity: dict[str, object], moment: dt.datetime
) -> tuple[dict[str, str], dict[str, str], str] | None:
    """(periods, stamps, hashed_at) of `previous` when its hashes may be reused, else None.

    Not when there is none, the layout or DuckDB version differs (hashes change), it has no
    stamps (written before stamps existed), or its full hash is LIPAS_PUBLISH_FULL_HASH_DAYS old.
    """
    if not previous or any(previous.get(k) != v for k, v in identity.items()):
        return None
    periods, stamps, hashed_at = (previous.get(k) for k in ("periods", "stamps", "hashed_at"))
    if not (isinstance(periods, dict) and isinstance(stamps, dict) and isinstance(hashed_at, str)):
        return None
    days = setting("LIPAS_PUBLISH_FULL_HASH_DAYS").integer()
    try:
        age = moment - dt.datetime.fromisoformat(hashed_at)
    except ValueError:
        return None
    if days <= 0 or age >= dt.timedelta(days=days) or age < dt.timedelta(0):
        return None
    return periods, stamps, hashed_at


def read_fingerprints(version: Path | None) -> Fingerprints:
    """What an earlier version recorded (empty when there is none or it is unreadable)."""
    if version is None or not (version / FINGERPRINTS).is_file():
        return {}
    try:
        data = json.loads((version / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_fingerprints(version: Path, fingerprints: Fingerprints) -> None:
    """Record this version's fingerprints beside its tables (a dot file: not a Parquet glob)."""
    (version / FINGERPRINTS).write_text(json.dumps(fingerprints, sort_keys=True), "utf-8")


def link_unchanged(
    table: str,
    now: dict[str, object],
    before: dict[str, object] | None,
    previous: Path | None,
    out: Path,
) -> set[str]:
    """Hard-link the previous version's folders of unchanged periods into `out`; their periods."""
    if previous is None or not before:
        return set()
    if before.get("layout") != now.get("layout") or before.get("duckdb") != now.get("duckdb"):
        return set()
    old_periods = before.get("periods")
    new_periods = now.get("periods")
    if not isinstance(old_periods, dict) or not isinstance(new_periods, dict):
        return set()
    reused: set[str] = set()
    for period, fingerprint in new_periods.items():
        source = previous / table / f"period={period}"
        if (
            REUSABLE_PERIOD.match(period)
            and old_periods.get(period) == fingerprint
            and source.is_dir()
        ):
            _link_folder(source, out / f"period={period}")
            reused.add(period)
    return reused


def _link_folder(source: Path, target: Path) -> None:
    """Hard links of every file (a copy where links are not possible, e.g. across devices)."""
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file():
            try:
                os.link(item, target / item.name)
            except OSError:
                shutil.copy2(item, target / item.name)
