"""Benchmark the dbt warehouse: full build of a national year vs adding one month incrementally.

Raw rows are generated directly with DuckDB SQL at national volume (every Bapas in ref_bapas,
~1,250 clients per Bapas-month, i.e. ~100k client rows a month, 3 Pokmas, 10 activities and ~100
participant rows per Bapas-month). Prints:
  - full `dbt run --full-refresh` on 12 months,
  - `dbt run` after one more month arrives (incremental facts), and their ratio (target <= 0.35),
  - the same incremental step on 36 months of history, and its growth vs 12 (target < 1.5x).
Usage: .venv/bin/python benchmarks/bench_dbt.py [--clients 1250] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import duckdb

from core.reference import load_bapas
from core.settings import load_settings
from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
from orchestration.dbt_invocation import dbt_command, dbt_env, dbt_vars, run_dbt
from quality.store import ensure_quality_tables

NEEDS = "['KERJA','KETERAMPILAN','MODAL_USAHA','PENDIDIKAN','KEAGAMAAN','KONSELING','KESEHATAN','REHABILITASI_NAPZA','HUKUM','SOSIAL_KELUARGA']"  # noqa: E501
FUNDS = "['APBN','APBD','CSR','SWADAYA','HIBAH']"
FIELDS = "['HUKUM_KEMASYARAKATAN','KEMANDIRIAN_KEPRIBADIAN','EKONOMI']"


def months_from(start: str, count: int) -> list[str]:
    """'2023-01', 3 -> ['2023-01', '2023-02', '2023-03']."""
    year, month = (int(p) for p in start.split("-"))
    out = []
    for i in range(count):
        y, m = divmod(month - 1 + i, 12)
        out.append(f"{year + y:04d}-{m + 1:02d}")
    return out


def generate(con: duckdb.DuckDBPyConnection, periods: list[str], clients: int) -> None:
    """Insert current monthly submissions for every Bapas and each period (bound parameters)."""
    codes = [b.kode_bapas for b in load_bapas()]
    con.execute("create or replace temp table gen_bapas as select unnest(?::varchar[]) as kode, "
                "row_number() over () as bno", [codes])  # fmt: skip
    con.execute("create or replace temp table gen_months as select unnest(?::varchar[]) as periode",
                [periods])  # fmt: skip
    con.execute("""
        create or replace temp table gen_bm as
        select b.kode, b.bno, m.periode, 'S-' || b.kode || '-' || m.periode as sid,
            cast(m.periode || '-01' as date) as pm,
            (year(cast(m.periode || '-01' as date)) * 12 + month(cast(m.periode || '-01' as date)))
                as midx
        from gen_bapas as b cross join gen_months as m
    """)
    now = dt.datetime(2026, 1, 1)
    con.execute("""
        insert into ledger.submissions (submission_id, sha256, original_name, file_format,
            report_kind, kode_bapas, periode, received_at, ingested_at, version, status, is_current)
        select sid, sid, sid || '.xlsx', 'xlsx', 'monthly', kode, periode,
            cast(pm + interval '1 month' + interval '5 days' as timestamp), ?, 1, 'accepted', true
        from gen_bm
    """, [now])  # fmt: skip
    lineage = "sid, kode, periode, sid || '.xlsx', sid, '{sheet}', {row}, ?"
    cols = "submission_id, kode_bapas, _reporting_period, _source_file, _source_sha256, _sheet, _row_number, _loaded_at"  # noqa: E501
    con.execute(f"""
        insert into raw.monthly_identitas (periode, tanggal_laporan, versi, submission_id,
            kode_bapas, _reporting_period, _source_file, _source_sha256, _sheet, _row_number,
            _loaded_at)
        select periode, pm + interval '27 days', 1, {lineage.format(sheet="IDENTITAS", row=2)}
        from gen_bm
    """, [now])  # fmt: skip
    # Clients: a rolling register (50 new and 50 ending per month) so history looks real.
    con.execute(f"""
        insert into raw.monthly_klien (no_register, client_key, nik_status, jenis_kelamin,
            tahun_lahir, umur_akhir_periode, kategori, jenis_program, tanggal_mulai,
            tanggal_selesai_rencana, status_akhir_bulan, tanggal_status, kebutuhan,
            wajib_lapor_jadwal, wajib_lapor_hadir, tindak_pidana_baru, {cols})
        select 'R' || (i + midx * 50), 'K' || kode || (i + midx * 50), 'VALID',
            case when i % 7 = 0 then 'P' else 'L' end, 1990, 35, 'DEWASA', 'PB',
            pm - interval '200 days', pm + interval '300 days',
            case when i < 50 then 'SELESAI' when i % 97 = 0 then 'DICABUT' else 'AKTIF' end,
            case when i < 50 or i % 97 = 0 then pm + interval '14 days' end,
            {NEEDS}[1 + (i % 10)] || case when i % 3 = 0 then ';' || {NEEDS}[1 + ((i + 3) % 10)]
                else '' end,
            4, 4 - (i % 3 = 0)::int, i % 211 = 0,
            {lineage.format(sheet="KLIEN", row="i + 2")}
        from gen_bm cross join range(?) as r(i)
    """, [now, clients])  # fmt: skip
    con.execute(f"""
        insert into raw.monthly_pokmas (kode_pokmas, nama, bidang, bentuk, no_pks, tanggal_pks,
            tanggal_berakhir_pks, jumlah_mitra, kabupaten_kota, status, {cols})
        select kode || '-PK0' || j, 'Yayasan ' || j, {FIELDS}[j], 'YAYASAN', 'PKS/' || j,
            date '2022-01-01', date '2030-12-31', 5, 'Kota', 'AKTIF',
            {lineage.format(sheet="POKMAS", row="j + 1")}
        from gen_bm cross join range(1, 4) as r(j)
    """, [now])  # fmt: skip
    con.execute(f"""
        insert into raw.monthly_kegiatan (kode_kegiatan, kode_pokmas, tanggal, jenis_kegiatan,
            kebutuhan_sasaran, lokasi, durasi_jam, sumber_dana, biaya_rp, jumlah_peserta, {cols})
        select 'K' || k, kode || '-PK0' || (1 + k % 3), pm + interval (k) day, 'KONSELING',
            {NEEDS}[1 + (k % 10)], case when k % 4 = 0 then 'GRIYA_ABHIPRAYA' else 'BAPAS' end,
            2.0, {FUNDS}[1 + (k % 5)], 1000000 + k * 50000, 10,
            {lineage.format(sheet="KEGIATAN", row="k + 2")}
        from gen_bm cross join range(10) as r(k)
    """, [now])  # fmt: skip
    con.execute(f"""
        insert into raw.monthly_peserta (kode_kegiatan, no_register, hadir, selesai, hasil, {cols})
        select 'K' || k, 'R' || (50 + k * 100 + p + midx * 50), p % 5 <> 0, p % 3 <> 0,
            case when p % 4 = 0 then 'SERTIFIKAT' else 'TIDAK_ADA' end,
            {lineage.format(sheet="PESERTA", row="k * 10 + p + 2")}
        from gen_bm cross join range(10) as r(k) cross join range(10) as q(p)
    """, [now])  # fmt: skip
    con.execute(f"""
        insert into raw.monthly_griya_abhipraya (kapasitas, penghuni_awal, masuk, keluar,
            penghuni_akhir, {cols})
        select 20, 10, 3, 2, 11, {lineage.format(sheet="GRIYA_ABHIPRAYA", row=2)}
        from gen_bm where bno % 2 = 0
    """, [now])  # fmt: skip


def timed_run(
    env: dict[str, str], command: str, full_refresh: bool, target: Path
) -> tuple[float, float]:
    """(process seconds, dbt's own elapsed_time) for one invocation; raises when dbt fails.

    The process time includes ~5-10 s of Python start-up and dbt imports on a loaded 2-core
    machine; dbt's elapsed_time (run_results.json) is parse + execution only.
    """
    as_of = dbt_vars(dt.date(2026, 12, 31))
    args = dbt_command(command, full_refresh=full_refresh, vars_json=as_of, target_path=target)
    started = time.perf_counter()
    result = run_dbt(args, env, target_path=target)
    seconds = time.perf_counter() - started
    if not result.success:
        raise RuntimeError(f"dbt {command} failed:\n{result.output[-4000:]}")
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return seconds, float(results["elapsed_time"])


Timing = tuple[float, float]


def scenario(root: Path, history: int, clients: int) -> tuple[Timing, Timing]:
    """Full build on `history` months, then one more month incrementally: (full, incremental)."""
    root.mkdir(parents=True, exist_ok=True)
    warehouse = root / "lipas.duckdb"
    periods = months_from("2023-01", history + 1)
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_tables(con)
        ensure_ledger_tables(con)
        ensure_quality_tables(con)
        generate(con, periods[:-1], clients)
    env = dbt_env(load_settings({"LIPAS_HOME": str(root)}), target="duckdb",
                  warehouse_path=warehouse)  # fmt: skip
    env["DBT_LOG_PATH"] = str(root / "logs")
    target = root / "target"
    timed_run(env, "seed", False, target)
    full = timed_run(env, "run", True, target)
    with duckdb.connect(str(warehouse)) as con:
        generate(con, periods[-1:], clients)
    incremental = timed_run(env, "run", False, target)
    return full, incremental


def main(argv: list[str] | None = None) -> None:
    """Run both scenarios and print the figures (argv: command-line options, default none)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1250, help="client rows per Bapas-month")
    parser.add_argument("--keep", type=Path, default=None, help="keep warehouses in this folder")
    args = parser.parse_args(argv if argv is not None else [])
    root = args.keep or Path(tempfile.mkdtemp(prefix="lipas_bench_dbt_"))
    bapas = len(load_bapas())
    print(f"national volume: {bapas} Bapas x {args.clients} clients = "
          f"{bapas * args.clients:,} client rows per month")  # fmt: skip
    print("(process s = whole dbt process; dbt s = dbt's elapsed_time, without start-up)")
    full12, inc12 = scenario(root / "h12", 12, args.clients)
    print(
        f"12 months: full dbt run --full-refresh  process {full12[0]:6.1f}s  dbt {full12[1]:6.1f}s"
    )
    print(f"12 months: +1 month incremental dbt run process {inc12[0]:6.1f}s  dbt {inc12[1]:6.1f}s")
    print(f"ratio incremental/full: process {inc12[0] / full12[0]:.2f}, "
          f"dbt {inc12[1] / full12[1]:.2f} (target <= 0.35)")  # fmt: skip
    full36, inc36 = scenario(root / "h36", 36, args.clients)
    print(
        f"36 months: full dbt run --full-refresh  process {full36[0]:6.1f}s  dbt {full36[1]:6.1f}s"
    )
    print(f"36 months: +1 month incremental dbt run process {inc36[0]:6.1f}s  dbt {inc36[1]:6.1f}s")
    print(f"growth of the incremental step 12 -> 36 months: process {inc36[0] / inc12[0]:.2f}x, "
          f"dbt {inc36[1] / inc12[1]:.2f}x (target < 1.5x)")  # fmt: skip


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
