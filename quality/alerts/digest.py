"""Build the Ditjen (national) and Kanwil digests as data; rendering lives in render_*.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from quality.alerts.classify import classify_findings
from quality.alerts.digest_rows import (
    FindingRow,
    LateRow,
    MissingRow,
    Mover,
    RejectedRow,
    SeverityCount,
    finding_rows,
    late_rows,
    missing_rows,
    movers,
    open_by_bapas,
    rejected_rows,
    severity_counts,
)
from quality.alerts.directory import Directory
from quality.alerts.held import held_rows
from quality.alerts.i18n import percent, text
from quality.alerts.model import (
    AlertHistory,
    AlertInputs,
    LogEntry,
    RunFailure,
    StatusRow,
    Undelivered,
    awaiting_resubmission,
    unresolved_rejections,
)
from quality.alerts.rates import (
    HeatmapData,
    RateRow,
    TrendPoint,
    heatmap,
    monthly_rows,
    rate_of,
    rates_by,
    trend,
)

LOW_RATE = 0.8


@dataclass(frozen=True)
class Headline:
    """One headline number of the top block."""

    key: str
    label: str
    value: str
    note: str
    tone: str  # good | warn | bad


@dataclass(frozen=True)
class Digest:
    """Everything a digest shows, already filtered to its audience and localised."""

    audience: str
    title: str
    subtitle: str
    lang: str
    period: str
    as_of: dt.date
    headline: tuple[Headline, ...]
    actions: tuple[str, ...]
    national: RateRow
    previous: RateRow
    group_rates: tuple[tuple[RateRow, RateRow], ...]
    group_label: str
    missing: tuple[MissingRow, ...]
    late: tuple[LateRow, ...]
    rejected: tuple[RejectedRow, ...]
    rejected_fixed: int
    severity_counts: tuple[SeverityCount, ...]
    new_findings: tuple[FindingRow, ...]
    open_by_bapas: tuple[tuple[str, str, int, int], ...]
    resolved: tuple[FindingRow, ...]
    movers: tuple[Mover, ...]
    heatmap: HeatmapData
    trend: tuple[TrendPoint, ...]
    undelivered: tuple[Undelivered, ...]
    run_failures: tuple[RunFailure, ...]
    log_entries: tuple[LogEntry, ...]
    # Held files: loaded but awaiting a decision, listed apart from the rejected ones.
    held: tuple[RejectedRow, ...] = ()


def scope_of(audience: str) -> str | None:
    """'kanwil:KW31' -> 'KW31'; the national audience 'ditjen' has no scope."""
    return audience.split(":", 1)[1] if audience.startswith("kanwil:") else None


def build_digest(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    *,
    audience: str = "ditjen",
    lang: str = "id",
    fixlists_sent: frozenset[str] | None = None,
) -> Digest:
    """Assemble a digest for `audience` ('ditjen' or 'kanwil:<KODE>') from today's inputs.

    `fixlists_sent`: Bapas whose fix-list today's run delivered (None in a preview, where
    nothing is sent); the digest says "sudah dikirim" only for those.
    """
    kanwil = scope_of(audience)
    status = [s for s in inputs.status if kanwil is None or s.kode_kanwil == kanwil]
    findings = [
        f for f in inputs.findings if f.is_content and (kanwil is None or f.kode_kanwil == kanwil)
    ]
    rejections = [
        r
        for r in inputs.rejections
        if kanwil is None or directory.kanwil_of(r.kode_bapas) == kanwil
    ]
    view = classify_findings(findings, audience, history)
    previous_period = inputs.months[-2] if len(inputs.months) > 1 else inputs.period
    cur_rows = monthly_rows(status, inputs.period)
    prev_rows = monthly_rows(status, previous_period)
    scope_name = text("national", lang) if kanwil is None else directory.kanwil_name(kanwil)
    national = rate_of(cur_rows, "", scope_name)
    previous = rate_of(prev_rows, "", scope_name)

    # National digest: one line per Kanwil; a Kanwil digest: one line per Bapas of the Kanwil.
    def key(row: StatusRow) -> str:
        return row.kode_kanwil if kanwil is None else row.kode_bapas

    name = directory.kanwil_name if kanwil is None else directory.bapas_name
    prev_by = {r.kode: r for r in rates_by(prev_rows, key, name)}
    group_rates = tuple(
        (prev_by.get(r.kode, RateRow(r.kode, r.name, 0, 0, 0)), r)
        for r in rates_by(cur_rows, key, name)
    )
    # An office whose file was rejected (or held) did send: it is listed with the rejected files
    # ("ditolak, belum dikirim ulang"), not as missing, and not counted in "Hubungi N Bapas".
    pending = unresolved_rejections(rejections, status)
    missing = missing_rows(
        [s for s in status if not awaiting_resubmission(s, pending)], directory, lang
    )
    rejected, fixed = rejected_rows(rejections, status, directory, lang, inputs.as_of)
    held = held_rows(rejections, directory, lang)
    new_rows = finding_rows(view.new, directory, lang, "new")
    counts = severity_counts(view, lang)
    undelivered = inputs.undelivered if kanwil is None else ()
    not_due = bool(cur_rows) and min(r.deadline for r in cur_rows) >= inputs.as_of
    rejection_log = tuple(
        LogEntry(f"rejection|{r.submission_id}", audience, "rejected") for r in rejected
    )
    title = (
        text("digest_title", lang)
        if kanwil is None
        else text("kanwil_digest_title", lang, scope=scope_name)
    )
    return Digest(
        audience=audience,
        title=title,
        subtitle=text("subtitle", lang, period=inputs.period, as_of=inputs.as_of.isoformat()),
        lang=lang,
        period=inputs.period,
        as_of=inputs.as_of,
        headline=_headline(national, missing, counts, rejected, inputs.period, not_due, lang),
        actions=_actions(
            inputs,
            group_rates if kanwil is None else (),
            missing,
            new_rows,
            rejected,
            undelivered,
            not_due,
            lang,
            fixlists_sent,
            held=len(held),
        ),
        national=national,
        previous=previous,
        group_rates=group_rates,
        group_label=text("col_kanwil" if kanwil is None else "col_bapas", lang),
        missing=missing,
        late=late_rows(status, inputs.months, directory),
        rejected=rejected,
        rejected_fixed=fixed,
        severity_counts=counts,
        new_findings=new_rows,
        open_by_bapas=open_by_bapas((*view.new, *view.persisting), directory),
        resolved=finding_rows(view.resolved, directory, lang, "resolved"),
        movers=movers(inputs.scores, inputs.period, {s.kode_bapas for s in status}, directory),
        heatmap=heatmap(status, inputs.months, directory),
        trend=trend(status, inputs.months),
        undelivered=undelivered,
        run_failures=inputs.run_failures if kanwil is None else (),
        log_entries=view.log_entries(audience) + rejection_log,
        held=held,
    )


def _headline(
    national: RateRow,
    missing: tuple[MissingRow, ...],
    counts: tuple[SeverityCount, ...],
    rejected: tuple[RejectedRow, ...],
    period: str,
    not_due: bool,
    lang: str,
) -> tuple[Headline, ...]:
    rate, on_time = national.reporting_rate, national.on_time_rate
    errors = next((c for c in counts if c.severity == "error"), None)
    new_errors = errors.new if errors else 0
    open_errors = errors.still_open if errors else 0
    note = (
        text("not_due", lang)
        if not_due
        else text("of_expected", lang, received=national.reported, expected=national.expected)
    )
    return (
        Headline(
            "reporting_rate",
            text("h_reporting", lang, period=period),
            percent(rate),
            note,
            _tone(rate, not_due),
        ),
        Headline(
            "on_time_rate",
            text("h_on_time", lang, period=period),
            percent(on_time),
            note,
            _tone(on_time, not_due),
        ),
        Headline(
            "missing",
            text("h_missing", lang),
            str(sum(len(m.periods) for m in missing)),
            text("h_missing_note", lang, n=len(missing)),
            "bad" if missing else "good",
        ),
        Headline(
            "new_errors",
            text("h_new_errors", lang),
            str(new_errors),
            text("h_new_errors_note", lang, n=open_errors),
            "bad" if new_errors else "good",
        ),
        Headline(
            "rejected",
            text("h_rejected", lang),
            str(len(rejected)),
            text("h_rejected_note", lang),
            "warn" if rejected else "good",
        ),
    )


def _tone(rate: float | None, not_due: bool) -> str:
    if rate is None or not_due:
        return "neutral"
    return "good" if rate >= 0.95 else "warn" if rate >= LOW_RATE else "bad"


def _actions(
    inputs: AlertInputs,
    kanwil_rates: tuple[tuple[RateRow, RateRow], ...],
    missing: tuple[MissingRow, ...],
    new_rows: tuple[FindingRow, ...],
    rejected: tuple[RejectedRow, ...],
    undelivered: tuple[Undelivered, ...],
    not_due: bool,
    lang: str,
    fixlists_sent: frozenset[str] | None = None,
    *,
    held: int = 0,
) -> tuple[str, ...]:
    """At most five plain sentences, most urgent first."""
    actions = []
    if not inputs.quality_available:
        actions.append(text("a_no_quality", lang))
    if inputs.run_failures:
        actions.append(text("a_run_failed", lang, n=len(inputs.run_failures)))
    if undelivered:
        actions.append(text("a_undelivered", lang, n=len(undelivered)))
    active = [m for m in missing if not m.possibly_inactive]
    if active:
        worst = active[0]
        actions.append(
            text(
                "a_missing", lang, n=len(active), name=worst.nama_bapas, days=worst.max_days_overdue
            )
        )
    new_errors = [f for f in new_rows if f.severity == "error"]
    if new_errors:
        actions.append(_errors_action(new_errors, fixlists_sent, lang))
    if rejected:
        actions.append(text("a_rejected", lang, n=len(rejected)))
    if held:
        actions.append(text("a_held", lang, n=held))
    low = [
        cur
        for _, cur in kanwil_rates
        if cur.reporting_rate is not None and cur.reporting_rate < LOW_RATE and cur.expected >= 1
    ]
    if low and not not_due:
        worst_k = min(low, key=lambda r: (r.reporting_rate or 0.0, r.kode))
        actions.append(
            text("a_low_kanwil", lang, name=worst_k.name, rate=percent(worst_k.reporting_rate))
        )
    inactive = [m for m in missing if m.possibly_inactive]
    if inactive:
        actions.append(text("a_inactive", lang, n=len(inactive)))
    return tuple(actions[:5]) or (text("a_none", lang),)


def _errors_action(
    new_errors: list[FindingRow], fixlists_sent: frozenset[str] | None, lang: str
) -> str:
    """The new-errors line: "daftar perbaikan sudah dikirim" only when delivery succeeded."""
    bapas = {f.kode_bapas for f in new_errors}
    n, m = len(new_errors), len(bapas)
    if fixlists_sent is None:
        return text("a_errors_prepared", lang, n=n, m=m)
    delivered = len(bapas & fixlists_sent)
    if delivered == m:
        return text("a_errors", lang, n=n, m=m)
    return text("a_errors_unsent", lang, n=n, m=m, s=delivered, u=m - delivered)
