"""The expected-reports register (quality.submission_status) and its findings.

Expected = every Bapas active in the period (ref_bapas history) x every report type of the
calendar (ref_report_calendar), periods up to the as-of date. DHIS2 definitions (DESIGN.md §6).
The register is the one place that decides whether a report counts as expected, reported and
on time (`counts_as_*`); the mart, `lipas check` and the digest only count those columns
(docs: dbt_project/models/marts/indicators/_indicators__docs.md, `ind_reporting_rate`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from core.interface_tables import QUALITY_SUBMISSION_STATUS
from core.period import jakarta_date, period_bounds, shift_month
from core.reference import Bapas, ReportCalendar, active_bapas, load_calendar
from quality.catalogue import rule
from quality.config import QualityConfig
from quality.indicators import indicator_flags
from quality.model import FindingDraft, SampleRow
from quality.scope import CheckScope

ACCEPTED_STATUSES = ("accepted", "superseded")


@dataclass(frozen=True)
class StatusRow:
    """One row of quality.submission_status (same column order)."""

    kode_bapas: str
    kode_kanwil: str
    report_kind: str
    period: str
    deadline: dt.date
    received: bool
    first_received_at: dt.datetime | None
    accepted: bool
    on_time: bool
    status: str
    days_overdue: int
    possibly_inactive: bool
    current_submission_id: str | None
    as_of_date: dt.date
    # The indicator decisions, written once here and only counted downstream (issue 13).
    counts_as_expected: bool
    counts_as_reported: bool
    counts_as_on_time: bool


@dataclass(frozen=True)
class _Arrivals:
    first_received_at: dt.datetime
    first_accepted_at: dt.datetime | None
    current_submission_id: str | None


def _periods(calendar: ReportCalendar, scope: CheckScope) -> tuple[str, ...]:
    return scope.years if calendar.periodicity == "year" else scope.months


def _arrivals(
    con: duckdb.DuckDBPyConnection, as_of: dt.date
) -> dict[tuple[str, str, str], _Arrivals]:
    # Files received after the as-of date did not exist yet from that date's point of view.
    rows = con.execute(
        "select kode_bapas, report_kind, periode, min(received_at),"
        " min(received_at) filter (where status in ('accepted', 'superseded')),"
        " max(submission_id) filter (where is_current)"
        " from q_ledger_submissions"
        " where kode_bapas is not null and periode is not null and report_kind is not null"
        " and cast(received_at + interval 7 hour as date) <= ?"
        # A held file names two identities and is in force for neither; a reprocessed row is
        # followed by its re-run (same received_at), which counts instead.
        " and status not in ('held', 'reprocessed')"
        " group by all",
        [as_of],
    ).fetchall()
    return {(b, k, p): _Arrivals(first, acc, cur) for b, k, p, first, acc, cur in rows}


def _ever_accepted(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    """(Bapas, report type, period) with an accepted version at any time, whatever the as-of.

    "Possibly inactive" is a judgement about the office, not about the as-of date: an office
    whose report for the period (or a later one) was accepted, even after the as-of date, is
    demonstrably active, so it is never told otherwise.
    """
    rows = con.execute(
        "select distinct kode_bapas, report_kind, periode from q_ledger_submissions"
        " where status in ('accepted', 'superseded') and kode_bapas is not null"
        " and periode is not null and report_kind is not null"
    ).fetchall()
    return {(b, k, p) for b, k, p in rows}


def _accepted_since(accepted: set[tuple[str, str, str]], key: tuple[str, str, str]) -> bool:
    """True when the office had a report of this type accepted for this or a later period."""
    kode_bapas, report_type, period = key
    return any(b == kode_bapas and k == report_type and p >= period for b, k, p in accepted)


def owed_deadline(calendar: ReportCalendar, bapas: Bapas, start: dt.date) -> dt.date:
    """The due date of a period for one office: the calendar's, or later for a new office.

    An office that opens inside a yearly period (Batam, 2024-07-01) cannot have sent the plan
    by 31 January: it owes it with the same lead time the calendar gives everyone, counted from
    its opening day (2024-07-01 + 30 days = 2024-07-31). Monthly periods keep the calendar's
    deadline: the lead time after month end already covers a mid-month opening.
    """
    deadline = calendar.deadline(start)
    if calendar.periodicity != "year" or bapas.aktif_dari <= start:
        return deadline
    return max(deadline, bapas.aktif_dari + (deadline - start))


def _previous(calendar: ReportCalendar, period: str) -> str:
    return str(int(period) - 1) if calendar.periodicity == "year" else shift_month(period, -1)


def _silent_run(
    calendar: ReportCalendar,
    kode_bapas: str,
    period: str,
    arrivals: dict[tuple[str, str, str], _Arrivals],
    as_of: dt.date,
    limit: int,
    accepted: set[tuple[str, str, str]] | None = None,
) -> int:
    """Consecutive overdue periods without any file, ending at `periode` (capped at `limit`).

    A period with an accepted report (whenever it arrived) ends the run: see _ever_accepted.
    """
    count, current = 0, period
    while count < limit:
        start, end = period_bounds(current)
        if calendar.deadline(start) >= as_of:
            return count
        if not any(b.kode_bapas == kode_bapas for b in active_bapas(start, end)):
            return count
        key = (kode_bapas, calendar.report_type, current)
        if key in arrivals or key in (accepted or set()):
            return count
        count += 1
        current = _previous(calendar, current)
    return count


def build_register(
    con: duckdb.DuckDBPyConnection, scope: CheckScope, config: QualityConfig
) -> list[StatusRow]:
    """Every owed (Bapas, report type, period) with its status as of scope.as_of."""
    arrivals = _arrivals(con, scope.as_of)
    accepted_ever = _ever_accepted(con)
    rows: list[StatusRow] = []
    for calendar in load_calendar().values():
        for period in _periods(calendar, scope):
            start, end = period_bounds(period)
            if start > scope.as_of:
                continue
            for bapas in active_bapas(start, end):
                if not scope.includes(bapas.kode_bapas):
                    continue
                deadline = owed_deadline(calendar, bapas, start)
                key = (bapas.kode_bapas, calendar.report_type, period)
                got = arrivals.get(key)
                accepted = got is not None and got.first_accepted_at is not None
                on_time = bool(
                    got
                    and got.first_accepted_at
                    and jakarta_date(got.first_accepted_at) <= deadline
                )
                if accepted and got and got.first_accepted_at:
                    status = "on_time" if on_time else "late"
                    overdue = max(0, (jakarta_date(got.first_accepted_at) - deadline).days)
                else:
                    past_due = deadline < scope.as_of
                    status = "rejected" if got else ("missing" if past_due else "not_yet_due")
                    overdue = max(0, (scope.as_of - deadline).days)
                silent = 0
                # Silence is judged on the frequent reports; six silent years would be moot.
                if status == "missing" and calendar.periodicity != "year":
                    silent = _silent_run(
                        calendar, bapas.kode_bapas, period, arrivals, scope.as_of,
                        config.inactive_after, accepted_ever,
                    )  # fmt: skip
                expected, reported, counted_on_time = indicator_flags(status, accepted, on_time)
                rows.append(
                    StatusRow(
                        kode_bapas=bapas.kode_bapas,
                        kode_kanwil=bapas.kode_kanwil,
                        report_kind=calendar.report_type,
                        period=period,
                        deadline=deadline,
                        received=got is not None,
                        first_received_at=got.first_received_at if got else None,
                        accepted=accepted,
                        on_time=on_time,
                        status=status,
                        days_overdue=overdue,
                        possibly_inactive=silent >= max(config.inactive_after, 1)
                        and not _accepted_since(accepted_ever, key),
                        current_submission_id=got.current_submission_id if got else None,
                        as_of_date=scope.as_of,
                        counts_as_expected=expected,
                        counts_as_reported=reported,
                        counts_as_on_time=counted_on_time,
                    )
                )
    return rows


def register_findings(rows: list[StatusRow]) -> list[FindingDraft]:
    """Missing (or possibly inactive), late, and missing annual plans."""
    titles = {k: c.nama_laporan for k, c in load_calendar().items()}
    drafts = []
    for r in rows:
        params: dict[str, object] = {
            "report_kind": r.report_kind,
            "report_title": titles.get(r.report_kind, r.report_kind),
            "deadline": r.deadline.isoformat(),
            "days_overdue": r.days_overdue,
        }
        overdue = r.status == "rejected" and r.days_overdue > 0
        if r.status == "missing" or overdue:
            if r.report_kind == "annual_plan":
                rule_id = "PLAN_MISSING"
            elif r.possibly_inactive:
                rule_id = "COMP_POSSIBLY_INACTIVE"
            else:
                rule_id = "COMP_MISSING"
            params["silent"] = "6+" if r.possibly_inactive else ""
        elif r.status == "late":
            rule_id = "TIME_LATE"
        else:
            continue
        drafts.append(
            FindingDraft(
                rule=rule(rule_id),
                kode_bapas=r.kode_bapas,
                period=r.period,
                subject=r.report_kind,
                report_kind=r.report_kind,
                submission_id=r.current_submission_id,
                params=params,
            )
        )
    return drafts


def rejected_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """One finding per rejected file that no accepted file for the same report has replaced."""
    rows = con.execute(
        "select r.submission_id, r.kode_bapas, r.periode, r.report_kind, r.original_name,"
        " r.error_code, r.error_summary"
        " from q_ledger_submissions r"
        " where r.status = 'rejected'"
        " and cast(r.received_at + interval 7 hour as date) <= ?"
        " and (r.periode is null or r.periode in (select periode from q_scope))"
        " and not exists (select 1 from q_ledger_submissions a"
        "   where a.status in ('accepted', 'superseded') and a.kode_bapas = r.kode_bapas"
        "   and a.periode = r.periode and a.report_kind = r.report_kind"
        "   and a.received_at >= r.received_at)"
        " order by r.received_at",
        [scope.as_of],
    ).fetchall()
    drafts = []
    for submission_id, kode_bapas, period, kind, name, code, summary in rows:
        if kode_bapas is not None and not scope.includes(kode_bapas):
            continue
        drafts.append(
            FindingDraft(
                rule=rule("REJ_FILE"),
                kode_bapas=kode_bapas,
                period=period,
                subject=submission_id,
                report_kind=kind,
                submission_id=submission_id,
                samples=(SampleRow(None, None, "file", name),),
                params={
                    "file": name,
                    "error_code": code,
                    "error_summary": summary or "",
                    "submission_id": submission_id,
                },
            )
        )
    return drafts


def write_register(
    con: duckdb.DuckDBPyConnection, rows: list[StatusRow], scope: CheckScope
) -> None:
    """Replace the register rows of the periods (and Bapas) this run covers."""
    con.execute(
        "delete from quality.submission_status where periode in (select periode from q_scope)"
        + ("" if scope.bapas is None else " and list_contains(?, kode_bapas)"),
        [] if scope.bapas is None else [sorted(scope.bapas)],
    )
    _backfill_indicator_flags(con)
    if not rows:
        # Nothing owed in scope (e.g. a Bapas filter matching no active office): nothing to add.
        return
    # By column name: stored names (`periode`) and row-type fields (`period`) come from one
    # declaration, so the insert never assumes an order.
    columns = QUALITY_SUBMISSION_STATUS.columns
    con.executemany(
        f"insert into quality.submission_status ({', '.join(c.name for c in columns)})"
        f" values ({', '.join('?' for _ in columns)})",
        [[getattr(r, c.attribute) for c in columns] for r in rows],
    )


def _backfill_indicator_flags(con: duckdb.DuckDBPyConnection) -> None:
    """Fill `counts_as_*` on rows written before those columns existed (older periods).

    Same rule as new rows (indicator_flags), so a warehouse upgraded mid-year does not count
    its older months as "not expected" until a check covers them again.
    """
    stale = con.execute(
        "select distinct status, accepted, on_time from quality.submission_status"
        " where counts_as_expected is null"
    ).fetchall()
    for status, accepted, on_time in stale:
        flags = indicator_flags(status, bool(accepted), bool(on_time))
        con.execute(
            "update quality.submission_status set counts_as_expected = ?, counts_as_reported = ?,"
            " counts_as_on_time = ? where counts_as_expected is null and status = ?"
            " and accepted is not distinct from ? and on_time is not distinct from ?",
            [*flags, status, accepted, on_time],
        )
