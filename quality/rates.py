"""DHIS2 reporting indicators per Kanwil and nationally, from the expected-reports register.

They count the register's `counts_as_*` columns (quality/indicators.py decides them once), so
`lipas check`, the digest and mart_submission_compliance give the same rates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from quality.completeness import StatusRow


@dataclass(frozen=True)
class RateRow:
    """Reporting, on-time and consistently-reporting rates of one area over the checked window.

    reporting_rate = reported / expected; on_time_rate = reported on time / expected;
    consistent_rate = offices that reported in every expected period / offices that reported
    in any. "Reported" means an accepted version exists (doc `ind_reporting_rate`); `received`
    also counts reports whose only files were rejected.
    """

    area: str
    report_kind: str
    expected: int
    received: int
    reported: int
    on_time: int
    reporting_rate: float | None
    on_time_rate: float | None
    consistent_rate: float | None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def reporting_rates(rows: list[StatusRow]) -> list[RateRow]:
    """One row per Kanwil and report kind, then the national rows (area 'NASIONAL')."""
    groups: dict[tuple[str, str], list[StatusRow]] = defaultdict(list)
    for row in rows:
        if not row.counts_as_expected:
            continue
        groups[(row.kode_kanwil, row.report_kind)].append(row)
        groups[("NASIONAL", row.report_kind)].append(row)
    out = []
    for (area, kind), members in sorted(groups.items()):
        by_office: dict[str, list[bool]] = defaultdict(list)
        for r in members:
            by_office[r.kode_bapas].append(r.counts_as_reported)
        any_office = [o for o, got in by_office.items() if any(got)]
        every = [o for o in any_office if all(by_office[o])]
        expected = len(members)
        reported = sum(r.counts_as_reported for r in members)
        on_time = sum(r.counts_as_on_time for r in members)
        out.append(
            RateRow(
                area=area,
                report_kind=kind,
                expected=expected,
                received=sum(r.received for r in members),
                reported=reported,
                on_time=on_time,
                reporting_rate=_rate(reported, expected),
                on_time_rate=_rate(on_time, expected),
                consistent_rate=_rate(len(every), len(any_office)),
            )
        )
    return out
