"""Generate every file of one Bapas (run in a worker process): months in order, then plans."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from core.period import JAKARTA
from synthetic import messy
from synthetic.annual import build_plan
from synthetic.arrivals import arrival, deadline, signed_on
from synthetic.dates import Month
from synthetic.faults import REJECTED, Assignment
from synthetic.jobs import BapasJob, BapasOutcome, make_context
from synthetic.mistakes import mistake_of
from synthetic.monthly import build_month
from synthetic.output import (
    choose_format,
    format_of,
    sender_rows,
    set_received,
    write_rejected,
    write_report,
)
from synthetic.plant import PLANTERS, Planted, Target
from synthetic.plant_clerk import CLERK_PLANTERS
from synthetic.streams import rng_for
from synthetic.style import CLEAN, Style
from synthetic.tables import MONTHLY, Report

logger = logging.getLogger(__name__)


class _Run:
    """State of one Bapas run; methods keep `run_bapas` readable."""

    def __init__(self, job: BapasJob) -> None:
        self.job = job
        self.kode = job.bapas.kode_bapas
        self.ctx = make_context(job)
        self.outcome = BapasOutcome(self.kode)
        self.by_slot = {(a.kind.target, a.period_key): a for a in job.assignments}
        # Last month's report as current in the warehouse (None after a missing/rejected month).
        self.previous: Report | None = None

    def rel(self, path: Path | None) -> str | None:
        return None if path is None else path.relative_to(self.job.out).as_posix()

    def record_file(
        self, path: Path, report: Report, fmt: str, received: dt.datetime, due: dt.date, versi: int
    ) -> None:
        self.outcome.files.append(
            {
                "file": self.rel(path),
                "kind": report.kind,
                "kode_bapas": self.kode,
                "periode": report.period,
                "format": fmt,
                "versi": versi,
                "received_at": received.astimezone(dt.UTC).replace(tzinfo=None).isoformat(),
                "deadline": due.isoformat(),
                "on_time": received.astimezone(JAKARTA).date() <= due,
                "rows": report.row_counts(),
            }
        )
        for sheet, count in report.row_counts().items():
            key = f"{report.kind}.{sheet}"
            self.outcome.rows[key] = self.outcome.rows.get(key, 0) + count

    def record_fault(
        self,
        a: Assignment,
        period: str,
        path: Path | None,
        sheet: str | None,
        column: str | None,
        rows: list[int],
        detail: str,
        value: str | None = None,
        explains: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "family": a.kind.family,
            "fault": a.kind.fault,
            "mistake": mistake_of(a.kind.fault),
            "kode_bapas": self.kode,
            "periode": period,
            "file": self.rel(path),
            "sheet": sheet,
            "column": column,
            "rows": rows,
            "detail": detail,
        }
        if value is not None:
            entry["value"] = value
        if explains:
            entry["explains"] = list(explains)
        self.outcome.faults.append(entry)
        return entry

    def month(self, month: Month) -> None:
        previous, self.previous = self.previous, None
        self.write_month(month, previous)

    def write_month(self, month: Month, previous: Report | None) -> None:
        job, kode = self.job, self.kode
        a = self.by_slot.get((MONTHLY, month.index))
        fault = a.kind.fault if a else None
        rng = rng_for(job.seed, kode, "arrival", month.index)
        earliest = month.end + dt.timedelta(days=1)
        received = arrival(rng, MONTHLY, month.start, earliest, late=fault == "late_arrival")
        signed = signed_on(rng, received, earliest)
        report = build_month(self.ctx, month, signed)  # always built: Griya state moves on
        due = deadline(MONTHLY, month.start)
        fmt = choose_format(rng_for(job.seed, kode, "format", month.index))
        style = CLEAN
        if rng_for(job.seed, kode, "messy", month.index).random() < job.messy_share:
            style = messy.choose_style(
                rng_for(job.seed, kode, "style", month.index), fmt, MONTHLY, kode
            )
        stem = job.out / kode / month.label / f"laporan_bulanan_{kode}_{month.label}"
        created = dt.datetime.combine(signed, dt.time(9, 0))
        if a is None or fault == "late_arrival":
            path, _ = write_report(report, stem, fmt, style, created)
            self.finish(path, report, fmt, style, received, due)
            self.previous = report
            if a is not None:
                self.record_fault(
                    a,
                    month.label,
                    path,
                    None,
                    None,
                    [],
                    f"received {received.date().isoformat()} after deadline {due.isoformat()}",
                )
            return
        if fault == "file_missing":
            self.record_fault(a, month.label, None, None, None, [], "no report received")
            return
        if a.kind.family == REJECTED:
            self.rejected(a, month, report, stem, fmt, style, received, due, created)
            return
        clean = report.copy() if a.resubmit else None
        plant_rng = rng_for(job.seed, kode, "plant", month.index)
        target = Target(self.ctx, month, plant_rng, a.params, previous)
        planted = _try_plant(a, report, target)
        self.previous = clean if clean is not None else report
        if planted is None:
            path, _ = write_report(report, stem, fmt, style, created)
            self.finish(path, report, fmt, style, received, due)
            return
        path, headers = write_report(report, stem, fmt, style, created)
        self.finish(path, report, fmt, style, received, due)
        entry = self.record_fault(
            a,
            month.label,
            path,
            planted.sheet,
            planted.column,
            sender_rows(headers, planted.sheet, planted.indices),
            planted.detail,
            planted.value,
            planted.explains,
        )
        if clean is not None:
            self.resubmit(a, entry, clean, stem, fmt, received, due)

    def resubmit(
        self,
        a: Assignment,
        entry: dict[str, Any],
        clean: Report,
        stem: Path,
        fmt: str,
        received: dt.datetime,
        due: dt.date,
    ) -> None:
        later = received + dt.timedelta(days=int(2 + a.period_key % 4), hours=3)
        clean.tables["IDENTITAS"].data["versi"][0] = 2
        clean.tables["IDENTITAS"].data["tanggal_laporan"][0] = later.date()
        v2 = stem.with_name(stem.name + "_v2")
        path, _ = write_report(clean, v2, fmt, CLEAN, dt.datetime.combine(later.date(), dt.time(9)))
        self.finish(path, clean, fmt, CLEAN, later, due, versi=2)
        entry["fixed_by"] = self.rel(path)
        self.outcome.resubmissions.append(
            {
                "kode_bapas": self.kode,
                "periode": clean.period,
                "file": self.rel(path),
                "replaces": entry["file"],
                "versi": 2,
                "fixes": [a.kind.fault],
            }
        )

    def rejected(
        self,
        a: Assignment,
        month: Month,
        report: Report,
        stem: Path,
        fmt: str,
        style: Style,
        received: dt.datetime,
        due: dt.date,
        created: dt.datetime,
    ) -> None:
        rng = rng_for(self.job.seed, self.kode, "junk", month.index)
        path, sheet, column, rows = write_rejected(
            a.kind.fault, report, stem, fmt, style, created, rng
        )
        set_received(path, received)
        self.outcome.files.append(
            {
                "file": self.rel(path),
                "kind": MONTHLY,
                "kode_bapas": self.kode,
                "periode": month.label,
                "format": format_of(path),
                "versi": 1,
                "received_at": received.astimezone(dt.UTC).replace(tzinfo=None).isoformat(),
                "deadline": due.isoformat(),
                "on_time": True,
                "rows": {},
                "rejected": a.kind.fault,
            }
        )
        self.record_fault(
            a, month.label, path, sheet, column, rows, f"file must be refused: {a.kind.fault}"
        )

    def finish(
        self,
        path: Path,
        report: Report,
        fmt: str,
        style: Style,
        received: dt.datetime,
        due: dt.date,
        versi: int = 1,
    ) -> None:
        set_received(path, received)
        self.record_file(path, report, fmt, received, due, versi)
        if style.variations:
            self.outcome.messy.append(
                {"file": self.rel(path), "variations": list(style.variations)}
            )

    def plan(self, year: int) -> None:
        job, kode = self.job, self.kode
        a = self.by_slot.get(("annual_plan", year))
        period_start = dt.date(year, 1, 1)
        rng = rng_for(job.seed, kode, "plan_arrival", year)
        received = arrival(rng, "annual_plan", period_start, dt.date(year, 1, 2))
        due = deadline("annual_plan", period_start)
        if a is not None and a.kind.fault == "plan_missing":
            self.record_fault(a, str(year), None, None, None, [], "no annual plan received")
            return
        report = build_plan(
            job.seed,
            kode,
            year,
            job.population.caseload,
            signed_on(rng, received, period_start),
            self.ctx.petugas,
        )
        planted = None
        if a is not None:
            target = Target(self.ctx, None, rng_for(job.seed, kode, "plant_plan", year), a.params)
            planted = _try_plant(a, report, target)
        stem = job.out / kode / str(year) / f"rencana_tahunan_{kode}_{year}"
        created = dt.datetime.combine(received.date(), dt.time(9, 0))
        path, headers = write_report(report, stem, "xlsx", CLEAN, created)
        self.finish(path, report, "xlsx", CLEAN, received, due)
        if a is not None and planted is not None:
            self.record_fault(
                a,
                str(year),
                path,
                planted.sheet,
                planted.column,
                sender_rows(headers, planted.sheet, planted.indices),
                planted.detail,
                planted.value,
            )


def _try_plant(a: Assignment, report: Report, target: Target) -> Planted | None:
    """Plant a fault; None (and a warning) when no row fits, e.g. in a tiny office."""
    try:
        return (PLANTERS | CLERK_PLANTERS)[a.kind.fault](report, target)
    except ValueError as exc:
        logger.warning(
            "%s not planted at %s %s: %s", a.kind.fault, a.kode_bapas, report.period, exc
        )
        return None


def run_bapas(job: BapasJob) -> BapasOutcome:
    """Write all monthly reports and annual plans of one Bapas."""
    run = _Run(job)
    for year in job.years:
        run.plan(year)
    active = set(job.active_months)
    for month in job.months:
        if month.index in active:
            run.month(month)
    return run.outcome
