"""The raw-integrity gate scans only submissions it has not scanned, and still catches the rest.

Issue 16: the gate read every text cell of the whole raw history every night (the one check
step that grew with history). Now a night scans the new submissions; a full pass every
LIPAS_RAW_FULL_SCAN_DAYS days (and on the first run, and when the scanned columns change)
catches what reached raw under an id already scanned. These tests plant NIKs and double loads
the way another door would, and check which pass sees them.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from core.settings import Settings
from quality.raw_integrity import run_raw_integrity_gate
from tests.fixtures.ingestion.builders import NIKS, monthly_report, set_mtime, write_xlsx
from tests.ingestion.ingest_helpers import query, run_ingest
from tests.quality.test_raw_integrity import long_runs

T0 = dt.datetime(2025, 4, 2, 3, 0)
NIGHT = dt.timedelta(days=1)


@pytest.fixture
def home(lipas_home: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    monkeypatch.setenv("LIPAS_RAW_FULL_SCAN_DAYS", "7")
    return lipas_home


def _ingest(settings: Settings, kode: str, period: str, when: dt.datetime) -> str:
    """One accepted monthly report; its submission id."""
    path = write_xlsx(monthly_report(kode, period), settings.landing_dir / f"{kode}_{period}.xlsx")
    set_mtime(path, when)
    assert run_ingest(settings).accepted == 1
    rows = query(
        settings,
        "select submission_id from ledger.submissions where kode_bapas = ? and periode = ?",
        [kode, period],
    )
    return str(rows[0][0])


def _plant_nik(settings: Settings, sid: str, nik: str = NIKS[1]) -> None:
    """A NIK written into raw by hand, as a door other than ingestion would."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "update raw.monthly_klien set no_register = ?"
            " where submission_id = ? and _row_number = 2",
            [nik, sid],
        )


def _scans(settings: Settings) -> dict[str, bool]:
    rows = query(settings, "select submission_id, full_scan from ledger.raw_scans")
    return {str(sid): bool(full) for sid, full in rows}


def test_a_night_scans_only_new_submissions_and_the_full_pass_catches_the_rest(
    home: Settings,
) -> None:
    old = _ingest(home, "BP3201", "2025-02", T0)
    first = run_raw_integrity_gate(home, now=T0)
    assert first.passed and first.full_scan and first.scanned == 1
    assert _scans(home) == {old: True}

    new = _ingest(home, "BP3201", "2025-03", T0 + NIGHT)
    _plant_nik(home, new)  # in the new submission: tonight's pass must see it
    # Under an id already scanned, only a full pass sees it (another NIK: masking replaces a
    # value wherever it is stored).
    _plant_nik(home, old, NIKS[2])
    second = run_raw_integrity_gate(home, now=T0 + NIGHT)
    assert not second.full_scan and second.scanned == 1
    assert [i.submission_id for i in second.isolated] == [new]
    assert _scans(home) == {old: True, new: False}
    assert [where for where, _v in long_runs(home)] == ["raw.monthly_klien.no_register"]

    quiet = run_raw_integrity_gate(home, now=T0 + 6 * NIGHT)
    assert not quiet.full_scan and quiet.scanned == 0 and quiet.isolated == ()

    weekly = run_raw_integrity_gate(home, now=T0 + 7 * NIGHT)
    assert weekly.full_scan and weekly.scanned == 2
    assert [i.submission_id for i in weekly.isolated] == [old]
    assert long_runs(home) == []
    assert _scans(home) == {old: True, new: True}


def test_rows_loaded_twice_in_a_new_submission_block_the_night(home: Settings) -> None:
    _ingest(home, "BP3201", "2025-02", T0)
    assert run_raw_integrity_gate(home, now=T0).passed
    new = _ingest(home, "BP3201", "2025-03", T0 + NIGHT)
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute(
            "insert into raw.monthly_pokmas"
            " select * from raw.monthly_pokmas where submission_id = ?",
            [new],
        )
    result = run_raw_integrity_gate(home, now=T0 + NIGHT)
    assert not result.full_scan
    assert any("monthly_pokmas" in p and "more than once" in p for p in result.problems)


def test_other_scanned_columns_or_a_zero_setting_force_a_full_pass(
    home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _ingest(home, "BP3201", "2025-02", T0)
    assert run_raw_integrity_gate(home, now=T0).full_scan
    _plant_nik(home, sid)
    assert not run_raw_integrity_gate(home, now=T0 + NIGHT).isolated  # incremental: not seen

    # A contract change that scans other columns: earlier passes no longer count.
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute("update ledger.raw_scans set columns_digest = 'older contract'")
    changed = run_raw_integrity_gate(home, now=T0 + NIGHT)
    assert changed.full_scan and [i.submission_id for i in changed.isolated] == [sid]

    monkeypatch.setenv("LIPAS_RAW_FULL_SCAN_DAYS", "0")
    assert run_raw_integrity_gate(home, now=T0 + NIGHT).full_scan
    assert run_raw_integrity_gate(home, now=T0 + NIGHT, full=True).full_scan
