"""GX validity results cached per submission: a night validates only what is new (issue 16).

Real DuckDB files and a real GX runner. `validated` records which submissions each GX
validation saw (the runner still runs); the findings must be the same with or without the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from core.period import utc_now
from core.settings import Settings
from ingestion.purge import purge_submission
from ingestion.stored_masking import record_redactions
from quality.gx_suites import GxRunner, shared_runner
from quality.model import FindingDraft
from quality.scope import CheckScope, register_scope
from quality.tables import create_current_views
from quality.validity import gx_validity_findings
from quality.validity_cache import FAILURES, VALIDATED
from tests.quality import qbuild

MONTHS = ("2025-02", "2025-03")


@pytest.fixture(scope="module")
def runner() -> GxRunner:
    return shared_runner(None)


@pytest.fixture
def validated(runner: GxRunner, monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The submission ids of every frame GX validated (a spy; GX itself runs for real)."""
    seen: list[set[str]] = []
    real = runner.validate

    def spy(name: str, frame: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(set(frame["submission_id"]))
        return real(name, frame, *args, **kwargs)

    monkeypatch.setattr(runner, "validate", spy)
    return seen


def _bad_month(kode_bapas: str, period: str) -> qbuild.Rows:
    rows = qbuild.monthly_rows(kode_bapas, period, clients=4)
    rows["KLIEN"][0]["jenis_kelamin"] = "X"  # not a code
    rows["KLIEN"][1]["kategori"] = None  # required and blank
    rows["KLIEN"][2]["wajib_lapor_jadwal"] = -3  # below the minimum
    return rows


@pytest.fixture
def con(lipas_home: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = qbuild.connect(lipas_home.warehouse_path)
    for bapas in ("BP1101", "BP1102"):
        for month in MONTHS:
            qbuild.add_submission(connection, bapas, month, _bad_month(bapas, month))
    yield connection
    connection.close()


def _findings(con: duckdb.DuckDBPyConnection, runner: GxRunner, **kw: Any) -> list[str]:
    scope = CheckScope(dt.date(2025, 4, 30), MONTHS)
    create_current_views(con)
    register_scope(con, scope)
    drafts: list[FindingDraft] = gx_validity_findings(con, scope, runner, **kw)
    return sorted(repr(d) for d in drafts)


def _sids(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "select kode_bapas, periode, submission_id from ledger.submissions where is_current"
    ).fetchall()
    return {(b, p): s for b, p, s in rows}


def test_a_second_night_validates_nothing_and_finds_the_same(
    con: duckdb.DuckDBPyConnection, runner: GxRunner, validated: list[set[str]]
) -> None:
    cold = _findings(con, runner)
    assert set().union(*validated) == set(_sids(con).values())
    assert len(cold) >= 4 * 3, "every planted mistake in every submission is found"
    validated.clear()
    warm = _findings(con, runner)
    assert validated == []  # GX not run at all: every submission's result was cached
    assert warm == cold
    assert _findings(con, runner, use_cache=False) == cold


def test_only_a_new_version_is_validated_and_the_old_one_is_not_reported(
    con: duckdb.DuckDBPyConnection, runner: GxRunner, validated: list[set[str]]
) -> None:
    _findings(con, runner)
    old = _sids(con)[("BP1101", "2025-03")]
    fixed = qbuild.monthly_rows("BP1101", "2025-03", clients=4)  # the corrected version
    new = qbuild.add_submission(con, "BP1101", "2025-03", fixed)
    validated.clear()
    after = _findings(con, runner)
    assert set().union(*validated) == {new}
    assert not any(old in f or new in f for f in after)
    assert any(_sids(con)[("BP1102", "2025-03")] in f for f in after)


def test_a_redaction_after_the_validation_and_a_changed_row_count_revalidate(
    con: duckdb.DuckDBPyConnection, runner: GxRunner, validated: list[set[str]]
) -> None:
    _findings(con, runner)
    sids = _sids(con)
    masked, shrunk = sids[("BP1101", "2025-02")], sids[("BP1102", "2025-02")]
    record_redactions(
        con, [(masked, "raw.monthly_klien", "kebutuhan", 1)], "mask", "test", "test",
        utc_now() + dt.timedelta(seconds=1),
    )  # fmt: skip
    con.execute(
        "delete from raw.monthly_klien where submission_id = ? and _row_number ="
        " (select max(_row_number) from raw.monthly_klien where submission_id = ?)",
        [shrunk, shrunk],
    )
    validated.clear()
    _findings(con, runner)
    assert set().union(*validated) == {masked, shrunk}


def test_a_changed_suite_revalidates_everything(
    con: duckdb.DuckDBPyConnection, runner: GxRunner, validated: list[set[str]]
) -> None:
    cold = _findings(con, runner)
    con.execute(f"update {VALIDATED} set suite_digest = 'an older suite'")
    validated.clear()
    assert _findings(con, runner) == cold
    assert set().union(*validated) == set(_sids(con).values())


def test_purge_removes_the_cached_values_of_its_submission(
    con: duckdb.DuckDBPyConnection, runner: GxRunner, lipas_home: Settings
) -> None:
    _findings(con, runner)
    sid = _sids(con)[("BP1101", "2025-02")]
    assert con.execute(f"select count(*) from {FAILURES} where submission_id = ?", [sid]).fetchone()
    con.close()
    purge_submission(lipas_home, sid, "test")
    with duckdb.connect(str(lipas_home.warehouse_path)) as after:
        for table in (FAILURES, VALIDATED):
            left = after.execute(f"select count(*) from {table} where submission_id = ?", [sid])
            assert left.fetchone() == (0,)
        others = after.execute(f"select count(*) from {FAILURES}").fetchone()
        assert others is not None and others[0] > 0
        audit = after.execute(
            "select rows_affected from ledger.redactions where submission_id = ?"
            " and table_name = 'quality_cache.failures'",
            [sid],
        ).fetchall()
        assert audit and audit[0][0] >= 3
