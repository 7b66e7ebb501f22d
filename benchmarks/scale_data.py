"""Raw tables and ledger rows for the scale simulation, synthesised in DuckDB SQL (no xlsx).

Every raw column of `core.contract.raw_schema` gets a value (a column added to the contract
later is filled with NULL and named on stdout, so the simulation never silently drifts from
the layout ingestion writes), and each Bapas-month gets the ledger row ingestion would commit
for an accepted, current, on-time file. Clients form a rolling register: each stays 24 months,
so the oldest 1/24 end (SELESAI) every month and as many start.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.contract.model import load_contract
from core.contract.raw_schema import LEDGER_SCHEMA, RAW_SCHEMA, raw_columns
from core.reference import load_bapas
from ingestion.ledger import SUBMISSION_COLUMNS

NEEDS = ["KERJA", "KETERAMPILAN", "MODAL_USAHA", "PENDIDIKAN", "KEAGAMAAN", "KONSELING",
         "KESEHATAN", "REHABILITASI_NAPZA", "HUKUM", "SOSIAL_KELUARGA"]  # fmt: skip
# jenis_kegiatan meeting each need, in NEEDS order (codes of ref_codes' jenis_kegiatan list).
ACTIVITY_TYPES = ["PENYALURAN_KERJA", "PELATIHAN_KETERAMPILAN", "BANTUAN_MODAL", "PENDIDIKAN",
                  "BIMBINGAN_KEAGAMAAN", "KONSELING", "LAYANAN_KESEHATAN", "REHABILITASI",
                  "PENYULUHAN_HUKUM", "KEGIATAN_SOSIAL"]  # fmt: skip
FUNDS = ["APBN", "APBD", "CSR", "SWADAYA", "HIBAH"]
FIELDS = ["HUKUM_KEMASYARAKATAN", "KEMANDIRIAN_KEPRIBADIAN", "EKONOMI"]
PROGRAMMES = ["PB", "CB", "CMB", "ASIMILASI", "PIDANA_BERSYARAT"]
STAY_MONTHS = 24
ACTIVITIES = 10
PARTICIPANTS = 10
LOADED_AT = dt.datetime(2026, 12, 1)

# Per raw table and column: a SQL expression over the generator's row source. `c` is the
# client number, `i` its position in the month, `k`/`p`/`j`/`n` activity, participant, Pokmas
# and need indexes; `pm` the first day of the period, `kode` the Bapas, `sid` the submission.
_REG = "printf('%s/%07d', kode, c)"
_KEG = "kode || '-' || replace(periode, '-', '') || '-K' || lpad(k::varchar, 3, '0')"
EXPRESSIONS: dict[str, dict[str, str]] = {
    "monthly_identitas": {
        "periode": "periode", "tanggal_laporan": "pm + interval 1 month + interval 4 day",
        "versi": "1",
    },
    "monthly_klien": {
        "no_register": _REG,
        "client_key": "'k' || translate(md5(kode || c::varchar), '0123456789', 'ghijklmnop')[:24]",
        "nik_status": "'VALID'", "nik_sex_match": "true", "nik_birthdate_match": "true",
        "jenis_kelamin": "case when c % 7 = 0 then 'P' else 'L' end",
        "tahun_lahir": "1960 + (c % 45)", "umur_akhir_periode": "year(pm) - 1960 - (c % 45)",
        "kategori": "'DEWASA'", "jenis_program": "$programmes[1 + c % 5]",
        "tanggal_mulai": "start_month + (c % 28)::int",
        "tanggal_selesai_rencana": f"start_month + interval {STAY_MONTHS} month",
        "status_akhir_bulan": "case when i < turnover then 'SELESAI' else 'AKTIF' end",
        "tanggal_status": "case when i < turnover then pm + interval 14 day end",
        "kebutuhan": "$needs[1 + c % 10] || case when c % 3 = 0 then ';' || "
        "$needs[1 + (c + 3) % 10] else '' end",
        "wajib_lapor_jadwal": "4", "wajib_lapor_hadir": "4 - (c % 3 = 0)::int",
        "tindak_pidana_baru": "c % 211 = 0",
    },
    "monthly_pokmas": {
        "kode_pokmas": "kode || '-PK0' || j", "nama": "'Yayasan Mitra ' || j",
        "bidang": "$fields[j]", "bentuk": "'YAYASAN'", "no_pks": "'PKS/' || kode || '/' || j",
        "tanggal_pks": "date '2019-06-01'", "tanggal_berakhir_pks": "date '2035-12-31'",
        "jumlah_mitra": "5", "kabupaten_kota": "'Kota'", "status": "'AKTIF'",
    },
    "monthly_kegiatan": {
        "kode_kegiatan": _KEG, "kode_pokmas": "kode || '-PK0' || (1 + k % 3)",
        "tanggal": "pm + k::int", "jenis_kegiatan": "$activities[1 + k % 10]",
        "kebutuhan_sasaran": "$needs[1 + k % 10]",
        "lokasi": "case when k % 4 = 0 and griya then 'GRIYA_ABHIPRAYA' else 'BAPAS' end",
        "durasi_jam": "2.0", "sumber_dana": "$funds[1 + k % 5]",
        "biaya_rp": "500000 + k * 50000", "jumlah_peserta": str(PARTICIPANTS),
    },
    "monthly_peserta": {
        "kode_kegiatan": _KEG, "no_register": _REG, "hadir": "p % 5 <> 0",
        "selesai": "p % 5 <> 0 and p % 3 <> 0",
        "hasil": "case when p % 4 = 0 then 'SERTIFIKAT' else 'TIDAK_ADA' end",
    },
    "monthly_griya_abhipraya": {
        "kapasitas": "20", "penghuni_awal": "10", "masuk": "3", "keluar": "3",
        "penghuni_akhir": "10",
    },
    "annual_plan_identitas": {
        "tahun": "year(pm)::int", "tanggal_laporan": "pm + interval 19 day", "versi": "1",
    },
    "annual_plan_sasaran": {
        "kebutuhan": "$needs[n]", "target_klien": "100", "target_kegiatan": "12",
    },
    "annual_plan_anggaran": {
        "kebutuhan": "$needs[n]", "sumber_dana": "$funds[1 + n % 5]",
        "anggaran_rp": "25000000",
    },
}  # fmt: skip

# Row source of each table: the Bapas-period table `bm` crossed with per-row ranges.
SOURCES: dict[str, tuple[str, str, str]] = {
    # table: (sheet, FROM clause, row number expression)
    "monthly_identitas": ("IDENTITAS", "bm", "2"),
    "monthly_klien": (
        "KLIEN",
        "(select *, midx * turnover + turnover - $clients + i as c, "
        "(date_trunc('month', pm) - interval (($clients - 1 - i) // turnover) month)::date "
        "as start_month from bm cross join range($clients) as r(i))",
        "i + 2",
    ),
    "monthly_pokmas": ("POKMAS", "bm cross join range(1, 4) as r(j)", "j + 1"),
    "monthly_kegiatan": ("KEGIATAN", f"bm cross join range({ACTIVITIES}) as r(k)", "k + 2"),
    "monthly_peserta": (
        "PESERTA",
        f"(select *, midx * turnover + turnover - $clients + ((k * {PARTICIPANTS} + p) * 13) "
        f"% $clients as c from bm cross join range({ACTIVITIES}) as r(k) "
        f"cross join range({PARTICIPANTS}) as q(p))",
        f"k * {PARTICIPANTS} + p + 2",
    ),
    "monthly_griya_abhipraya": ("GRIYA_ABHIPRAYA", "bm where griya", "2"),
    "annual_plan_identitas": ("IDENTITAS", "bm", "2"),
    "annual_plan_sasaran": ("SASARAN", "bm cross join range(1, 11) as r(n)", "n + 1"),
    "annual_plan_anggaran": ("ANGGARAN", "bm cross join range(1, 11) as r(n)", "n + 1"),
}
LINEAGE = {
    "submission_id": "sid", "kode_bapas": "kode", "_reporting_period": "periode",
    "_source_file": "file_name", "_source_sha256": "sha", "_loaded_at": "$loaded_at",
}  # fmt: skip


@dataclass(frozen=True)
class SimBapas:
    """One reporting office of the simulation."""

    kode: str
    aktif_dari: dt.date
    aktif_sampai: dt.date | None
    griya_sejak: dt.date | None


def offices(count: int) -> tuple[list[SimBapas], list[dict[str, str]]]:
    """`count` reporting Bapas: the seed's (Pos Bapas excluded), then made-up extra offices.

    Returns the offices and the extra seed rows (empty when the seed has enough): the network
    grows by ~100 Bapas from 2026, so 200 offices need rows the real seed does not have yet.
    """
    real = [b for b in load_bapas() if not b.is_pos_bapas]
    chosen = [
        SimBapas(b.kode_bapas, b.aktif_dari, b.aktif_sampai, b.griya_abhipraya_sejak)
        for b in real[:count]
    ]
    extra: list[dict[str, str]] = []
    taken = {b.kode_bapas for b in load_bapas()}
    serial = 50
    while len(chosen) < count:
        parent = real[len(extra) % len(real)]
        code = f"{parent.kode_bapas[:4]}{serial:02d}"
        serial = serial + 1 if serial < 99 else 50
        if code in taken:
            continue
        taken.add(code)
        extra.append({"kode_bapas": code, "nama_resmi": f"Bapas Simulasi {code}",
                      "nama_singkat": f"Simulasi {code}", "kelas": "II",
                      "kode_kanwil": parent.kode_kanwil, "aktif_dari": "2000-01-01"})  # fmt: skip
        chosen.append(SimBapas(code, dt.date(2000, 1, 1), None, None))
    return chosen, extra


def project_with_offices(src: Path, dest: Path, extra: list[dict[str, str]]) -> Path:
    """A copy of the dbt project whose ref_bapas seed also lists `extra` (dest/dbt_project)."""
    target = dest / "dbt_project"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(src, target, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    seed = target / "seeds" / "ref_bapas.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    rows += [{f: row.get(f, "") for f in fields} for row in extra]
    with seed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


def _bm(con: duckdb.DuckDBPyConnection, bapas: list[SimBapas], periods: list[str]) -> None:
    """Temp table bm: one row per active Bapas and period, with its submission identity."""
    con.execute(
        "create or replace temp table sim_bapas as select * from (select "
        "unnest(?::varchar[]) as kode, unnest(?::date[]) as aktif_dari, "
        "unnest(?::date[]) as aktif_sampai, unnest(?::date[]) as griya_sejak)",
        [[b.kode for b in bapas], [b.aktif_dari for b in bapas],
         [b.aktif_sampai for b in bapas], [b.griya_sejak for b in bapas]],
    )  # fmt: skip
    con.execute(
        """
        create or replace temp table bm as
        with p as (
            select periode, case when length(periode) = 4 then 'annual_plan' else 'monthly' end
                as kind, cast(case when length(periode) = 4 then periode || '-01-01'
                else periode || '-01' end as date) as pm
            from (select unnest(?::varchar[]) as periode)
        )
        select b.kode, p.periode, p.kind, p.pm,
            year(p.pm) * 12 + month(p.pm) as midx,
            coalesce(b.griya_sejak <= p.pm, false) as griya,
            's' || translate(md5(p.kind || b.kode || p.periode), '0123456789', 'ghijklmnop')[:20]
                as sid,
            md5(b.kode || p.periode) || md5(p.periode || b.kode) as sha,
            case when p.kind = 'monthly' then 'laporan_bulanan_' else 'rencana_tahunan_' end
                || b.kode || '_' || p.periode || '.xlsx' as file_name
        from sim_bapas as b cross join p
        where b.aktif_dari <= p.pm and (b.aktif_sampai is null or b.aktif_sampai >= p.pm)
        """,
        [periods],
    )


def _substitute(sql: str, clients: int) -> str:
    """Constants of the generator inlined (lists and numbers we own, never input data)."""
    turnover = max(1, clients // STAY_MONTHS)
    values = {
        "$programmes": str(PROGRAMMES), "$needs": str(NEEDS), "$funds": str(FUNDS),
        "$activities": str(ACTIVITY_TYPES),
        "$fields": str(FIELDS), "$clients": str(int(clients)), "$loaded_at": "?",
    }  # fmt: skip
    for name, value in values.items():
        sql = sql.replace(name, value)
    return sql.replace("turnover", str(turnover))


def synthesise(
    con: duckdb.DuckDBPyConnection, bapas: list[SimBapas], periods: list[str], clients: int
) -> dict[str, int]:
    """Insert raw rows and ledger rows for `periods` ('YYYY-MM' monthly, 'YYYY' annual plan)."""
    _bm(con, bapas, periods)
    counts: dict[str, int] = {}
    contract = load_contract()
    for kind in contract.report_kinds.values():
        for sheet in kind.sheets:
            table = kind.raw_table(sheet)
            if table not in SOURCES:
                print(f"  note: raw.{table} is not simulated (new contract sheet?)")
                continue
            sheet_name, source, row_number = SOURCES[table]
            exprs = EXPRESSIONS[table] | LINEAGE
            exprs |= {"_sheet": f"'{sheet_name}'", "_row_number": row_number}
            names, values = [], []
            for col in raw_columns(sheet):
                expr = exprs.get(col.name)
                if expr is None:
                    print(f"  note: raw.{table}.{col.name} has no simulated value (NULL)")
                    expr = "null"
                names.append(col.name)
                values.append(f"cast({expr} as {col.sql_type})")
            sql = (
                f"insert into {RAW_SCHEMA}.{table} ({', '.join(names)}) "
                f"select {', '.join(values)} from (select * from {source}) where kind = ?"
            )
            con.execute(_substitute(sql, clients), [LOADED_AT, kind.kind])
            found = con.execute(f"select count(*) from {RAW_SCHEMA}.{table}").fetchone()
            counts[table] = int(found[0]) if found else 0
    _ledger(con, clients)
    return counts


def _ledger(con: duckdb.DuckDBPyConnection, clients: int) -> None:
    """One accepted, current, on-time ledger row per simulated submission."""
    monthly = json.dumps({"GRIYA_ABHIPRAYA": 1, "IDENTITAS": 1, "KEGIATAN": ACTIVITIES,
                          "KLIEN": clients, "PESERTA": ACTIVITIES * PARTICIPANTS,
                          "POKMAS": 3}, sort_keys=True)  # fmt: skip
    annual = json.dumps({"ANGGARAN": 10, "IDENTITAS": 1, "SASARAN": 10}, sort_keys=True)
    values = {
        "submission_id": "sid", "sha256": "sha",
        "original_path": "kode || '/' || periode || '/' || file_name",
        "original_name": "file_name", "archived_path": "'archive/' || sha || '/' || file_name",
        "file_format": "'xlsx'", "report_kind": "kind", "kode_bapas": "kode",
        "periode": "periode",
        "received_at": "case when kind = 'monthly' then pm + interval 1 month + interval 5 day "
        "else pm + interval 20 day end",
        "ingested_at": "case when kind = 'monthly' then pm + interval 1 month + interval 5 day "
        "else pm + interval 20 day end + interval 1 hour",
        "version": "1", "status": "'accepted'", "is_current": "true", "error_code": "null",
        "error_summary": "null",
        "row_counts": "case when kind = 'monthly' then ? else ? end",
        "versi": "1", "path_kode_bapas": "null", "path_periode": "null",
    }  # fmt: skip
    missing = [c for c in SUBMISSION_COLUMNS if c not in values]
    if missing:
        print(f"  note: ledger columns without simulated value: {missing}")
    cols = [c for c in SUBMISSION_COLUMNS if c in values]
    con.execute(
        f"insert into {LEDGER_SCHEMA}.submissions ({', '.join(cols)}) "
        f"select {', '.join(values[c] for c in cols)} from bm",
        [monthly, annual],
    )
