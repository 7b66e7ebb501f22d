"""Reference seeds sanity, reference.py behaviour (deadlines, activity windows) and settings."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from core.reference import (
    Bapas,
    ReportCalendar,
    active_bapas,
    bapas_by_code,
    codes_of,
    load_bapas,
    load_calendar,
    load_code_lists,
    load_kanwil,
)
from core.settings import (
    SEEDS_DIR,
    ConfigurationError,
    load_settings,
    resolve_environment,
)


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- seeds -----------------------------------------------------------------------------------


def test_bapas_codes_unique_and_well_formed() -> None:
    codes = [b.kode_bapas for b in load_bapas()]
    assert len(codes) == len(set(codes))
    bad = [c for c in codes if not re.fullmatch(r"BP\d{4}", c)]
    assert not bad


def test_bapas_satker_codes_unique_six_digits() -> None:
    satker = [b.kode_satker for b in load_bapas() if b.kode_satker]
    assert all(re.fullmatch(r"\d{6}", s) for s in satker)
    assert len(satker) == len(set(satker))


def test_bapas_kanwil_exists() -> None:
    kanwil = {k.kode_kanwil for k in load_kanwil()}
    assert not [b.kode_bapas for b in load_bapas() if b.kode_kanwil not in kanwil]


def test_bapas_parent_exists() -> None:
    # Pos Bapas report through a parent; the parent must itself be a listed Bapas.
    codes = {r["kode_bapas"] for r in _rows("ref_bapas")}
    parents = {r["kode_bapas_induk"] for r in _rows("ref_bapas") if r["kode_bapas_induk"]}
    assert parents <= codes


def test_bapas_dates_parse_and_are_ordered() -> None:
    # load_bapas parses every date with fromisoformat; a bad date fails here first.
    for bapas in load_bapas():
        assert bapas.aktif_dari >= dt.date(1900, 1, 1)
        if bapas.aktif_sampai is not None:
            assert bapas.aktif_sampai >= bapas.aktif_dari, bapas.kode_bapas
        if bapas.griya_abhipraya_sejak is not None:
            assert bapas.griya_abhipraya_sejak >= bapas.aktif_dari, bapas.kode_bapas


def test_kanwil_codes_unique() -> None:
    codes = [k.kode_kanwil for k in load_kanwil()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"KW\d{2}", c) for c in codes)


def test_codes_unique_ordered_and_canonical() -> None:
    rows = _rows("ref_codes")
    pairs = [(r["code_list"], r["code"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    orders = [(r["code_list"], r["sort_order"]) for r in rows]
    assert len(orders) == len(set(orders))
    # Ingestion upper-cases and turns spaces into '_' before matching: codes must be canonical.
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", r["code"]) for r in rows)
    assert all(r["label_id"].strip() and r["label_en"].strip() for r in rows)


def test_code_lists_keep_documented_order() -> None:
    assert codes_of("jenis_kelamin") == ("L", "P")
    assert codes_of("ya_tidak") == ("Y", "N")
    assert load_code_lists()["kebutuhan"][0].label_en == "Employment"


def test_unknown_code_list_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        codes_of("no_such_list")


def test_calendar_rows_are_valid() -> None:
    for row in _rows("ref_report_calendar"):
        assert row["periodicity"] in ("month", "year")
        assert 1 <= int(row["deadline_day"]) <= 31
        assert int(row["deadline_months_after_period_start"]) >= 0
        dt.date.fromisoformat(row["required_from"])


# --- reference.py behaviour ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report_type", "period_start", "expected"),
    [
        pytest.param("monthly", dt.date(2025, 12, 1), dt.date(2026, 1, 10), id="monthly Dec"),
        pytest.param("monthly", dt.date(2025, 1, 1), dt.date(2025, 2, 10), id="monthly Jan"),
        pytest.param("annual_plan", dt.date(2025, 1, 1), dt.date(2025, 1, 31), id="annual"),
    ],
)
def test_seeded_deadlines(report_type: str, period_start: dt.date, expected: dt.date) -> None:
    assert load_calendar()[report_type].deadline(period_start) == expected


@pytest.mark.parametrize(
    ("months", "day", "period_start", "expected"),
    [
        pytest.param(1, 31, dt.date(2025, 1, 1), dt.date(2025, 2, 28), id="feb clamps"),
        pytest.param(1, 30, dt.date(2024, 1, 1), dt.date(2024, 2, 29), id="leap feb clamps"),
        pytest.param(1, 31, dt.date(2025, 3, 1), dt.date(2025, 4, 30), id="april clamps"),
        pytest.param(1, 31, dt.date(2025, 11, 1), dt.date(2025, 12, 31), id="into december"),
        pytest.param(2, 15, dt.date(2025, 11, 1), dt.date(2026, 1, 15), id="over new year"),
        pytest.param(13, 5, dt.date(2025, 1, 1), dt.date(2026, 2, 5), id="more than a year"),
        pytest.param(0, 31, dt.date(2025, 2, 1), dt.date(2025, 2, 28), id="same month"),
    ],
)
def test_deadline_clamps_to_month_end(
    months: int, day: int, period_start: dt.date, expected: dt.date
) -> None:
    calendar = ReportCalendar("x", "X", "month", months, day)
    assert calendar.deadline(period_start) == expected


def _office(aktif_dari: str, aktif_sampai: str | None, griya: str | None = None) -> Bapas:
    return Bapas(
        kode_bapas="BP9999",
        kode_satker=None,
        nama_resmi="Bapas Uji",
        nama_singkat="Uji",
        kelas=None,
        kode_kanwil="KW11",
        provinsi="Aceh",
        kota="Uji",
        griya_abhipraya_sejak=dt.date.fromisoformat(griya) if griya else None,
        aktif_dari=dt.date.fromisoformat(aktif_dari),
        aktif_sampai=dt.date.fromisoformat(aktif_sampai) if aktif_sampai else None,
    )


@pytest.mark.parametrize(
    ("dari", "sampai", "start", "end", "active"),
    [
        pytest.param("2024-07-01", None, "2024-06-01", "2024-06-30", False, id="before opening"),
        pytest.param("2024-07-15", None, "2024-07-01", "2024-07-31", True, id="opens mid-month"),
        pytest.param("2000-01-01", "2025-03-10", "2025-03-01", "2025-03-31", True, id="closes mid"),
        pytest.param("2000-01-01", "2025-03-31", "2025-04-01", "2025-04-30", False, id="closed"),
        pytest.param("2000-01-01", None, "2030-01-01", "2030-12-31", True, id="open-ended"),
    ],
)
def test_is_active(dari: str, sampai: str | None, start: str, end: str, active: bool) -> None:
    office = _office(dari, sampai)
    assert office.is_active(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) is active


@pytest.mark.parametrize(
    ("griya", "on", "runs"),
    [
        pytest.param(None, "2025-01-01", False, id="no house"),
        pytest.param("2024-10-01", "2024-09-30", False, id="day before"),
        pytest.param("2024-10-01", "2024-10-01", True, id="opening day"),
    ],
)
def test_runs_griya(griya: str | None, on: str, runs: bool) -> None:
    assert _office("2000-01-01", None, griya).runs_griya(dt.date.fromisoformat(on)) is runs


def test_active_bapas_follows_history() -> None:
    # Batam opened in July 2024 (ref_bapas): it owes nothing for June, a report for July.
    june = {b.kode_bapas for b in active_bapas(dt.date(2024, 6, 1), dt.date(2024, 6, 30))}
    july = {b.kode_bapas for b in active_bapas(dt.date(2024, 7, 1), dt.date(2024, 7, 31))}
    assert "BP2102" not in june and "BP2102" in july
    assert bapas_by_code()["BP2102"].aktif_dari == dt.date(2024, 7, 1)


def _write_seeds(folder: Path, aktif_dari: str) -> Path:
    header = (
        "kode_bapas,kode_satker,nama_resmi,nama_singkat,kelas,kode_kanwil,provinsi,kota,"
        "griya_abhipraya_sejak,aktif_dari,aktif_sampai,kode_bapas_induk,keyakinan\n"
    )
    row = f"BP0101,,Bapas Uji,Uji,,KW01,Uji,Uji,,{aktif_dari},,,low\n"
    (folder / "ref_bapas.csv").write_text(header + row, encoding="utf-8")
    return folder


def test_seeds_dir_override(tmp_path: Path) -> None:
    offices = load_bapas(_write_seeds(tmp_path, "2020-01-01"))
    assert [b.kode_bapas for b in offices] == ["BP0101"]


def test_missing_aktif_dari_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="BP0101 has no aktif_dari"):
        load_bapas(_write_seeds(tmp_path, ""))


# --- settings.py -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({}, "dev", id="default dev"),
        pytest.param({"CI": "true"}, "ci", id="CI implies ci"),
        pytest.param({"CI": "1", "LIPAS_ENV": "prod"}, "prod", id="explicit wins"),
        pytest.param({"LIPAS_ENV": " PROD "}, "prod", id="case and spaces"),
    ],
)
def test_resolve_environment(environ: dict[str, str], expected: str) -> None:
    assert resolve_environment(environ) == expected


@pytest.mark.parametrize(
    ("environ", "needle"),
    [
        pytest.param({"LIPAS_ENV": "staging"}, "LIPAS_ENV", id="unknown env"),
        pytest.param({"LIPAS_DBT_TARGET": "sqlite"}, "LIPAS_DBT_TARGET", id="unknown target"),
        pytest.param({"LIPAS_MAX_FILE_MB": "lots"}, "LIPAS_MAX_FILE_MB", id="size not a number"),
    ],
)
def test_load_settings_refuses(environ: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        load_settings(environ)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("nan", id="nan"),
        pytest.param("inf", id="infinite"),
        pytest.param("-5", id="negative"),
        pytest.param("0", id="zero"),
    ],
)
def test_max_file_mb_must_be_positive_finite(value: str) -> None:
    with pytest.raises(ConfigurationError, match="LIPAS_MAX_FILE_MB"):
        load_settings({"LIPAS_MAX_FILE_MB": value})


def test_settings_layout(tmp_path: Path) -> None:
    settings = load_settings({"LIPAS_HOME": str(tmp_path / "home"), "LIPAS_MAX_FILE_MB": "1.5"})
    assert settings.max_file_bytes == int(1.5 * 1024 * 1024)
    assert settings.warehouse_path == tmp_path / "home" / "warehouse" / "lipas.duckdb"
    settings.ensure_dirs()
    assert settings.landing_dir.is_dir()
    assert settings.archive_dir.stat().st_mode & 0o777 == 0o700


def test_every_province_can_issue_a_nik() -> None:
    """Regression: NIK province codes once came from the Kanwil list, so Kalimantan Utara (65)
    and the 2022 Papua provinces (93-96) were wrongly flagged BAD_PROVINCE."""
    from core.reference import load_bapas, province_codes

    codes = province_codes()
    assert len(codes) == 38
    assert {"65", "93", "94", "95", "96"} <= codes
    assert {b.kode_bapas[2:4] for b in load_bapas()} <= codes
