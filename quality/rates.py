"""DHIS2 reporting indicators per Kanwil and nationally, from the expected-reports register."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from quality.completeness import StatusRow


@dataclass(frozen=True)
class RateRow:
    """Reporting, on-time and consistently-reporting rates of one area over the checked window.

    reporting_rate = received / expected; on_time_rate = received on time / expected;
    consistent_rate = offices that reported in every owed period / offices that reported in any.
    Periods not yet due are not expected yet.
    """

    area: str
    report_kind: str
    expected: int
    received: int
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
        if row.status == "not_yet_due":
            continue
        groups[(row.kode_kanwil, row.report_kind)].append(row)
        groups[("NASIONAL", row.report_kind)].append(row)
    out = []
    for (area, kind), members in sorted(groups.items()):
        by_office: dict[str, list[bool]] = defaultdict(list)
        for r in members:
            by_office[r.kode_bapas].append(r.received)
        any_office = [o for o, got in by_office.items() if any(got)]
        every = [o for o in any_office if all(by_office[o])]
        expected = len(members)
        received = sum(r.received for r in members)
        on_time = sum(r.on_time for r in members)
        out.append(
            RateRow(
                area=area,
                report_kind=kind,
                expected=expected,
                received=received,
                on_time=on_time,
                reporting_rate=_rate(received, expected),
                on_time_rate=_rate(on_time, expected),
                consistent_rate=_rate(len(every), len(any_office)),
            )
        )
    return out
