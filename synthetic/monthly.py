"""Assemble the clean monthly report (all contract sheets) of one Bapas-month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from core.reference import Bapas
from synthetic.activities import MonthClients, build_activities
from synthetic.dates import Month
from synthetic.griya import GriyaState, griya_month
from synthetic.pokmas import PokmasGroup
from synthetic.population import ANAK, DEWASA, Population
from synthetic.streams import rng_for
from synthetic.tables import MONTHLY, Report, Table

REVOKED = "DICABUT"


@dataclass
class BapasContext:
    """Everything generated once per Bapas and reused by each of its months."""

    bapas: Bapas
    months: list[Month]
    seed: int
    population: Population
    groups: list[PokmasGroup]
    reach: float
    cost_level: float
    petugas: str
    griya: GriyaState
    extras: dict[str, object] = field(default_factory=dict)


def klien_table(ctx: BapasContext, month: Month) -> Table:
    """KLIEN: everyone supervised at any time in the month, in register order."""
    pop = ctx.population
    rng = rng_for(ctx.seed, ctx.bapas.kode_bapas, "klien", month.index)
    idx = ctx.population.members(month.index)
    n = len(idx)
    jadwal = rng.choice([1, 2, 4], n, p=[0.3, 0.5, 0.2])
    jadwal = np.where(pop.anak[idx], 4, jadwal)
    hadir = rng.binomial(jadwal, 0.9)
    offence = rng.random(n)
    status = [pop.status(int(i), month.index) for i in idx]
    return Table.build(
        MONTHLY,
        "KLIEN",
        {
            "no_register": [pop.no_register[i] for i in idx],
            "nik": [pop.nik[i] for i in idx],
            "nama": [pop.nama[i] for i in idx],
            "jenis_kelamin": ["P" if pop.female[i] else "L" for i in idx],
            "tanggal_lahir": [pop.birth[i] for i in idx],
            "kategori": [ANAK if pop.anak[i] else DEWASA for i in idx],
            "jenis_program": [pop.program[i] for i in idx],
            "tanggal_mulai": [pop.start_date[i] for i in idx],
            "tanggal_selesai_rencana": [pop.planned_end[i] for i in idx],
            "status_akhir_bulan": status,
            "tanggal_status": [
                pop.end_date[i] if s != "AKTIF" else None for i, s in zip(idx, status, strict=True)
            ],
            "kebutuhan": [pop.kebutuhan[i] for i in idx],
            "wajib_lapor_jadwal": [int(v) for v in jadwal],
            "wajib_lapor_hadir": [int(v) for v in hadir],
            # Revocations often follow a new offence; otherwise new offences are rare.
            "tindak_pidana_baru": [
                "Y" if o < (0.5 if s == REVOKED else 0.002) else "N"
                for o, s in zip(offence, status, strict=True)
            ],
        },
    )


def pokmas_table(groups: list[PokmasGroup], month: Month) -> Table:
    """POKMAS: every group at month end with its agreement and status."""
    return Table.build(
        MONTHLY,
        "POKMAS",
        {
            "kode_pokmas": [g.kode_pokmas for g in groups],
            "nama": [g.nama for g in groups],
            "bidang": [g.bidang for g in groups],
            "bentuk": [g.bentuk for g in groups],
            "no_pks": [g.no_pks for g in groups],
            "tanggal_pks": [g.tanggal_pks for g in groups],
            "tanggal_berakhir_pks": [g.tanggal_berakhir_pks for g in groups],
            "jumlah_mitra": [g.jumlah_mitra for g in groups],
            "kabupaten_kota": [g.kabupaten_kota for g in groups],
            "status": [g.status(month) for g in groups],
        },
    )


def identitas_table(
    kode_bapas: str, period: str, signed: dt.date, petugas: str, versi: int = 1
) -> Table:
    """IDENTITAS: the one identity row of a monthly report."""
    return Table.build(
        MONTHLY,
        "IDENTITAS",
        {
            "kode_bapas": [kode_bapas],
            "periode": [period],
            "tanggal_laporan": [signed],
            "petugas": [petugas],
            "versi": [versi],
        },
    )


def build_month(ctx: BapasContext, month: Month, signed: dt.date) -> Report:
    """The clean report of one month (griya state advances, so call months in order)."""
    kode = ctx.bapas.kode_bapas
    klien = klien_table(ctx, month)
    clients = MonthClients(
        no_register=klien.data["no_register"],
        needs=[k.split(";") if k else [] for k in klien.data["kebutuhan"]],
    )
    runs_griya = ctx.bapas.runs_griya(month.end)
    rng = rng_for(ctx.seed, kode, "activities", month.index)
    reach = float(np.clip(ctx.reach + rng.normal(0, 0.02), 0.08, 0.4))
    kegiatan, peserta = build_activities(
        rng, kode, month, clients, ctx.groups, reach, ctx.cost_level, runs_griya
    )
    tables = {
        "IDENTITAS": identitas_table(kode, month.label, signed, ctx.petugas),
        "KLIEN": klien,
        "POKMAS": pokmas_table(ctx.groups, month),
        "KEGIATAN": kegiatan,
        "PESERTA": peserta,
    }
    if runs_griya:
        opened_before = ctx.bapas.griya_abhipraya_sejak is not None and (
            ctx.bapas.griya_abhipraya_sejak < month.start
        )
        tables["GRIYA_ABHIPRAYA"] = griya_month(
            rng_for(ctx.seed, kode, "griya", month.index), ctx.griya, opened_before
        )
    return Report(MONTHLY, kode, month.label, tables)
