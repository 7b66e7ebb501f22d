"""Tiny synthetic warehouses for quality tests: real DuckDB files, rows written in code."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from core.reference import codes_of
from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
from quality.tables import raw_table_columns

_ids = itertools.count(1)
Rows = dict[str, list[dict[str, Any]]]


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_ledger_tables(con)
    ensure_raw_tables(con)
    return con


def first(code_list: str) -> str:
    return codes_of(code_list)[0]


def monthly_rows(kode_bapas: str, period: str, clients: int = 3) -> Rows:
    """A small, fully consistent monthly report."""
    year, month = (int(x) for x in period.split("-"))
    day = dt.date(year, month, 15)
    pokmas = f"{kode_bapas}-PK01"
    klien = [
        {
            "no_register": f"{kode_bapas}/R{i:03d}",
            "client_key": f"key-{kode_bapas}-{i}",
            "nik_status": "VALID",
            "nik_sex_match": True,
            "nik_birthdate_match": True,
            "jenis_kelamin": "L",
            "tahun_lahir": 1990,
            "umur_akhir_periode": 35,
            "kategori": "DEWASA",
            "jenis_program": "PB",
            "tanggal_mulai": dt.date(2024, 1, 1),
            "tanggal_selesai_rencana": dt.date(2027, 1, 1),
            "status_akhir_bulan": "AKTIF",
            "tanggal_status": None,
            "kebutuhan": "KERJA;KONSELING",
            "wajib_lapor_jadwal": 4,
            "wajib_lapor_hadir": 4,
            "tindak_pidana_baru": False,
        }
        for i in range(1, clients + 1)
    ]
    return {
        "IDENTITAS": [{"periode": period, "tanggal_laporan": day, "versi": 1}],
        "KLIEN": klien,
        "POKMAS": [
            {
                "kode_pokmas": pokmas,
                "nama": "Yayasan Contoh",
                "bidang": first("bidang_pokmas"),
                "bentuk": first("bentuk_pokmas"),
                "no_pks": f"PKS/{kode_bapas}/01",
                "tanggal_pks": dt.date(2024, 1, 1),
                "tanggal_berakhir_pks": dt.date(2027, 12, 31),
                "jumlah_mitra": 5,
                "kabupaten_kota": "Kota",
                "status": "AKTIF",
            }
        ],
        "KEGIATAN": [
            {
                "kode_kegiatan": "KG01",
                "kode_pokmas": pokmas,
                "tanggal": day,
                "jenis_kegiatan": first("jenis_kegiatan"),
                "kebutuhan_sasaran": "KERJA",
                "lokasi": first("lokasi_kegiatan"),
                "durasi_jam": 2.0,
                "sumber_dana": first("sumber_dana"),
                "biaya_rp": 1_000_000,
                "jumlah_peserta": 2,
            }
        ],
        "PESERTA": [
            {
                "kode_kegiatan": "KG01",
                "no_register": klien[0]["no_register"],
                "hadir": True,
                "selesai": True,
                "hasil": "SERTIFIKAT",
            },
            {
                "kode_kegiatan": "KG01",
                "no_register": klien[1]["no_register"],
                "hadir": True,
                "selesai": False,
                "hasil": None,
            },
        ],
    }


def plan_rows(year: int, target: int = 10, budget: int = 5_000_000) -> Rows:
    """A small annual plan."""
    return {
        "IDENTITAS": [{"tahun": year, "tanggal_laporan": dt.date(year, 1, 10)}],
        "SASARAN": [{"kebutuhan": "KERJA", "target_klien": target, "target_kegiatan": 4}],
        "ANGGARAN": [{"kebutuhan": "KERJA", "sumber_dana": "APBN", "anggaran_rp": budget}],
    }


def add_submission(
    con: duckdb.DuckDBPyConnection,
    kode_bapas: str | None,
    period: str | None,
    rows: Rows | None = None,
    *,
    kind: str = "monthly",
    received_at: dt.datetime | None = None,
    status: str = "accepted",
    is_current: bool | None = None,
    error_code: str | None = None,
    name: str | None = None,
    mutate: Callable[[Rows], None] | None = None,
) -> str:
    """Insert one ledger row (and its raw rows); older current versions become superseded."""
    sid = f"s{next(_ids):05d}"
    received_at = received_at or dt.datetime(2025, 1, 1)
    current = status == "accepted" if is_current is None else is_current
    if current:
        con.execute(
            "update ledger.submissions set is_current = false, status = 'superseded'"
            " where kode_bapas = ? and periode = ? and report_kind = ? and is_current",
            [kode_bapas, period, kind],
        )
    con.execute(
        "insert into ledger.submissions (submission_id, sha256, original_path, original_name,"
        " file_format, report_kind, kode_bapas, periode, received_at, ingested_at, version,"
        " status, is_current, error_code, error_summary)"
        " values (?, ?, ?, ?, 'xlsx', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
        [sid, sid, name or f"{sid}.xlsx", name or f"{sid}.xlsx", kind, kode_bapas, period,
         received_at, received_at, status, current, error_code,
         "ditolak / rejected" if error_code else None],
    )  # fmt: skip
    if rows is not None and status == "accepted":
        if mutate is not None:
            mutate(rows)
        for sheet, items in rows.items():
            insert_rows(con, kind, sheet, sid, kode_bapas or "", period or "", items)
    return sid


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    sheet: str,
    sid: str,
    kode_bapas: str,
    period: str,
    items: list[dict[str, Any]],
) -> None:
    table = f"{kind}_{sheet.lower()}"
    allowed = raw_table_columns()[table]
    for index, item in enumerate(items):
        values = {
            **item,
            "submission_id": sid,
            "kode_bapas": kode_bapas,
            "_reporting_period": period,
            "_sheet": sheet,
            "_row_number": item.get("_row_number", index + 2),
            "_loaded_at": dt.datetime(2025, 1, 1),
        }
        unknown = set(values) - set(allowed)
        assert not unknown, f"test data names columns not in {table}: {unknown}"
        cols = list(values)
        con.execute(
            f"insert into raw.{table} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
            [values[c] for c in cols],
        )


def at(day: str, hour: int = 3) -> dt.datetime:
    """Naive UTC timestamp on an ISO day."""
    return dt.datetime.fromisoformat(day).replace(hour=hour)
