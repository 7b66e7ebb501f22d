"""Issue 13: the digest, `lipas check` and mart_submission_compliance give the same rates.

Fed one on-time report and one rejected file, `lipas check` and the mart said 1.0 and the digest
0.5. All three now count the register's `counts_as_*` columns (quality/indicators.py). This test
writes the register with the quality layer's own code, runs a real `dbt build` of the mart on a
temporary DuckDB file, builds the digest from the same file, and compares every rate over a mix
of on-time, late, rejected-only, corrected, held and missing reports.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import qbuild

from core.settings import load_settings
from orchestration.dbt_invocation import dbt_command, dbt_env, run_dbt
from quality.alerts.digest import Digest, build_digest
from quality.alerts.directory import load_directory
from quality.alerts.loader import load_inputs
from quality.alerts.model import AlertHistory
from quality.completeness import build_register, write_register
from quality.config import QualityConfig
from quality.rates import RateRow, reporting_rates
from quality.scope import build_scope, register_scope
from quality.score import write_scores
from quality.store import ensure_quality_tables
from quality.tables import create_current_views

AS_OF = dt.date(2025, 3, 20)
PERIOD = "2025-02"  # deadline 2025-03-10 (Asia/Jakarta)
_T = dt.datetime
# Bapas -> files sent for February 2025, in arrival order (naive UTC).
MONTHLY: dict[str, list[tuple[str, dt.datetime]]] = {
    "BP1101": [("accepted", _T(2025, 3, 3))],  # on time
    "BP1102": [("rejected", _T(2025, 3, 2))],  # only a rejected file: received, not reported
    "BP1103": [("accepted", _T(2025, 3, 14))],  # late
    "BP1201": [("held", _T(2025, 3, 4))],  # held: not an arrival at all
    "BP1202": [],  # missing
    "BP1301": [("rejected", _T(2025, 3, 1)), ("accepted", _T(2025, 3, 5))],  # fixed in time
    "BP1302": [("rejected", _T(2025, 3, 1)), ("accepted", _T(2025, 3, 15))],  # fixed late
}
# Annual plan 2025 (due 2025-01-31): one on time, one rejected only, the rest missing.
PLANS: dict[str, tuple[str, dt.datetime]] = {
    "BP1101": ("accepted", _T(2025, 1, 20)),
    "BP1102": ("rejected", _T(2025, 1, 25)),
}
CODES = {"rejected": "missing_sheet", "held": "identity_mismatch"}


@dataclass(frozen=True)
class Built:
    """The warehouse after quality wrote the register and dbt built the mart from it."""

    warehouse: Path
    quarantine_dir: Path
    register_rates: tuple[RateRow, ...]
    statuses: dict[tuple[str, str], str]


def _write_register(warehouse: Path) -> tuple[tuple[RateRow, ...], dict[tuple[str, str], str]]:
    con = qbuild.connect(warehouse)
    try:
        for kode, files in MONTHLY.items():
            for status, received in files:
                rows = qbuild.monthly_rows(kode, PERIOD) if status != "rejected" else None
                qbuild.add_submission(
                    con, kode, PERIOD, rows, status=status, received_at=received,
                    error_code=CODES.get(status),
                )  # fmt: skip
        for kode, (status, received) in PLANS.items():
            rows = qbuild.plan_rows(2025) if status == "accepted" else None
            qbuild.add_submission(
                con, kode, "2025", rows, kind="annual_plan", status=status,
                received_at=received, error_code=CODES.get(status),
            )  # fmt: skip
        ensure_quality_tables(con)
        scope = build_scope(AS_OF, [PERIOD], 12, frozenset(MONTHLY))
        create_current_views(con)
        register_scope(con, scope)
        register = build_register(con, scope, QualityConfig())
        write_register(con, register, scope)
        write_scores(con, register, _T(2025, 3, 20, 1))
    finally:
        con.close()
    statuses = {(r.kode_bapas, r.report_kind): r.status for r in register}
    return tuple(reporting_rates(register)), statuses


@pytest.fixture(scope="module")
def built() -> Iterator[Built]:
    """Register by the quality layer, then `dbt build` of the mart and what it reads."""
    tmp = Path(tempfile.mkdtemp(prefix="lipas_indicators_"))
    try:
        settings = load_settings({"LIPAS_HOME": str(tmp / "home")})
        settings.ensure_dirs()
        warehouse = settings.warehouse_path
        rates, statuses = _write_register(warehouse)
        env = dbt_env(settings, target="duckdb", warehouse_path=warehouse, as_of_date=AS_OF)
        env["DBT_LOG_PATH"] = str(tmp / "dbt_logs")
        target = tmp / "target"
        args = dbt_command(
            "build",
            select=("+mart_submission_compliance",),
            target_path=target,
            extra_args=(
                "--exclude-resource-type",
                "test",
                "--exclude-resource-type",
                "unit_test",
            ),
        )
        result = run_dbt(args, env, target_path=target)
        if not result.success:
            pytest.fail(f"dbt build failed:\n{result.output[-6000:]}", pytrace=False)
        yield Built(warehouse, settings.quarantine_dir, rates, statuses)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mart(built: Built, geo_level: str, grain: str, period: str, kind: str) -> dict[str, tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute(
            "select geo_code, expected_reports, reported_reports, on_time_reports,"
            " reporting_rate, on_time_rate from marts.mart_submission_compliance"
            " where geo_level = ? and period_grain = ? and period = ? and report_kind = ?",
            [geo_level, grain, period, kind],
        ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def _digest(built: Built, audience: str = "ditjen") -> Digest:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        inputs = load_inputs(con, PERIOD, AS_OF, built.quarantine_dir)
    return build_digest(inputs, AlertHistory(), load_directory(), audience=audience)


def _counts(rate: RateRow) -> tuple[int, int, int, float | None, float | None]:
    return (rate.expected, rate.reported, rate.on_time, rate.reporting_rate, rate.on_time_rate)


def test_the_mix_is_what_the_test_claims(built: Built) -> None:
    monthly = {k: s for (k, kind), s in built.statuses.items() if kind == "monthly"}
    assert monthly == {
        "BP1101": "on_time",
        "BP1102": "rejected",
        "BP1103": "late",
        "BP1201": "missing",  # held files are not arrivals
        "BP1202": "missing",
        "BP1301": "on_time",
        "BP1302": "late",
    }
    assert built.statuses[("BP1102", "annual_plan")] == "rejected"


def test_national_rates_agree(built: Built) -> None:
    digest = _digest(built)
    national = digest.national
    check = next(
        r for r in built.register_rates if r.area == "NASIONAL" and r.report_kind == "monthly"
    )
    (mart,) = _mart(built, "national", "month", PERIOD, "monthly").values()
    # Hand count: 7 expected; reported BP1101, BP1103, BP1301, BP1302; on time BP1101, BP1301.
    expected = (7, 4, 2, pytest.approx(4 / 7), pytest.approx(2 / 7))
    assert (national.expected, national.reported, national.on_time,
            national.reporting_rate, national.on_time_rate) == expected  # fmt: skip
    assert (check.expected, check.reported, check.on_time,
            check.reporting_rate, check.on_time_rate) == expected  # fmt: skip
    assert mart == expected


def test_kanwil_rates_agree(built: Built) -> None:
    digest = _digest(built)
    from_digest = {
        cur.kode: (cur.expected, cur.reported, cur.on_time) for _prev, cur in digest.group_rates
    }
    from_check = {
        r.area: (r.expected, r.reported, r.on_time)
        for r in built.register_rates
        if r.area != "NASIONAL" and r.report_kind == "monthly"
    }
    from_mart = {k: v[:3] for k, v in _mart(built, "kanwil", "month", PERIOD, "monthly").items()}
    assert (
        from_digest
        == from_check
        == from_mart
        == {
            "KW11": (3, 2, 1),
            "KW12": (2, 0, 0),
            "KW13": (2, 2, 1),
        }
    )


def test_bapas_rates_agree_in_a_kanwil_digest(built: Built) -> None:
    digest = _digest(built, "kanwil:KW13")
    from_digest = {cur.kode: _counts(cur)[:3] for _prev, cur in digest.group_rates}
    mart = _mart(built, "bapas", "month", PERIOD, "monthly")
    assert from_digest == {k: v[:3] for k, v in mart.items() if k in from_digest}
    assert from_digest == {"BP1301": (1, 1, 1), "BP1302": (1, 1, 0)}


def test_annual_plan_rates_agree(built: Built) -> None:
    check = next(
        r for r in built.register_rates if r.area == "NASIONAL" and r.report_kind == "annual_plan"
    )
    (mart,) = _mart(built, "national", "year", "2025", "annual_plan").values()
    # 7 plans owed; only BP1101's was accepted (BP1102's rejected plan does not count).
    assert mart == (7, 1, 1, pytest.approx(1 / 7), pytest.approx(1 / 7))
    assert _counts(check) == mart


def test_quality_score_counts_the_same_columns(built: Built) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        scores = dict(
            con.execute(
                "select s.kode_bapas, s.completeness_score from quality.submission_scores s"
                " where s.report_kind = 'monthly'"
            ).fetchall()
        )
    # Reported -> 100, received but only rejected -> 50, nothing (or held) -> 0.
    assert scores == {
        "BP1101": 100.0, "BP1102": 50.0, "BP1103": 100.0, "BP1201": 0.0, "BP1202": 0.0,
        "BP1301": 100.0, "BP1302": 100.0,
    }  # fmt: skip
