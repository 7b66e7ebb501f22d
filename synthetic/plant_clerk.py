"""Clerk mistakes the rules must name by their cause (docs/clerk-mistakes.md), planted one per file.

Each function changes one clean report the way a clerk's slip would: a category picked wrong,
a cost in thousands, a TOTAL row, last month's workbook sent again. `explains` lists the
knock-on findings the evaluation may attribute to the mistake (see synthetic/evaluate.py).
"""

from __future__ import annotations

import datetime as dt

from synthetic.faults import pick_index
from synthetic.monthly import pokmas_table
from synthetic.plant import Planted, Planter, Target, _month, _rows, _set
from synthetic.population import ANAK, CHILD_ONLY_PROGRAMMES, DEWASA
from synthetic.tables import Report

# Statuses that end supervision for good at this office (PINDAH continues elsewhere).
ENDED = ("SELESAI", "DICABUT", "MENINGGAL")
THOUSANDS_BELOW = 10_000_000  # a cost under Rp 10 juta written in thousands is under Rp 10.000
ADULT_PROGRAMME = "PB"


def _previous(t: Target) -> Report:
    if t.previous is None:
        raise ValueError("no accepted report last month to copy from")
    return t.previous


def child_reported_as_dewasa(report: Report, t: Target) -> Planted:
    """A child (by birth date and NIK) registered in the adult category.

    A child on a child-only programme gets the adult programme PB too, as a clerk who treated
    the file as an adult's would write: the one cause is the category.
    """
    klien = report.tables["KLIEN"].data
    i = pick_index(t.rng, _rows(report, "KLIEN", "kategori", lambda v: v == ANAK))
    klien["kategori"][i] = DEWASA
    if klien["jenis_program"][i] in CHILD_ONLY_PROGRAMMES:
        klien["jenis_program"][i] = ADULT_PROGRAMME
    return Planted("KLIEN", "kategori", (i,), "child under 18 reported as DEWASA")


def start_date_as_birth_date(report: Report, t: Target) -> Planted:
    """tanggal_mulai typed into tanggal_lahir: the client appears to be a few years old."""
    klien = report.tables["KLIEN"].data
    i = pick_index(t.rng, list(range(len(klien["no_register"]))))
    klien["tanggal_lahir"][i] = klien["tanggal_mulai"][i]
    return Planted("KLIEN", "tanggal_lahir", (i,), "tanggal_lahir = tanggal_mulai (age < 12)")


def cost_in_thousands(report: Report, t: Target) -> Planted:
    """One activity's cost written in thousands of rupiah (360 for Rp 360.000)."""
    keg = report.tables["KEGIATAN"].data
    rows = [j for j, c in enumerate(keg["biaya_rp"]) if 0 < c < THOUSANDS_BELOW and c >= 1000]
    i = pick_index(t.rng, rows)
    keg["biaya_rp"][i] = keg["biaya_rp"][i] // 1000
    return Planted(
        "KEGIATAN", "biaya_rp", (i,), "cost in thousands of rupiah", str(keg["biaya_rp"][i]),
        explains=("same_file",),
    )  # fmt: skip


def total_row_in_kegiatan(report: Report, t: Target) -> Planted:
    """A TOTAL row typed under the activities, summing costs and participants."""
    keg = report.tables["KEGIATAN"]
    if not len(keg):
        raise ValueError("no activity to total")
    j = keg.append_row(
        {
            "kode_kegiatan": "TOTAL",
            "biaya_rp": sum(keg.data["biaya_rp"]),
            "jumlah_peserta": sum(keg.data["jumlah_peserta"]),
        }
    )
    return Planted("KEGIATAN", "kode_kegiatan", (j,), "TOTAL row in KEGIATAN", "TOTAL",
                   explains=("same_file",))  # fmt: skip


def total_row_in_klien(report: Report, t: Target) -> Planted:
    """A JUMLAH row typed under the client list, summing the check-in columns."""
    klien = report.tables["KLIEN"]
    j = klien.append_row(
        {
            "no_register": "JUMLAH",
            "wajib_lapor_jadwal": sum(klien.data["wajib_lapor_jadwal"]),
            "wajib_lapor_hadir": sum(klien.data["wajib_lapor_hadir"]),
        }
    )
    return Planted("KLIEN", "no_register", (j,), "JUMLAH row in KLIEN", "JUMLAH",
                   explains=("same_file",))  # fmt: skip


def status_date_before_start(report: Report, t: Target) -> Planted:
    """An end date typed with the wrong year: before the supervision started."""
    klien = report.tables["KLIEN"].data
    i = pick_index(t.rng, _rows(report, "KLIEN", "status_akhir_bulan", lambda v: v in ENDED))
    klien["tanggal_status"][i] = klien["tanggal_mulai"][i] - dt.timedelta(days=365)
    return Planted("KLIEN", "tanggal_status", (i,), "tanggal_status before tanggal_mulai")


def status_not_updated(report: Report, t: Target) -> Planted:
    """The end of supervision recorded (tanggal_status) but the status left AKTIF."""
    i = pick_index(t.rng, _rows(report, "KLIEN", "status_akhir_bulan", lambda v: v in ENDED))
    _set(report, "KLIEN", "status_akhir_bulan", i, "AKTIF")
    return Planted("KLIEN", "status_akhir_bulan", (i,), "ended client left AKTIF",
                   explains=("next_month",))  # fmt: skip


def planned_end_before_start(report: Report, t: Target) -> Planted:
    """tanggal_selesai_rencana with the year typed one too low (before tanggal_mulai)."""
    klien = report.tables["KLIEN"].data
    i = pick_index(t.rng, list(range(len(klien["no_register"]))))
    klien["tanggal_selesai_rencana"][i] = klien["tanggal_mulai"][i] - dt.timedelta(days=365)
    return Planted("KLIEN", "tanggal_selesai_rencana", (i,), "planned end before start")


def pks_dates_swapped(report: Report, t: Target) -> Planted:
    """tanggal_pks and tanggal_berakhir_pks typed into each other's column.

    A group without activities this month is preferred; for a busy group the activity-PKS rules
    leave swapped dates to CONS_PKS_BERAKHIR_SETELAH_MULAI (one cause, one finding).
    """
    pok = report.tables["POKMAS"].data
    busy = set(report.tables["KEGIATAN"].data["kode_pokmas"])
    filled = [j for j, d in enumerate(pok["tanggal_pks"]) if d and pok["tanggal_berakhir_pks"][j]]
    idle = [j for j in filled if pok["kode_pokmas"][j] not in busy]
    i = pick_index(t.rng, idle or filled)
    pok["tanggal_pks"][i], pok["tanggal_berakhir_pks"][i] = (
        pok["tanggal_berakhir_pks"][i],
        pok["tanggal_pks"][i],
    )
    return Planted("POKMAS", "tanggal_berakhir_pks", (i,), "PKS dates swapped")


def same_client_two_registers(report: Report, t: Target) -> Planted:
    """An active client registered a second time under a new register number."""
    klien = report.tables["KLIEN"]
    i = pick_index(t.rng, _rows(report, "KLIEN", "status_akhir_bulan", lambda v: v == "AKTIF"))
    registers = set(klien.data["no_register"])
    new = f"{report.kode_bapas}/{report.period[:4]}/8{int(t.rng.integers(1000, 9999))}"
    while new in registers:
        new += "0"
    j = klien.append_row({**{k: v[i] for k, v in klien.data.items()}, "no_register": new})
    return Planted("KLIEN", "no_register", (i, j), "same NIK under two no_register", new,
                   explains=("next_month",))  # fmt: skip


def copy_of_last_month(report: Report, t: Target) -> Planted:
    """Last month's workbook sent again with only the period (and signing date) changed."""
    month = _month(t)
    previous = _previous(t)
    identity = report.tables["IDENTITAS"].data
    for name, table in previous.tables.items():
        if name != "IDENTITAS":
            report.tables[name] = table.copy()
    for name in [n for n in report.tables if n not in previous.tables]:
        del report.tables[name]
    report.tables["IDENTITAS"].data = identity
    return Planted(
        None, None, (), f"copy of {previous.period} sent as {month.label}",
        explains=("same_file", "next_month", "cross_bapas"),
    )  # fmt: skip


def ended_client_reported_active(report: Report, t: Target) -> Planted:
    """A client who ended supervision last month listed again as AKTIF (old row kept)."""
    previous = _previous(t).tables["KLIEN"].data
    current = set(report.tables["KLIEN"].data["no_register"])
    rows = [
        j
        for j, (s, r) in enumerate(
            zip(previous["status_akhir_bulan"], previous["no_register"], strict=True)
        )
        if s in ENDED and r not in current
    ]
    j = pick_index(t.rng, rows)
    row = {k: v[j] for k, v in previous.items()}
    row.update(status_akhir_bulan="AKTIF", tanggal_status=None)
    i = report.tables["KLIEN"].append_row(row)
    return Planted("KLIEN", "status_akhir_bulan", (i,), "ended client reported AKTIF again",
                   row["no_register"], explains=("next_month",))  # fmt: skip


def pokmas_of_other_bapas(report: Report, t: Target) -> Planted:
    """Another office's partner group (same kode_pokmas and PKS number) added to POKMAS.

    The POKMAS sheet was filled from a neighbouring office's report: the group is registered,
    with its agreement, by that office.
    """
    month = _month(t)
    row = {c: v[0] for c, v in pokmas_table([t.params["group"]], month).data.items()}
    i = report.tables["POKMAS"].append_row(row)
    return Planted("POKMAS", "kode_pokmas", (i,), "Pokmas of another office",
                   t.params["other_bapas"])  # fmt: skip


def duplicate_activity_row(report: Report, t: Target) -> Planted:
    """One KEGIATAN row pasted twice."""
    keg = report.tables["KEGIATAN"]
    i = pick_index(t.rng, list(range(len(keg))))
    j = keg.append_row({k: v[i] for k, v in keg.data.items()})
    return Planted("KEGIATAN", "kode_kegiatan", (i, j), "activity row pasted twice",
                   keg.data["kode_kegiatan"][i], explains=("same_file",))  # fmt: skip


CLERK_PLANTERS: dict[str, Planter] = {
    f.__name__: f
    for f in (
        child_reported_as_dewasa,
        start_date_as_birth_date,
        cost_in_thousands,
        total_row_in_kegiatan,
        total_row_in_klien,
        status_date_before_start,
        status_not_updated,
        planned_end_before_start,
        pks_dates_swapped,
        same_client_two_registers,
        copy_of_last_month,
        ended_client_reported_active,
        duplicate_activity_row,
        pokmas_of_other_bapas,
    )
}
