"""With --faults none the generator's output satisfies the submission contract everywhere."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from core.contract.model import load_contract
from core.reference import codes_of
from synthetic.dates import age_on, run_months
from synthetic.generate import generate
from synthetic.nik import nik_matches
from synthetic.readback import read_submission

pytestmark = pytest.mark.xdist_group("generator_clean")
MONTHS = run_months("2024-11", 3)  # crosses a year: two annual plans per Bapas


@pytest.fixture(scope="module")
def clean_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("clean") / "landing"
    generate(
        out, "2024-11", 3, seed=11, bapas=3, faults="none", scale=0.03, messy_share=0.5, workers=1
    )
    return out, json.loads((out / "_manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports(clean_set: tuple[Path, dict[str, Any]]) -> dict[tuple[str, str], dict]:
    out, manifest = clean_set
    return {
        (f["kode_bapas"], f["periode"]): read_submission(out / f["file"], f["kind"])
        for f in manifest["files"]
    }


def test_manifest_has_no_faults_and_every_expected_file(clean_set) -> None:
    out, manifest = clean_set
    assert manifest["faults"] == [] and manifest["resubmissions"] == []
    expected = {(b, m.label) for b in manifest["bapas"] for m in MONTHS}
    expected |= {(b, y) for b in manifest["bapas"] for y in ("2024", "2025")}
    assert {(f["kode_bapas"], f["periode"]) for f in manifest["files"]} == expected
    assert all((out / f["file"]).exists() for f in manifest["files"])
    assert manifest["messy"], "messy_share=0.5 should make some files messy"


def test_everything_arrives_on_time(clean_set) -> None:
    out, manifest = clean_set
    for f in manifest["files"]:
        received = dt.datetime.fromtimestamp((out / f["file"]).stat().st_mtime, dt.UTC)
        jakarta_day = (received + dt.timedelta(hours=7)).date()
        assert jakarta_day <= dt.date.fromisoformat(f["deadline"]), f["file"]
        assert f["on_time"]


def test_sheets_columns_and_codes_follow_the_contract(reports) -> None:
    contract = load_contract()
    for (kode, period), sheets in reports.items():
        kind = contract.kind("annual_plan" if len(period) == 4 else "monthly")
        for spec in kind.sheets:
            if not spec.required and spec.name not in sheets:
                continue
            rows = sheets[spec.name]
            if spec.single_row:
                assert len(rows) == 1, (kode, period, spec.name)
            for col in spec.columns:
                allowed = set(codes_of(col.code_list)) if col.code_list else None
                for row in rows:
                    assert col.name in row, (kode, period, spec.name, col.name)
                    value = row[col.name]
                    if value is None:
                        assert col.nullable or not col.required, (spec.name, col.name, row)
                    elif col.type == "code":
                        assert value in allowed, (spec.name, col.name, value)
                    elif col.type == "codes":
                        assert set(value.split(";")) <= allowed
                    if isinstance(value, int | float) and col.min is not None:
                        assert value >= col.min
                    if isinstance(value, int | float) and col.max is not None:
                        assert value <= col.max
        ident = sheets["IDENTITAS"][0]
        assert ident["kode_bapas"] == kode
        assert str(ident.get("periode", ident.get("tahun"))) == period


def _monthly(reports):
    return {k: v for k, v in reports.items() if len(k[1]) == 7}


def test_clients_are_internally_consistent(reports) -> None:
    for (_kode, period), sheets in _monthly(reports).items():
        month = next(m for m in MONTHS if m.label == period)
        for row in sheets["KLIEN"]:
            female = row["jenis_kelamin"] == "P"
            assert nik_matches(row["nik"], row["tanggal_lahir"], female), row
            is_child = age_on(row["tanggal_lahir"], month.end) < 18
            assert (row["kategori"] == "ANAK") == is_child, row
            if row["jenis_program"] in ("DIVERSI", "TINDAKAN_ANAK"):
                assert row["kategori"] == "ANAK"
            assert (row["status_akhir_bulan"] == "AKTIF") == (row["tanggal_status"] is None)
            assert row["wajib_lapor_hadir"] <= row["wajib_lapor_jadwal"]
        registers = [r["no_register"] for r in sheets["KLIEN"]]
        assert len(registers) == len(set(registers))


def test_activities_reference_registered_clients_and_valid_pokmas(reports) -> None:
    for (_kode, period), sheets in _monthly(reports).items():
        month = next(m for m in MONTHS if m.label == period)
        registered = {r["no_register"] for r in sheets["KLIEN"]}
        pokmas = {p["kode_pokmas"]: p for p in sheets["POKMAS"]}
        assert len(pokmas) >= 2
        per_activity: dict[str, int] = defaultdict(int)
        for p in sheets["PESERTA"]:
            assert p["no_register"] in registered
            assert p["hadir"] == "Y" or p["selesai"] == "N"
            per_activity[p["kode_kegiatan"]] += 1
        for k in sheets["KEGIATAN"]:
            assert month.start <= k["tanggal"] <= month.end
            group = pokmas[k["kode_pokmas"]]
            assert group["status"] == "AKTIF"
            assert group["tanggal_pks"] <= k["tanggal"] <= group["tanggal_berakhir_pks"]
            assert k["jumlah_peserta"] == per_activity[k["kode_kegiatan"]]
        reach = len({p["no_register"] for p in sheets["PESERTA"]}) / len(registered)
        assert 0 < reach <= 0.6


def test_griya_flows_add_up_and_carry_over(reports) -> None:
    last: dict[str, int] = {}
    seen = 0
    for (kode, _period), sheets in sorted(_monthly(reports).items()):
        if "GRIYA_ABHIPRAYA" not in sheets:
            continue
        g = sheets["GRIYA_ABHIPRAYA"][0]
        seen += 1
        assert g["penghuni_awal"] + g["masuk"] - g["keluar"] == g["penghuni_akhir"]
        assert g["penghuni_akhir"] <= g["kapasitas"]
        if kode in last:
            assert g["penghuni_awal"] == last[kode]
        last[kode] = g["penghuni_akhir"]
    assert seen >= 2, "BP1101 runs a Griya Abhipraya since 2023-12"


def test_clients_continue_or_end_and_are_never_active_twice(reports) -> None:
    monthly = _monthly(reports)
    for kode in {k for k, _ in monthly}:
        for prev, cur in itertools.pairwise(MONTHS):
            before = {r["no_register"]: r for r in monthly[(kode, prev.label)]["KLIEN"]}
            now = {r["no_register"] for r in monthly[(kode, cur.label)]["KLIEN"]}
            for reg, row in before.items():
                assert (reg in now) == (row["status_akhir_bulan"] == "AKTIF"), reg
    for month in MONTHS:
        active: dict[str, str] = {}
        for (kode, period), sheets in monthly.items():
            if period != month.label:
                continue
            for r in sheets["KLIEN"]:
                if r["status_akhir_bulan"] == "AKTIF":
                    assert r["nik"] not in active, (r["nik"], kode, active.get(r["nik"]))
                    active[r["nik"]] = kode


def test_annual_plans_are_plausible(reports, clean_set) -> None:
    _out, manifest = clean_set
    caseload = defaultdict(int)
    for f in manifest["files"]:
        if f["kind"] == "monthly":
            caseload[f["kode_bapas"]] = max(caseload[f["kode_bapas"]], f["rows"]["KLIEN"])
    for (kode, period), sheets in reports.items():
        if len(period) != 4:
            continue
        assert {r["kebutuhan"] for r in sheets["SASARAN"]} == set(codes_of("kebutuhan"))
        assert sum(r["target_klien"] for r in sheets["SASARAN"]) < 3 * caseload[kode]
        assert sum(r["anggaran_rp"] for r in sheets["ANGGARAN"]) > 0


def test_every_workbook_opens_with_openpyxl_and_calamine(clean_set) -> None:
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    out, manifest = clean_set
    books = [out / f["file"] for f in manifest["files"] if f["file"].endswith(".xlsx")]
    assert books
    for path in books:
        workbook = load_workbook(path, read_only=True)
        cells = sum(len(row) for ws in workbook.worksheets for row in ws.iter_rows())
        names = workbook.sheetnames
        workbook.close()
        calamine = CalamineWorkbook.from_path(str(path))
        assert cells > 0 and calamine.sheet_names == names
        assert all(calamine.get_sheet_by_name(n).to_python() for n in calamine.sheet_names)
