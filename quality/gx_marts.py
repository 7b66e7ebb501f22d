"""Great Expectations on the dbt marts (after dbt build): one GX context, one suite per mart."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from core.duckdb_connect import fetch_frame, open_duckdb, release_fetched_memory
from core.settings import Settings
from quality.gx_suites import ExpectationSpec, GxRunner, shared_runner
from quality.model import IMPORTANCE_TO_SEVERITY

MARTS_PATH = Path(__file__).parent / "rules" / "marts.yaml"
MARTS_SCHEMA = "marts"
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MartValidation:
    """Result for one mart: what the Dagster asset check reports."""

    table: str
    passed: bool
    rows: int
    counts: dict[str, int]
    failing: tuple[str, ...]


@lru_cache(maxsize=1)
def mart_specs(path: Path = MARTS_PATH) -> dict[str, tuple[ExpectationSpec, ...]]:
    """Mart name -> its expectation specs, from marts.yaml."""
    import re

    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, tuple[ExpectationSpec, ...]] = {}
    for mart, entries in data["marts"].items():
        if not re.match(IDENTIFIER, mart):
            raise ValueError(f"marts.yaml: {mart!r} is not a plain table name")
        specs = []
        for e in entries:
            check, column = e["check"], e.get("column")
            kwargs: dict[str, Any] = {}
            if check in ("between", "row_count_between"):
                kwargs = {"min_value": e.get("min"), "max_value": e.get("max")}
            rule_id = f"MART_{mart}_{column or 'table'}_{check}".upper()
            severity = IMPORTANCE_TO_SEVERITY[e.get("importance", "HIGH")]
            specs.append(ExpectationSpec(rule_id, column, check, severity, tuple(kwargs.items())))
        out[mart] = tuple(specs)
    return out


def _existing_marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [MARTS_SCHEMA]
    ).fetchall()
    return {r[0] for r in rows}


def _mart_frame(
    con: duckdb.DuckDBPyConnection, mart: str, specs: tuple[ExpectationSpec, ...]
) -> Any:
    """The mart's rows, with only the columns its suite reads (all rows: row counts matter).

    Regression (issue 16): `select *` of fct_client_month (29 columns, ~3.7M rows on three
    national years) made this step peak at several GB. A column the suite names but the mart
    lacks is not selected, so GX still reports it missing and the check fails.
    """
    present = [
        str(r[0])
        for r in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [MARTS_SCHEMA, mart],
        ).fetchall()
    ]
    wanted = {s.column for s in specs if s.column}
    columns = [c for c in present if c in wanted] or present[:1]
    # A column only checked for NULLs needs only its nullness: fct_client_month's 4.4 M
    # distinct client_id strings were most of this step's ~1.4 GB peak (issue 16).
    nulls_only = {c for c in columns if all(s.kind == "not_null" for s in specs if s.column == c)}
    # Table names come from marts.yaml (checked against IDENTIFIER), columns from the catalog.
    selected = ", ".join(
        f"case when {q} is not null then true end as {q}" if c in nulls_only else q
        for c in columns
        for q in ['"' + c.replace('"', '""') + '"']
    )
    return fetch_frame(con, f"select {selected} from {MARTS_SCHEMA}.{mart}")


def validate_marts(
    settings: Settings,
    con: duckdb.DuckDBPyConnection | None = None,
    data_docs: bool = True,
) -> list[MartValidation]:
    """Validate every configured mart; a missing mart or column fails (never silently passes)."""
    own = con is None
    connection = con or open_duckdb(str(settings.warehouse_path), read_only=True)
    docs_dir = settings.reports_dir / "data_docs" if data_docs else None
    try:
        present = _existing_marts(connection)
        runner = shared_runner(docs_dir)
        with runner.docs_batch():
            results = _validate_all(connection, runner, present)
    finally:
        if own:
            connection.close()
        release_fetched_memory()
    logger.info("mart expectations: %d/%d passed", sum(r.passed for r in results), len(results))
    return results


def _validate_all(
    connection: duckdb.DuckDBPyConnection, runner: GxRunner, present: set[str]
) -> list[MartValidation]:
    """Every configured mart in turn (Data Docs rendered by the caller's docs_batch)."""
    results = []
    for mart, specs in mart_specs().items():
        if mart not in present:
            results.append(MartValidation(mart, False, 0, {"error": 1}, ("mart missing",)))
            continue
        frame = _mart_frame(connection, mart, specs)
        summary = runner.validate(f"mart_{mart}", frame, specs, ())
        failing = tuple(
            f"{f.rule_id}: {f.error or f'{f.unexpected_count} unexpected'}" for f in summary.failing
        )
        results.append(MartValidation(mart, summary.passed, len(frame), summary.counts, failing))
    return results
