"""Outlier rules on each Bapas's own monthly history (modified z-score and WHO 33%)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from core.period import shift_month
from quality.catalogue import rule
from quality.config import QualityConfig
from quality.model import FindingDraft, SampleRow
from quality.scope import CheckScope
from quality.stats import MAD_SCALE, median, poisson_mad_floor, scan_series, who_deviation

# metric -> (sheet, SQL aggregate over the current rows, label id, label en). Constants only.
METRICS: dict[str, tuple[str, str, str, str]] = {
    "caseload": ("KLIEN", "count(*)", "Jumlah klien", "Caseload"),
    "activities": ("KEGIATAN", "count(*)", "Jumlah kegiatan", "Activities"),
    "participants": ("PESERTA", "count(*)", "Jumlah peserta", "Participant rows"),
    "cost": ("KEGIATAN", "coalesce(sum(biaya_rp), 0)", "Total biaya (Rp)", "Total cost (Rp)"),
}


def _mad_floor(metric: str, typical_activities: float) -> Callable[[float], float]:
    """The noise a metric shows even when nothing is wrong, as a floor under the MAD.

    Counts: Poisson noise, 0.6745 * sqrt(median). Money: a month's cost is the sum of about N
    activity costs that vary as much as their mean (coefficient of variation ~1, one capital
    grant can cost ten trainings), so its noise is 0.6745 * median / sqrt(N). With 4 activities
    a month a doubling is ordinary; with 50 it is not.
    """
    if metric == "cost":
        spread = MAD_SCALE / math.sqrt(max(typical_activities, 1.0))
        return lambda centre: spread * abs(centre)
    return poisson_mad_floor


def _series(
    con: duckdb.DuckDBPyConnection, sheet: str, aggregate: str, first_month: str, last_month: str
) -> dict[str, list[tuple[str, float, str | None]]]:
    """Per Bapas, (month, total, submission) of its current monthly reports in the range.

    The range starts a baseline before the judging window: reading every month since the
    first made the outlier step grow with history (issue 16).
    """
    table = f"q_cur_monthly_{sheet.lower()}"
    # Every accepted month counts, including months with zero rows in this sheet.
    rows = con.execute(
        f"select s.kode_bapas, s.periode, s.submission_id,"
        f" (select {aggregate} from {table} t where t.submission_id = s.submission_id)"
        " from q_ledger_submissions s where s.is_current and s.report_kind = 'monthly'"
        " and s.periode between ? and ? order by s.kode_bapas, s.periode",
        [first_month, last_month],
    ).fetchall()
    out: dict[str, list[tuple[str, float, str | None]]] = {}
    for kode_bapas, period, submission_id, value in rows:
        out.setdefault(kode_bapas, []).append((period, float(value or 0), submission_id))
    return out


# The likely cause a clerk recognises, per metric and direction (id, en).
CAUSES: dict[tuple[str, bool], tuple[str, str]] = {
    ("caseload", True): ("sepertinya ada klien ganda atau baris bulan lalu ikut tersalin.",
                         "clients may be listed twice or last month's rows copied in."),
    ("caseload", False): ("sepertinya sebagian klien terhapus atau sheet KLIEN tidak lengkap.",
                          "clients may have been deleted or the KLIEN sheet is incomplete."),
    ("activities", True): ("sepertinya ada kegiatan tercatat ganda.",
                           "activities may be listed twice."),
    ("activities", False): ("sepertinya kegiatan bulan ini belum dicatat semua.",
                            "this month's activities may not all be recorded."),
    ("participants", True): ("sepertinya ada peserta tercatat ganda.",
                             "participants may be listed twice."),
    ("participants", False): ("sepertinya daftar peserta belum lengkap.",
                              "the participant list may be incomplete."),
    ("cost", True): ("biaya tampaknya memakai satuan yang salah atau kelebihan angka nol.",
                     "costs may be on the wrong scale or have extra zeros."),
    ("cost", False): ("biaya tampaknya ditulis dalam ribuan rupiah atau belum dicatat semua.",
                      "costs may be written in thousands of rupiah or not all recorded."),
}  # fmt: skip


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


@dataclass(frozen=True)
class _Series:
    """One Bapas's monthly values of one metric, with what the findings need to say."""

    metric: str
    kode_bapas: str
    points: list[tuple[str, float]]
    submission: dict[str, str | None]
    labels: dict[str, object]
    totals: dict[str, float]
    floor: Callable[[float], float]


def _z_drafts(
    ser: _Series, config: QualityConfig, months: set[str]
) -> list[tuple[float, FindingDraft]]:
    metric, kode_bapas, points = ser.metric, ser.kode_bapas, ser.points
    totals, submission = ser.totals, ser.submission
    out = []
    flagged = scan_series(
        points,
        config.outlier_threshold,
        config.outlier_min_history,
        config.outlier_min_value,
        ser.floor,
        config.outlier_baseline_months,
    )
    for point in flagged:
        if point.period not in months:
            continue
        effect = abs(point.value - point.median) / max(totals.get(point.period, 0.0), 1.0)
        high = point.value > point.median
        cause_id, cause_en = CAUSES[(metric, high)]
        params: dict[str, object] = {
            **ser.labels,
            "direction_id": "jauh di atas" if high else "jauh di bawah",
            "direction_en": "far above" if high else "far below",
            "cause_id": cause_id,
            "cause_en": cause_en,
            "value": _fmt(point.value),
            "median": _fmt(point.median),
            "z": f"{point.z:.1f}",
            "share": f"{effect:.1%}",
        }
        draft = FindingDraft(
            rule=rule("OUT_MODIFIED_Z"),
            kode_bapas=kode_bapas,
            period=point.period,
            subject=metric,
            submission_id=submission[point.period],
            samples=(SampleRow(str(params["sheet"]), None, metric, _fmt(point.value)),),
            params=params,
        )
        out.append((effect, draft))
    return out


def _who_drafts(
    ser: _Series, config: QualityConfig, months: set[str]
) -> list[tuple[float, FindingDraft]]:
    metric, kode_bapas, points, submission = ser.metric, ser.kode_bapas, ser.points, ser.submission
    out = []
    for period, value, mean in who_deviation(points):
        if period not in months or mean < config.outlier_min_value:
            continue
        deviation = abs(value - mean) / mean
        if deviation <= config.who_deviation:
            continue
        params: dict[str, object] = {
            **ser.labels,
            "value": _fmt(value),
            "mean": _fmt(mean),
            "deviation": f"{deviation:.0%}",
        }
        draft = FindingDraft(
            rule=rule("OUT_WHO_33"),
            kode_bapas=kode_bapas,
            period=period,
            subject=metric,
            submission_id=submission[period],
            params=params,
        )
        out.append((0.0, draft))
    return out


def outlier_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope, config: QualityConfig
) -> list[FindingDraft]:
    """Modified z-score (warning) and WHO consistency over time (info), ranked by effect."""
    drafts: list[tuple[float, FindingDraft]] = []
    last = max(scope.months)
    first = shift_month(min(scope.months), -config.outlier_baseline_months)
    all_series = {m: _series(con, spec[0], spec[1], first, last) for m, spec in METRICS.items()}
    activities = {
        b: median([v for _p, v, _sid in series]) for b, series in all_series["activities"].items()
    }
    for metric, (sheet, _aggregate, label_id, label_en) in METRICS.items():
        by_bapas = all_series[metric]
        totals: dict[str, float] = {}
        for series in by_bapas.values():
            for period, value, _sid in series:
                totals[period] = totals.get(period, 0.0) + value
        for kode_bapas, series in by_bapas.items():
            if not scope.includes(kode_bapas):
                continue
            ser = _Series(
                metric=metric,
                kode_bapas=kode_bapas,
                points=[(p, v) for p, v, _sid in series],
                submission={p: sid for p, _v, sid in series},
                labels={"metric_id": label_id, "metric_en": label_en, "sheet": sheet},
                totals=totals,
                floor=_mad_floor(metric, activities.get(kode_bapas, 1.0)),
            )
            drafts.extend(_z_drafts(ser, config, set(scope.months)))
            drafts.extend(_who_drafts(ser, config, set(scope.months)))
    # Ranked by effect on the national total, so the officer starts with what moves the numbers.
    drafts.sort(key=lambda item: -item[0])
    return [d for _effect, d in drafts]
