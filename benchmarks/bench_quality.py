"""Benchmark the quality layer on a national warehouse: one month, then a year of checks.

Raw tables are filled directly with DuckDB (realistic row counts: ~1,500 clients per Bapas per
month at --scale 1), so the figures measure the checks, not generation or ingestion.
Target (issue 16): the quality step for one new national month under 15 s, with the GX context
and suites built once per process. Printed beside its baseline, measured in the same run: the
same month with a fresh GX context and suites (what every check paid before), and the one-off
import of Great Expectations a process pays on first use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb

from core.period import month_range, shift_month
from core.reference import active_bapas
from core.settings import load_settings
from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
from quality.gx_suites import reset_shared_runners
from quality.runner import run_checks

TARGET_MONTH_SECONDS = 15.0


def _fill(con: duckdb.DuckDBPyConnection, months: list[str], clients: int) -> None:
    """Ledger rows and raw rows for every active Bapas x month (set-based SQL, seconds)."""
    first, last = (
        dt.date.fromisoformat(months[0] + "-01"),
        dt.date.fromisoformat(months[-1] + "-28"),
    )
    offices = [b.kode_bapas for b in active_bapas(first, last)]
    con.execute("create temp table b (kode_bapas varchar)")
    con.executemany("insert into b values (?)", [[o] for o in offices])
    con.execute("create temp table m (periode varchar)")
    con.executemany("insert into m values (?)", [[p] for p in months])
    con.execute(
        "insert into ledger.submissions (submission_id, original_name, report_kind, kode_bapas,"
        " periode, received_at, ingested_at, version, status, is_current)"
        " select 's_' || kode_bapas || '_' || periode, 'x.xlsx', 'monthly', kode_bapas, periode,"
        " cast(periode || '-01' as date) + interval 35 day, now(), 1, 'accepted', true from b, m"
    )
    lineage = "s.submission_id, s.kode_bapas, s.periode, 'x.xlsx', 'sha', ?, now()"
    con.execute(
        "insert into raw.monthly_klien (no_register, client_key, nik_status, nik_sex_match,"
        " nik_birthdate_match, jenis_kelamin, tahun_lahir, umur_akhir_periode, kategori,"
        " jenis_program, tanggal_mulai, tanggal_selesai_rencana, status_akhir_bulan,"
        " tanggal_status, kebutuhan, wajib_lapor_jadwal, wajib_lapor_hadir, tindak_pidana_baru,"
        " submission_id, kode_bapas, _reporting_period, _source_file, _source_sha256, _sheet,"
        " _loaded_at, _row_number)"
        " select s.kode_bapas || '/' || i, s.kode_bapas || '-' || i, 'VALID', true, true, 'L',"
        " 1990, 35, 'DEWASA', 'PB', date '2024-01-01', date '2027-01-01', 'AKTIF', null,"
        f" 'KERJA;KONSELING', 4, 3, false, {lineage}, i + 2"
        " from ledger.submissions s, range(?) r(i)",
        ["KLIEN", clients],
    )
    con.execute(
        "insert into raw.monthly_pokmas (kode_pokmas, nama, bidang, bentuk, no_pks, tanggal_pks,"
        " tanggal_berakhir_pks, jumlah_mitra, kabupaten_kota, status, submission_id, kode_bapas,"
        " _reporting_period, _source_file, _source_sha256, _sheet, _loaded_at, _row_number)"
        " select s.kode_bapas || '-PK0' || i, 'Yayasan', 'EKONOMI', 'YAYASAN', 'PKS', "
        " date '2024-01-01', date '2028-01-01', 5, 'Kota', 'AKTIF', "
        f" {lineage}, i + 2 from ledger.submissions s, range(3) r(i)",
        ["POKMAS"],
    )
    activities = max(clients // 50, 1)
    con.execute(
        "insert into raw.monthly_kegiatan (kode_kegiatan, kode_pokmas, tanggal, jenis_kegiatan,"
        " kebutuhan_sasaran, lokasi, durasi_jam, sumber_dana, biaya_rp, jumlah_peserta,"
        " submission_id, kode_bapas, _reporting_period, _source_file, _source_sha256, _sheet,"
        " _loaded_at, _row_number)"
        " select 'KG' || i, s.kode_bapas || '-PK0' || (i % 3), cast(s.periode || '-10' as date),"
        " 'KONSELING', 'KERJA', 'BAPAS', 2.0, 'APBN', 1000000 + 1000 * i, 10,"
        f" {lineage}, i + 2 from ledger.submissions s, range(?) r(i)",
        ["KEGIATAN", activities],
    )
    con.execute(
        "insert into raw.monthly_peserta (kode_kegiatan, no_register, hadir, selesai, hasil,"
        " submission_id, kode_bapas, _reporting_period, _source_file, _source_sha256, _sheet,"
        " _loaded_at, _row_number)"
        " select 'KG' || (i // 10), s.kode_bapas || '/' || i, true, true, 'SERTIFIKAT',"
        f" {lineage}, i + 2 from ledger.submissions s, range(?) r(i)",
        ["PESERTA", activities * 10],
    )


def _timed(label: str, settings, **kwargs) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    summary = run_checks(settings, **kwargs)
    seconds = time.perf_counter() - start
    slowest = sorted(summary.timings.items(), key=lambda kv: -kv[1])[:4]
    print(f"{label}: {seconds:.1f} s; findings {summary.by_severity}; slowest {slowest}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Build a national warehouse of --months months and time the checks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--clients", type=int, default=1500, help="clients per Bapas per month")
    parser.add_argument("--no-gx", action="store_true")
    args = parser.parse_args(argv or [])
    logging.basicConfig(level=logging.WARNING)
    months = month_range("2025-01", shift_month("2025-01", args.months - 1))
    with tempfile.TemporaryDirectory(prefix="bench_quality_") as home:
        os.environ["LIPAS_HOME"] = home
        settings = load_settings()
        settings.ensure_dirs()
        con = duckdb.connect(str(settings.warehouse_path))
        ensure_ledger_tables(con)
        ensure_raw_tables(con)
        start = time.perf_counter()
        _fill(con, months, args.clients)
        rows = con.execute("select count(*) from raw.monthly_klien").fetchone()
        con.close()
        print(f"warehouse: {len(months)} months, {rows[0] if rows else 0:,} KLIEN rows,"
              f" built in {time.perf_counter() - start:.1f} s")  # fmt: skip
        as_of = dt.date.fromisoformat(shift_month(months[-1], 1) + "-20")
        gx = not args.no_gx
        if gx:
            start = time.perf_counter()
            import great_expectations  # noqa: F401

            print(f"import great_expectations (once per process): "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        reset_shared_runners()
        cold = _timed("one national month, fresh GX context and suites (baseline)", settings,
                      as_of=as_of, periods=months[-1:], with_gx=gx)  # fmt: skip
        month = _timed("one national month, the process's GX context and suites", settings,
                       as_of=as_of, periods=months[-1:], with_gx=gx)  # fmt: skip
        print(f"ratio shared/fresh: {month / cold:.2f}")
        _timed(f"national year ({len(months)} months)", settings, as_of=as_of, periods=months,
               with_gx=gx)  # fmt: skip
    verdict = "OK" if month < TARGET_MONTH_SECONDS else "SLOWER THAN TARGET"
    print(f"one month: {month:.1f} s vs target {TARGET_MONTH_SECONDS:.0f} s -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
