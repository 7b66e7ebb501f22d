"""Row-level fault planting: one specific fault changes one clean report in a known place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthetic.activities import SELF_FUNDED
from synthetic.dates import Month
from synthetic.faults import pick_index
from synthetic.monthly import BapasContext
from synthetic.population import ANAK, CHILD_ONLY_PROGRAMMES, DEWASA
from synthetic.tables import Report


@dataclass(frozen=True)
class Planted:
    """Where a planted fault sits: sheet, column and data-row indexes (0 = first data row)."""

    sheet: str | None
    column: str | None
    indices: tuple[int, ...]
    detail: str
    value: str | None = None
    # Findings the evaluation may attribute to this fault besides its own family's: "same_file"
    # (knock-on findings in the same report), "next_month" (carry-over and continuity findings
    # of the same office one month later), "cross_bapas" (another office's findings that name
    # this office in the same month). See synthetic/evaluate.py.
    explains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """What a planting function may use besides the report."""

    ctx: BapasContext
    month: Month | None
    rng: np.random.Generator
    params: dict[str, Any]
    # Last month's report as it is current in the warehouse (None in the first month or when
    # last month's file was missing or rejected): copy-style mistakes start from it.
    previous: Report | None = None


Planter = Callable[[Report, Target], Planted]


def _month(t: Target) -> Month:
    if t.month is None:
        raise ValueError("this fault needs a monthly report")
    return t.month


def _rows(report: Report, sheet: str, column: str, pred: Callable[[Any], bool]) -> list[int]:
    return [i for i, v in enumerate(report.tables[sheet].data[column]) if pred(v)]


def _set(report: Report, sheet: str, column: str, index: int, value: Any) -> None:
    report.tables[sheet].data[column][index] = value


def bad_code(report: Report, t: Target) -> Planted:
    """A programme code that is not in the list."""
    i = pick_index(t.rng, list(range(len(report.tables["KLIEN"]))))
    _set(report, "KLIEN", "jenis_program", i, "PROGRAM_KHUSUS")
    return Planted("KLIEN", "jenis_program", (i,), "jenis_program not in the code list")


def out_of_range(report: Report, t: Target) -> Planted:
    """Scheduled check-ins above the contract maximum of 31."""
    i = pick_index(t.rng, list(range(len(report.tables["KLIEN"]))))
    _set(report, "KLIEN", "wajib_lapor_jadwal", i, 45)
    return Planted("KLIEN", "wajib_lapor_jadwal", (i,), "wajib_lapor_jadwal = 45 > max 31")


def activity_date_outside_month(report: Report, t: Target) -> Planted:
    """An activity dated in the previous month."""
    month = _month(t)
    i = pick_index(t.rng, list(range(len(report.tables["KEGIATAN"]))))
    day = month.start - dt.timedelta(days=int(t.rng.integers(1, 20)))
    _set(report, "KEGIATAN", "tanggal", i, day)
    return Planted("KEGIATAN", "tanggal", (i,), f"activity dated {day.isoformat()}")


def nik_bad_length(report: Report, t: Target) -> Planted:
    """A 15-digit NIK."""
    i = pick_index(t.rng, list(range(len(report.tables["KLIEN"]))))
    _set(report, "KLIEN", "nik", i, report.tables["KLIEN"].data["nik"][i][:15])
    return Planted("KLIEN", "nik", (i,), "NIK has 15 digits")


def nik_bad_date(report: Report, t: Target) -> Planted:
    """A NIK whose birth-month digits say 13."""
    i = pick_index(t.rng, list(range(len(report.tables["KLIEN"]))))
    nik = report.tables["KLIEN"].data["nik"][i]
    _set(report, "KLIEN", "nik", i, nik[:8] + "13" + nik[10:])
    return Planted("KLIEN", "nik", (i,), "NIK birth month 13")


def participant_not_registered(report: Report, t: Target) -> Planted:
    """A participant whose register number is not in KLIEN."""
    i = pick_index(t.rng, list(range(len(report.tables["PESERTA"]))))
    registered = set(report.tables["KLIEN"].data["no_register"])
    fake = f"{report.kode_bapas}/{report.period[:4]}/9{int(t.rng.integers(1000, 9999))}"
    while fake in registered:
        fake += "0"
    _set(report, "PESERTA", "no_register", i, fake)
    return Planted("PESERTA", "no_register", (i,), "participant not in KLIEN", fake)


def activity_unregistered_pokmas(report: Report, t: Target) -> Planted:
    """An activity by a group that is not in POKMAS."""
    i = pick_index(t.rng, list(range(len(report.tables["KEGIATAN"]))))
    code = f"{report.kode_bapas}-PK99"
    _set(report, "KEGIATAN", "kode_pokmas", i, code)
    return Planted("KEGIATAN", "kode_pokmas", (i,), "organiser not in POKMAS", code)


def activity_expired_pks(report: Report, t: Target) -> Planted:
    """The organiser's PKS ends the day before its last activity of the month."""
    keg = report.tables["KEGIATAN"]
    i = pick_index(t.rng, list(range(len(keg))))
    code = keg.data["kode_pokmas"][i]
    last = max(
        d for d, p in zip(keg.data["tanggal"], keg.data["kode_pokmas"], strict=True) if p == code
    )
    ends = last - dt.timedelta(days=1)
    pok = report.tables["POKMAS"]
    p = pok.data["kode_pokmas"].index(code)
    pok.data["tanggal_berakhir_pks"][p] = ends
    pok.data["tanggal_pks"][p] = min(pok.data["tanggal_pks"][p], ends - dt.timedelta(days=365))
    rows = tuple(
        j
        for j, (d, c) in enumerate(zip(keg.data["tanggal"], keg.data["kode_pokmas"], strict=True))
        if c == code and d > ends
    )
    return Planted("KEGIATAN", "kode_pokmas", rows, f"PKS of {code} ended {ends.isoformat()}", code)


def jumlah_peserta_mismatch(report: Report, t: Target) -> Planted:
    """jumlah_peserta two more than the PESERTA rows."""
    i = pick_index(t.rng, list(range(len(report.tables["KEGIATAN"]))))
    report.tables["KEGIATAN"].data["jumlah_peserta"][i] += 2
    return Planted("KEGIATAN", "jumlah_peserta", (i,), "jumlah_peserta != PESERTA rows")


def selesai_without_hadir(report: Report, t: Target) -> Planted:
    """Completed without attending."""
    rows = _rows(report, "PESERTA", "selesai", lambda v: v == "Y") or list(
        range(len(report.tables["PESERTA"]))
    )
    i = pick_index(t.rng, rows)
    _set(report, "PESERTA", "hadir", i, "N")
    _set(report, "PESERTA", "selesai", i, "Y")
    return Planted("PESERTA", "selesai", (i,), "selesai=Y with hadir=N")


def anak_aged_18_plus(report: Report, t: Target) -> Planted:
    """An adult (18+) reported as ANAK."""
    i = pick_index(t.rng, _rows(report, "KLIEN", "kategori", lambda v: v == DEWASA))
    _set(report, "KLIEN", "kategori", i, ANAK)
    return Planted("KLIEN", "kategori", (i,), "ANAK aged 18 or more")


def diversi_for_dewasa(report: Report, t: Target) -> Planted:
    """Diversion (children only) for an adult."""
    i = pick_index(t.rng, _rows(report, "KLIEN", "kategori", lambda v: v == DEWASA))
    _set(report, "KLIEN", "jenis_program", i, CHILD_ONLY_PROGRAMMES[0])
    return Planted("KLIEN", "jenis_program", (i,), f"{CHILD_ONLY_PROGRAMMES[0]} for DEWASA")


def griya_flows_mismatch(report: Report, t: Target) -> Planted:
    """Residents at month end do not equal start + in - out."""
    report.tables["GRIYA_ABHIPRAYA"].data["penghuni_akhir"][0] += 3
    return Planted("GRIYA_ABHIPRAYA", "penghuni_akhir", (0,), "awal + masuk - keluar != akhir")


def nik_sex_mismatch(report: Report, t: Target) -> Planted:
    """jenis_kelamin disagrees with the NIK day field."""
    i = pick_index(t.rng, list(range(len(report.tables["KLIEN"]))))
    sex = report.tables["KLIEN"].data["jenis_kelamin"][i]
    _set(report, "KLIEN", "jenis_kelamin", i, "P" if sex == "L" else "L")
    return Planted("KLIEN", "jenis_kelamin", (i,), "jenis_kelamin disagrees with NIK")


def nik_birthdate_mismatch(report: Report, t: Target) -> Planted:
    """tanggal_lahir disagrees with the NIK DDMMYY block (an adult, 400 days older)."""
    i = pick_index(t.rng, _rows(report, "KLIEN", "kategori", lambda v: v == DEWASA))
    born = report.tables["KLIEN"].data["tanggal_lahir"][i] - dt.timedelta(days=400)
    _set(report, "KLIEN", "tanggal_lahir", i, born)
    return Planted("KLIEN", "tanggal_lahir", (i,), "tanggal_lahir disagrees with NIK")


def tanggal_status_missing(report: Report, t: Target) -> Planted:
    """An end status without its date."""
    i = pick_index(t.rng, _rows(report, "KLIEN", "status_akhir_bulan", lambda v: v != "AKTIF"))
    _set(report, "KLIEN", "tanggal_status", i, None)
    return Planted("KLIEN", "tanggal_status", (i,), "tanggal_status empty for non-AKTIF status")


def wajib_lapor_hadir_gt_jadwal(report: Report, t: Target) -> Planted:
    """More check-ins attended than scheduled."""
    i = pick_index(t.rng, list(range(len(report.tables["KLIEN"]))))
    klien = report.tables["KLIEN"].data
    klien["wajib_lapor_hadir"][i] = klien["wajib_lapor_jadwal"][i] + 1
    return Planted("KLIEN", "wajib_lapor_hadir", (i,), "wajib_lapor_hadir > wajib_lapor_jadwal")


def client_missing_without_end_status(report: Report, t: Target) -> Planted:
    """A client active last month silently left out (not a participant, so nothing else breaks)."""
    month = _month(t)
    pop = t.ctx.population
    members = pop.members(month.index)
    participants = set(report.tables["PESERTA"].data["no_register"])
    rows = [
        j
        for j, p in enumerate(members)
        if pop.first_month[p] < month.index and pop.no_register[p] not in participants
    ]
    i = pick_index(t.rng, rows)
    register = report.tables["KLIEN"].data["no_register"][i]
    report.tables["KLIEN"].delete_row(i)
    return Planted("KLIEN", "no_register", (), "client active last month is missing", register)


def cost_x5(report: Report, t: Target) -> Planted:
    """Every activity cost five times the usual (one Bapas-month outlier)."""
    costs = report.tables["KEGIATAN"].data["biaya_rp"]
    report.tables["KEGIATAN"].data["biaya_rp"] = [c * 5 for c in costs]
    return Planted("KEGIATAN", "biaya_rp", tuple(range(len(costs))), "activity costs x5")


def activity_cost_x1000(report: Report, t: Target) -> Planted:
    """One activity's cost typed with three zeros too many (extreme against its peers nationally).

    The activity with the highest cost per participant of a non-self-funded kind is chosen, so
    the planted value stands far above every activity of its type, whatever the office's level.
    """
    keg = report.tables["KEGIATAN"].data
    rows = _rows(report, "KEGIATAN", "sumber_dana", lambda v: v != SELF_FUNDED) or list(
        range(len(keg["biaya_rp"]))
    )
    if not rows:
        raise ValueError("no activity this month")
    i = max(rows, key=lambda j: (keg["biaya_rp"][j] / max(keg["jumlah_peserta"][j], 1), -j))
    keg["biaya_rp"][i] *= 1000
    return Planted("KEGIATAN", "biaya_rp", (i,), "activity cost x1000", str(keg["biaya_rp"][i]))


def same_nik_two_bapas(report: Report, t: Target) -> Planted:
    """A client carrying the identity of an active client of another Bapas."""
    klien = report.tables["KLIEN"].data
    i = klien["no_register"].index(t.params["no_register"])
    klien["nik"][i] = t.params["nik"]
    klien["nama"][i] = t.params["nama"]
    klien["jenis_kelamin"][i] = "P" if t.params["female"] else "L"
    klien["tanggal_lahir"][i] = t.params["birth"]
    other = f"{t.params['other_bapas']} ({t.params['other_no_register']})"
    return Planted("KLIEN", "nik", (i,), f"same NIK active at {other}", t.params["other_bapas"])


def duplicate_no_register(report: Report, t: Target) -> Planted:
    """One KLIEN row repeated at the end of the sheet."""
    klien = report.tables["KLIEN"]
    i = pick_index(t.rng, list(range(len(klien))))
    j = klien.append_row({k: v[i] for k, v in klien.data.items()})
    return Planted(
        "KLIEN", "no_register", (i, j), "no_register twice", klien.data["no_register"][i]
    )


def target_above_3x_caseload(report: Report, t: Target) -> Planted:
    """A need target four times the whole caseload."""
    i = pick_index(t.rng, list(range(len(report.tables["SASARAN"]))))
    _set(report, "SASARAN", "target_klien", i, 4 * t.ctx.population.caseload)
    return Planted("SASARAN", "target_klien", (i,), "target_klien above 3x the caseload")


def budget_all_zero(report: Report, t: Target) -> Planted:
    """Every planned budget zero."""
    budget = report.tables["ANGGARAN"].data
    budget["anggaran_rp"] = [0] * len(budget["anggaran_rp"])
    return Planted(
        "ANGGARAN", "anggaran_rp", tuple(range(len(budget["anggaran_rp"]))), "all budgets 0"
    )


PLANTERS: dict[str, Planter] = {
    f.__name__: f
    for f in (
        bad_code,
        out_of_range,
        activity_date_outside_month,
        nik_bad_length,
        nik_bad_date,
        participant_not_registered,
        activity_unregistered_pokmas,
        activity_expired_pks,
        jumlah_peserta_mismatch,
        selesai_without_hadir,
        anak_aged_18_plus,
        diversi_for_dewasa,
        griya_flows_mismatch,
        nik_sex_mismatch,
        nik_birthdate_mismatch,
        tanggal_status_missing,
        wajib_lapor_hadir_gt_jadwal,
        client_missing_without_end_status,
        cost_x5,
        activity_cost_x1000,
        same_nik_two_bapas,
        duplicate_no_register,
        target_above_3x_caseload,
        budget_all_zero,
    )
}
