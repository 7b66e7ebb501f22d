"""A tiny hand-checkable warehouse input: 3 Bapas in 2 Kanwil, January-February 2025.

BP1101 and BP1102 are in KW11 (Aceh), BP1201 in KW12 (Sumatera Utara). BP1101 resubmits
January (v1 -> v2); BP1102 never sends February; BP1201's February arrives late. The expected
figures in test_marts_hand_computed.py are worked out by hand from the rows below.

`load_stage(con, 1)` loads what had arrived before the resubmission and the late report;
`load_stage(con, 2)` adds them (v1 superseded), so the incremental build can be checked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
from quality.indicators import indicator_flags
from quality.store import ensure_quality_tables

D = dt.date
LOADED_AT = dt.datetime(2025, 3, 12, 1, 0, 0)

# submission_id -> (kode_bapas, report_kind, periode, version, stage it arrives in, received_at)
SUBMISSIONS: dict[str, tuple[str, str, str, int, int, dt.datetime]] = {
    "S1101-01-v1": ("BP1101", "monthly", "2025-01", 1, 1, dt.datetime(2025, 2, 5, 3, 0)),
    "S1101-01-v2": ("BP1101", "monthly", "2025-01", 2, 2, dt.datetime(2025, 2, 20, 3, 0)),
    "S1101-02": ("BP1101", "monthly", "2025-02", 1, 1, dt.datetime(2025, 3, 3, 3, 0)),
    "S1102-01": ("BP1102", "monthly", "2025-01", 1, 1, dt.datetime(2025, 2, 14, 3, 0)),
    "S1201-01": ("BP1201", "monthly", "2025-01", 1, 1, dt.datetime(2025, 2, 9, 3, 0)),
    "S1201-02": ("BP1201", "monthly", "2025-02", 1, 2, dt.datetime(2025, 3, 11, 3, 0)),
    "P1101-2025": ("BP1101", "annual_plan", "2025", 1, 1, dt.datetime(2025, 1, 20, 3, 0)),
}

# Needs, status and check-ins of each client row: (no_register, kebutuhan, status, status date,
# wl_jadwal, wl_hadir, tindak_pidana_baru).
KLIEN: dict[str, list[tuple[str, str | None, str, dt.date | None, int, int, bool]]] = {
    "S1101-01-v1": [
        ("A1", "KERJA", "AKTIF", None, 4, 4, False),
        ("A2", "KERJA", "AKTIF", None, 4, 4, False),
        ("A3", "KONSELING", "AKTIF", None, 2, 2, False),
        ("A9", "KERJA", "AKTIF", None, 4, 4, False),
    ],
    "S1101-01-v2": [
        ("A1", "KERJA;KETERAMPILAN", "AKTIF", None, 4, 4, False),
        ("A2", "KERJA", "AKTIF", None, 4, 3, False),
        ("A3", "KONSELING", "SELESAI", D(2025, 1, 20), 2, 2, False),
        ("A4", None, "DICABUT", D(2025, 1, 15), 4, 1, True),
    ],
    "S1101-02": [
        ("A1", "KERJA; KETERAMPILAN", "AKTIF", None, 4, 4, False),
        ("A2", "KERJA", "AKTIF", None, 4, 4, False),
        # Stale row: supervision ended in January, so A3 is not active in February.
        ("A3", "KONSELING", "SELESAI", D(2025, 1, 20), 0, 0, False),
        ("A5", "PENDIDIKAN", "AKTIF", None, 4, 4, False),
    ],
    "S1102-01": [
        ("B1", "KERJA", "AKTIF", None, 4, 4, False),
        ("B2", "KEAGAMAAN", "AKTIF", None, 4, 4, False),
        ("B3", None, "AKTIF", None, 4, 2, False),
    ],
    "S1201-01": [
        ("C1", "KERJA;MODAL_USAHA", "AKTIF", None, 2, 2, False),
        ("C2", "KONSELING", "AKTIF", None, 2, 1, False),
    ],
    "S1201-02": [
        ("C1", "KERJA;MODAL_USAHA", "AKTIF", None, 2, 2, False),
        ("C2", "KONSELING", "AKTIF", None, 2, 2, False),
        ("C3", "KERJA", "AKTIF", None, 2, 1, False),
    ],
}

# Columns: kode_pokmas, bidang, bentuk, tanggal_berakhir_pks, jumlah_mitra, status.
POKMAS: dict[str, list[tuple[str, str, str, dt.date, int, str]]] = {
    "S1101-01-v1": [
        ("BP1101-PK01", "HUKUM_KEMASYARAKATAN", "YAYASAN", D(2026, 12, 31), 5, "AKTIF"),
    ],
    "S1101-01-v2": [
        ("BP1101-PK01", "HUKUM_KEMASYARAKATAN", "YAYASAN", D(2026, 12, 31), 5, "AKTIF"),
        ("BP1101-PK02", "KEMANDIRIAN_KEPRIBADIAN", "PERUSAHAAN", D(2026, 12, 31), 5, "AKTIF"),
    ],
    "S1101-02": [
        ("BP1101-PK01", "HUKUM_KEMASYARAKATAN", "YAYASAN", D(2026, 12, 31), 5, "AKTIF"),
        # jumlah_mitra changes 5 -> 6: a new SCD2 version of PK02 from February.
        ("BP1101-PK02", "KEMANDIRIAN_KEPRIBADIAN", "PERUSAHAAN", D(2026, 12, 31), 6, "AKTIF"),
    ],
    "S1102-01": [("BP1102-PK01", "HUKUM_KEMASYARAKATAN", "ORMAS", D(2024, 12, 31), 4, "AKTIF")],
    "S1201-01": [
        ("BP1201-PK01", "HUKUM_KEMASYARAKATAN", "YAYASAN", D(2027, 6, 30), 5, "AKTIF"),
        (
            "BP1201-PK02",
            "KEMANDIRIAN_KEPRIBADIAN",
            "INSTANSI_PEMDA",
            D(2027, 6, 30),
            3,
            "TIDAK_AKTIF",
        ),
    ],
    "S1201-02": [
        ("BP1201-PK01", "HUKUM_KEMASYARAKATAN", "YAYASAN", D(2027, 6, 30), 5, "AKTIF"),
        ("BP1201-PK02", "KEMANDIRIAN_KEPRIBADIAN", "INSTANSI_PEMDA", D(2027, 6, 30), 3, "AKTIF"),
    ],
}

# (kode_kegiatan, kode_pokmas, day, jenis, kebutuhan_sasaran, lokasi, sumber_dana, biaya,
#  participants: [(no_register, hadir, selesai, hasil)])
Participant = tuple[str, bool, bool, str | None]
KEGIATAN: dict[str, list[tuple[str, str, int, str, str, str, str, int, list[Participant]]]] = {
    "S1101-01-v1": [
        (
            "K1",
            "BP1101-PK01",
            10,
            "PENYALURAN_KERJA",
            "KERJA",
            "BAPAS",
            "APBN",
            9_999_999,
            [("A9", True, True, "BEKERJA")],
        ),
    ],
    "S1101-01-v2": [
        (
            "K1",
            "BP1101-PK02",
            10,
            "PELATIHAN_KETERAMPILAN",
            "KETERAMPILAN",
            "GRIYA_ABHIPRAYA",
            "CSR",
            3_000_000,
            [("A1", True, True, "SERTIFIKAT"), ("A2", True, False, "TIDAK_ADA")],
        ),
        (
            "K2",
            "BP1101-PK01",
            17,
            "KONSELING",
            "KONSELING",
            "BAPAS",
            "APBN",
            1_000_000,
            [("A3", True, True, "TIDAK_ADA"), ("A1", False, False, None)],
        ),
    ],
    "S1101-02": [
        (
            "K1",
            "BP1101-PK02",
            12,
            "PENYALURAN_KERJA",
            "KERJA",
            "LOKASI_MITRA",
            "CSR",
            2_000_000,
            [
                ("A1", True, True, "BEKERJA"),
                ("A2", True, True, "BEKERJA"),
                ("A5", True, False, "TIDAK_ADA"),
            ],
        ),
    ],
    "S1102-01": [
        (
            "K1",
            "BP1102-PK01",
            8,
            "BIMBINGAN_KEAGAMAAN",
            "KEAGAMAAN",
            "BAPAS",
            "SWADAYA",
            500_000,
            [("B2", True, True, None), ("B1", True, True, None)],
        ),
    ],
    "S1201-01": [
        (
            "K1",
            "BP1201-PK01",
            22,
            "BANTUAN_MODAL",
            "MODAL_USAHA",
            "LOKASI_MITRA",
            "APBD",
            4_000_000,
            [("C1", True, True, "USAHA_MANDIRI")],
        ),
    ],
    "S1201-02": [
        (
            "K1",
            "BP1201-PK02",
            5,
            "PELATIHAN_KETERAMPILAN",
            "KERJA",
            "GRIYA_ABHIPRAYA",
            "APBD",
            1_500_000,
            [("C3", True, True, "SERTIFIKAT"), ("C2", True, False, "TIDAK_ADA")],
        ),
        (
            "K2",
            "BP1201-PK01",
            19,
            "KONSELING",
            "KONSELING",
            "BAPAS",
            "HIBAH",
            500_000,
            [("C2", True, True, None)],
        ),
    ],
}

# Columns: kapasitas, penghuni_awal, masuk, keluar, penghuni_akhir.
GRIYA: dict[str, tuple[int, int, int, int, int]] = {
    "S1101-01-v2": (10, 4, 2, 1, 5),
    "S1101-02": (10, 5, 3, 2, 6),
    "S1201-02": (8, 2, 2, 0, 4),
}

PLAN_SASARAN = [("KERJA", 10, 4), ("KETERAMPILAN", 5, 2)]
PLAN_ANGGARAN = [("KERJA", "CSR", 10_000_000), ("KETERAMPILAN", "APBN", 5_000_000)]

# quality.submission_status as the quality layer would write it after stage 2. Columns:
# kode_bapas, kode_kanwil, kind, periode, received, accepted, on_time, status, score.
STATUS: list[tuple[str, str, str, str, bool, bool, bool, str, float | None]] = [
    ("BP1101", "KW11", "monthly", "2025-01", True, True, True, "on_time", 90.0),
    ("BP1101", "KW11", "monthly", "2025-02", True, True, True, "on_time", 80.0),
    ("BP1102", "KW11", "monthly", "2025-01", True, True, False, "late", 70.0),
    ("BP1102", "KW11", "monthly", "2025-02", False, False, False, "missing", None),
    ("BP1201", "KW12", "monthly", "2025-01", True, True, True, "on_time", 100.0),
    ("BP1201", "KW12", "monthly", "2025-02", True, True, False, "late", 60.0),
    ("BP1101", "KW11", "annual_plan", "2025", True, True, True, "on_time", None),
    ("BP1102", "KW11", "annual_plan", "2025", False, False, False, "missing", None),
    ("BP1201", "KW12", "annual_plan", "2025", True, False, False, "rejected", None),
]


def _lineage(sid: str, sheet: str, row: int) -> dict[str, Any]:
    kode, _, period, _, _, _ = SUBMISSIONS[sid]
    return {
        "submission_id": sid,
        "kode_bapas": kode,
        "_reporting_period": period,
        "_source_file": f"{sid}.xlsx",
        "_source_sha256": f"sha-{sid}",
        "_sheet": sheet,
        "_row_number": row,
        "_loaded_at": LOADED_AT,
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows by column name; `table` and the column names are fixture constants."""
    for row in rows:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))


def _month_date(period: str, day: int) -> dt.date:
    year, month = (int(p) for p in period.split("-"))
    return dt.date(year, month, day)


def _load_monthly(con: duckdb.DuckDBPyConnection, sid: str) -> None:
    kode, _, period, versi, _, _ = SUBMISSIONS[sid]
    _insert(con, "raw.monthly_identitas", [{
        **_lineage(sid, "IDENTITAS", 2), "periode": period,
        "tanggal_laporan": _month_date(period, 28), "versi": versi,
    }])  # fmt: skip
    klien = [
        {
            **_lineage(sid, "KLIEN", i + 2), "no_register": reg, "client_key": f"key-{kode}-{reg}",
            "nik_status": "VALID", "jenis_kelamin": "L", "tahun_lahir": 1990,
            "umur_akhir_periode": 35, "kategori": "DEWASA", "jenis_program": "PB",
            "tanggal_mulai": D(2024, 6, 1), "tanggal_selesai_rencana": D(2026, 6, 1),
            "status_akhir_bulan": status, "tanggal_status": status_date, "kebutuhan": needs,
            "wajib_lapor_jadwal": sched, "wajib_lapor_hadir": attended,
            "tindak_pidana_baru": offence,
        }
        for i, (reg, needs, status, status_date, sched, attended, offence) in enumerate(KLIEN[sid])
    ]  # fmt: skip
    _insert(con, "raw.monthly_klien", klien)
    pokmas = [
        {
            **_lineage(sid, "POKMAS", i + 2), "kode_pokmas": code, "nama": f"Yayasan {code}",
            "bidang": bidang, "bentuk": bentuk, "no_pks": f"PKS/{code}",
            "tanggal_pks": D(2023, 1, 1), "tanggal_berakhir_pks": end, "jumlah_mitra": mitra,
            "kabupaten_kota": "Kota", "status": status,
        }
        for i, (code, bidang, bentuk, end, mitra, status) in enumerate(POKMAS[sid])
    ]  # fmt: skip
    _insert(con, "raw.monthly_pokmas", pokmas)
    kegiatan, peserta = [], []
    for i, (code, pokmas_code, day, jenis, need, lokasi, dana, biaya, people) in enumerate(
        KEGIATAN[sid]
    ):
        kegiatan.append({
            **_lineage(sid, "KEGIATAN", i + 2), "kode_kegiatan": code, "kode_pokmas": pokmas_code,
            "tanggal": _month_date(period, day), "jenis_kegiatan": jenis,
            "kebutuhan_sasaran": need, "lokasi": lokasi, "durasi_jam": 2.0, "sumber_dana": dana,
            "biaya_rp": biaya, "jumlah_peserta": len(people),
        })  # fmt: skip
        for reg, hadir, selesai, hasil in people:
            peserta.append({
                **_lineage(sid, "PESERTA", len(peserta) + 2), "kode_kegiatan": code,
                "no_register": reg, "hadir": hadir, "selesai": selesai, "hasil": hasil,
            })  # fmt: skip
    _insert(con, "raw.monthly_kegiatan", kegiatan)
    _insert(con, "raw.monthly_peserta", peserta)
    if sid in GRIYA:
        cap, start, masuk, keluar, end = GRIYA[sid]
        _insert(con, "raw.monthly_griya_abhipraya", [{
            **_lineage(sid, "GRIYA_ABHIPRAYA", 2), "kapasitas": cap, "penghuni_awal": start,
            "masuk": masuk, "keluar": keluar, "penghuni_akhir": end,
        }])  # fmt: skip


def _load_plan(con: duckdb.DuckDBPyConnection, sid: str) -> None:
    _insert(con, "raw.annual_plan_identitas", [{
        **_lineage(sid, "IDENTITAS", 2), "tahun": 2025, "tanggal_laporan": D(2025, 1, 15),
        "versi": 1,
    }])  # fmt: skip
    _insert(con, "raw.annual_plan_sasaran", [
        {**_lineage(sid, "SASARAN", i + 2), "kebutuhan": need, "target_klien": clients,
         "target_kegiatan": acts}
        for i, (need, clients, acts) in enumerate(PLAN_SASARAN)
    ])  # fmt: skip
    _insert(con, "raw.annual_plan_anggaran", [
        {**_lineage(sid, "ANGGARAN", i + 2), "kebutuhan": need, "sumber_dana": source,
         "anggaran_rp": amount}
        for i, (need, source, amount) in enumerate(PLAN_ANGGARAN)
    ])  # fmt: skip


def _ledger_row(sid: str, status: str, is_current: bool) -> dict[str, Any]:
    kode, kind, period, versi, _, received = SUBMISSIONS[sid]
    return {
        "submission_id": sid, "sha256": f"sha-{sid}", "original_path": f"landing/{sid}.xlsx",
        "original_name": f"{sid}.xlsx", "archived_path": f"archive/{sid}.xlsx",
        "file_format": "xlsx", "report_kind": kind, "kode_bapas": kode, "periode": period,
        "received_at": received, "ingested_at": received, "version": versi, "status": status,
        "is_current": is_current, "error_code": None, "error_summary": None, "row_counts": "{}",
    }  # fmt: skip


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create raw.*, ledger.* and quality.* exactly as ingestion and quality do."""
    ensure_raw_tables(con)
    ensure_ledger_tables(con)
    ensure_quality_tables(con)


def load_stage(con: duckdb.DuckDBPyConnection, stage: int) -> None:
    """Load the submissions arriving in `stage` (1 or 2) as ingestion would."""
    for sid, (_, kind, _, _, arrives, _) in SUBMISSIONS.items():
        if arrives != stage:
            continue
        if sid == "S1101-01-v2":
            con.execute(
                "UPDATE ledger.submissions SET status = 'superseded', is_current = false "
                "WHERE submission_id = ?",
                ["S1101-01-v1"],
            )
        _insert(con, "ledger.submissions", [_ledger_row(sid, "accepted", True)])
        if kind == "monthly":
            _load_monthly(con, sid)
        else:
            _load_plan(con, sid)
    if stage == 2:
        _load_quality(con)


def _load_quality(con: duckdb.DuckDBPyConnection) -> None:
    current = {
        (kode, kind, period): sid
        for sid, (kode, kind, period, _, _, _) in SUBMISSIONS.items()
        if sid != "S1101-01-v1"
    }
    for kode, kanwil, kind, period, received, accepted, on_time, status, score in STATUS:
        deadline = D(2025, 1, 31) if kind == "annual_plan" else _month_date(period, 10)
        _insert(con, "quality.submission_status", [{
            "kode_bapas": kode, "kode_kanwil": kanwil, "report_kind": kind, "periode": period,
            "deadline": deadline, "received": received, "first_received_at": None,
            "accepted": accepted, "on_time": on_time, "status": status,
            "days_overdue": 0, "possibly_inactive": False,
            "current_submission_id": current.get((kode, kind, period)),
            "as_of_date": D(2025, 3, 12),
            # The register's one decision (quality/indicators.py), as the quality layer writes it.
            **dict(zip(
                ("counts_as_expected", "counts_as_reported", "counts_as_on_time"),
                indicator_flags(status, accepted, on_time), strict=True,
            )),
        }])  # fmt: skip
        if score is not None:
            _insert(con, "quality.submission_scores", [{
                "kode_bapas": kode, "report_kind": kind, "periode": period,
                "completeness_score": 100.0, "timeliness_score": score, "findings_score": score,
                "quality_score": score, "open_errors": 0, "open_warnings": 0,
                "computed_at": LOADED_AT,
            }])  # fmt: skip


def build_input(path: str, stages: tuple[int, ...] = (1, 2)) -> None:
    """Create a DuckDB file at `path` holding the fixture input up to the given stages."""
    con = duckdb.connect(path)
    try:
        create_tables(con)
        for stage in stages:
            load_stage(con, stage)
    finally:
        con.close()
