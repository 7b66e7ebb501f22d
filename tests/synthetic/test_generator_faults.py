"""--faults default plants every family, one fault per file, at the rows the manifest names."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from core.reference import codes_of
from synthetic.faults import CATALOGUE, FAMILIES, NEEDS_PEERS
from synthetic.nik import NIK_RE
from synthetic.readback import read_submission

pytestmark = pytest.mark.xdist_group("generator_faults")


@pytest.fixture(scope="module")
def faulty_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from synthetic.generate import generate

    out = tmp_path_factory.mktemp("faulty") / "landing"
    # 7 months so the outlier family has its six months of history.
    # 8 Bapas: enough files (56) for one of every fault, each alone in its file.
    generate(out, "2025-01", 7, seed=3, bapas=8, faults="default", scale=0.02, workers=1)
    return out, json.loads((out / "_manifest.json").read_text(encoding="utf-8"))


def _faults(manifest: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in manifest["faults"] if f["fault"] == name]


def test_every_family_and_every_fault_is_planted(faulty_set) -> None:
    _out, manifest = faulty_set
    assert {f["family"] for f in manifest["faults"]} == set(FAMILIES)
    planted = {f["fault"] for f in manifest["faults"]}
    # Activity-cost peer groups need a national month (~200 clients here): see the test below.
    missing = {k.fault for k in CATALOGUE if NEEDS_PEERS not in k.needs} - planted
    assert not missing, f"not planted with 8 Bapas x 7 months: {missing}"
    required = {"family", "fault", "kode_bapas", "periode", "file", "sheet", "column", "rows"}
    assert all(required <= set(f) for f in manifest["faults"])


def test_row_level_faults_sit_alone_in_their_file(faulty_set) -> None:
    _out, manifest = faulty_set
    per_slot = Counter(
        (f["kode_bapas"], f["periode"]) for f in manifest["faults"] if f["family"] != "timeliness"
    )
    assert max(per_slot.values()) == 1


def test_fault_rows_point_at_the_changed_cells(faulty_set) -> None:
    out, manifest = faulty_set
    checks = {
        "bad_code": lambda v: v not in codes_of("jenis_program"),
        "out_of_range": lambda v: v > 31,
        "nik_bad_length": lambda v: len(v) == 15,
        "nik_bad_date": lambda v: v[8:10] == "13",
        "participant_not_registered": lambda v: v.startswith("BP"),
        "activity_unregistered_pokmas": lambda v: v.endswith("-PK99"),
        "diversi_for_dewasa": lambda v: v == "DIVERSI",
        "anak_aged_18_plus": lambda v: v == "ANAK",
        "tanggal_status_missing": lambda v: v is None,
        "target_above_3x_caseload": lambda v: v >= 4 * 8,
    }
    for name, check in checks.items():
        for fault in _faults(manifest, name):
            kind = "annual_plan" if fault["family"] == "annual_plan" else "monthly"
            rows = read_submission(out / fault["file"], kind)[fault["sheet"]]
            by_row = {r["_row"]: r for r in rows}
            assert fault["rows"], fault
            for number in fault["rows"]:
                assert check(by_row[number][fault["column"]]), (fault, by_row[number])


def test_continuity_and_duplicate_faults(faulty_set) -> None:
    out, manifest = faulty_set
    (gone,) = _faults(manifest, "client_missing_without_end_status")
    klien = read_submission(out / gone["file"])["KLIEN"]
    assert gone["value"] not in {r["no_register"] for r in klien}
    (dup,) = _faults(manifest, "duplicate_no_register")
    klien = {r["_row"]: r for r in read_submission(out / dup["file"])["KLIEN"]}
    assert len({klien[n]["no_register"] for n in dup["rows"]}) == 1 and len(dup["rows"]) == 2


def test_cross_bapas_nik_is_active_in_the_other_office(faulty_set) -> None:
    out, manifest = faulty_set
    (fault,) = _faults(manifest, "same_nik_two_bapas")
    here = {r["_row"]: r for r in read_submission(out / fault["file"])["KLIEN"]}
    nik = here[fault["rows"][0]]["nik"]
    other = next(
        f
        for f in manifest["files"]
        if f["kode_bapas"] == fault["value"] and f["periode"] == fault["periode"]
    )
    there = read_submission(out / other["file"])["KLIEN"]
    assert any(r["nik"] == nik and r["status_akhir_bulan"] == "AKTIF" for r in there)


def test_rejected_files_are_really_unreadable(faulty_set) -> None:
    out, manifest = faulty_set
    (enc,) = _faults(manifest, "encrypted_workbook")
    assert (out / enc["file"]).read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    (trunc,) = _faults(manifest, "truncated_xlsx")
    assert not zipfile.is_zipfile(out / trunc["file"])
    (bomb,) = _faults(manifest, "zip_bomb")
    path = out / bomb["file"]
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    assert path.stat().st_size < 1_000_000 and unpacked > 100 * path.stat().st_size
    (bad_xml,) = _faults(manifest, "malformed_sheet_xml")
    with zipfile.ZipFile(out / bad_xml["file"]) as archive:
        with pytest.raises(ElementTree.ParseError):
            ElementTree.fromstring(archive.read("xl/worksheets/sheet2.xml"))
    (sheetless,) = _faults(manifest, "missing_sheet")
    assert sheetless["sheet"] not in read_submission(out / sheetless["file"])
    (unknown,) = _faults(manifest, "unknown_bapas")
    ident = read_submission(out / unknown["file"])["IDENTITAS"][0]
    assert ident["kode_bapas"] != unknown["kode_bapas"]


def test_missing_and_late_files(faulty_set) -> None:
    out, manifest = faulty_set
    for fault in _faults(manifest, "file_missing") + _faults(manifest, "plan_missing"):
        assert fault["file"] is None
        folder = out / fault["kode_bapas"] / fault["periode"]
        assert not folder.exists() or not any(folder.iterdir())
    (late,) = _faults(manifest, "late_arrival")
    record = next(f for f in manifest["files"] if f["file"] == late["file"])
    received = dt.datetime.fromtimestamp((out / late["file"]).stat().st_mtime, dt.UTC)
    assert (received + dt.timedelta(hours=7)).date() > dt.date.fromisoformat(record["deadline"])


def test_resubmissions_fix_their_fault_later(faulty_set) -> None:
    out, manifest = faulty_set
    assert len(manifest["resubmissions"]) == 2
    for resub in manifest["resubmissions"]:
        first, second = out / resub["replaces"], out / resub["file"]
        assert second.stat().st_mtime > first.stat().st_mtime
        assert read_submission(second)["IDENTITAS"][0]["versi"] == 2
        fault = next(f for f in manifest["faults"] if f["file"] == resub["replaces"])
        assert fault["fault"] in resub["fixes"]
        fixed = {r["_row"]: r for r in read_submission(second)[fault["sheet"]]}
        for number in fault["rows"]:
            if fault["fault"] == "bad_code":
                assert fixed[number][fault["column"]] in codes_of("jenis_program")


def test_nik_faults_break_structure(faulty_set) -> None:
    out, manifest = faulty_set
    for name in ("nik_bad_length", "nik_bad_date"):
        for fault in _faults(manifest, name):
            rows = {r["_row"]: r for r in read_submission(out / fault["file"])["KLIEN"]}
            nik = rows[fault["rows"][0]]["nik"]
            assert not NIK_RE.match(nik) or not 1 <= int(nik[8:10]) <= 12


def test_accepted_workbooks_open_and_rejected_ones_do_not(faulty_set) -> None:
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    out, manifest = faulty_set
    unreadable = {"truncated_xlsx", "encrypted_workbook", "malformed_sheet_xml"}
    for record in manifest["files"]:
        if not record["file"].endswith(".xlsx"):
            continue
        path = out / record["file"]
        if record.get("rejected") in unreadable:
            with pytest.raises(Exception):  # noqa: B017 - any reader error is the point
                load_workbook(path, read_only=True).worksheets[1].calculate_dimension()
                CalamineWorkbook.from_path(str(path)).get_sheet_by_name("KLIEN").to_python()
            continue
        assert load_workbook(path, read_only=True).sheetnames
        assert CalamineWorkbook.from_path(str(path)).sheet_names


def test_short_national_run_plants_an_activity_cost_outlier(tmp_path: Path) -> None:
    from synthetic.generate import generate

    out = tmp_path / "national"
    # One month, enough clients nationally for peer groups, no history at all.
    generate(out, "2025-01", 1, seed=3, bapas=20, faults="default", scale=0.15, workers=1)
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    (fault,) = [f for f in manifest["faults"] if f["family"] == "outlier"]
    assert (fault["fault"], fault["sheet"], fault["column"]) == (
        "activity_cost_x1000", "KEGIATAN", "biaya_rp",
    )  # fmt: skip
    rows = read_submission(out / fault["file"])["KEGIATAN"]
    (number,) = fault["rows"]
    planted = next(r for r in rows if r["_row"] == number)
    assert planted["biaya_rp"] == int(fault["value"])
    per_head = [r["biaya_rp"] / max(r["jumlah_peserta"], 1) for r in rows if r is not planted]
    assert planted["biaya_rp"] / max(planted["jumlah_peserta"], 1) > 100 * max(per_head, default=0)


def _rows_of(out: Path, fault: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r["_row"]: r for r in read_submission(out / fault["file"])[fault["sheet"]]}


def test_clerk_mistakes_are_planted_as_a_clerk_makes_them(faulty_set) -> None:
    # Issue 12: the mistakes the rules missed are planted, so `lipas check --evaluate` measures
    # them: a child as DEWASA, a cost in thousands, a TOTAL row, the same NIK twice.
    out, manifest = faulty_set
    (child,) = _faults(manifest, "child_reported_as_dewasa")
    row = _rows_of(out, child)[child["rows"][0]]
    period_end = dt.date.fromisoformat(child["periode"] + "-28")
    assert row["kategori"] == "DEWASA" and row["tanggal_lahir"] > period_end.replace(
        year=period_end.year - 18
    )
    (cost,) = _faults(manifest, "cost_in_thousands")
    assert 0 < _rows_of(out, cost)[cost["rows"][0]]["biaya_rp"] < 10_000
    (total,) = _faults(manifest, "total_row_in_kegiatan")
    assert _rows_of(out, total)[total["rows"][0]]["kode_kegiatan"] == "TOTAL"
    (twice,) = _faults(manifest, "same_client_two_registers")
    rows = _rows_of(out, twice)
    first, second = (rows[n] for n in twice["rows"])
    assert first["nik"] == second["nik"] and first["no_register"] != second["no_register"]
    assert all(f.get("mistake", "").startswith("M") for f in manifest["faults"])


def test_copy_of_last_month_repeats_last_months_rows(faulty_set) -> None:
    out, manifest = faulty_set
    (fault,) = _faults(manifest, "copy_of_last_month")
    previous = next(
        f
        for f in manifest["files"]
        if f["kode_bapas"] == fault["kode_bapas"]
        and f["periode"] < fault["periode"]
        and f["versi"] == 1
        and f["periode"] == max(
            g["periode"] for g in manifest["files"]
            if g["kode_bapas"] == fault["kode_bapas"] and g["periode"] < fault["periode"]
        )
    )  # fmt: skip
    copied, original = read_submission(out / fault["file"]), read_submission(out / previous["file"])
    strip = lambda rows: [{k: v for k, v in r.items() if k != "_row"} for r in rows]  # noqa: E731
    assert strip(copied["KLIEN"]) == strip(original["KLIEN"])
    assert copied["IDENTITAS"][0]["periode"] == fault["periode"]
    assert set(fault["explains"]) == {"same_file", "next_month", "cross_bapas"}
