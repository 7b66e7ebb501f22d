"""Robust statistics for the outlier rules (pure functions with known-answer tests).

Modified z-score (Iglewicz & Hoaglin): 0.6745 * (x - median) / MAD, MAD = median |x - median|.
When MAD is 0 (more than half the history identical) the mean absolute deviation scaled by
1.253314 stands in, as in the IBM SPSS / WHO DQR convention, so a flat history still flags a jump.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    if not values:
        raise ValueError("median of an empty sequence")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2.0


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation from the median."""
    centre = median(values)
    return median([abs(v - centre) for v in values])


def modified_z(value: float, baseline: Sequence[float], mad_floor: float = 0.0) -> float | None:
    """Modified z-score of `value` against `baseline`; None when the baseline has no spread.

    `mad_floor` is the smallest MAD believed: a history that happens to be nearly flat must not
    turn ordinary noise (e.g. Poisson noise of a small count) into an outlier.
    """
    centre = median(baseline)
    spread = max(mad(baseline), mad_floor)
    if spread > 0:
        return MAD_SCALE * (value - centre) / spread
    mean_ad = sum(abs(v - centre) for v in baseline) / len(baseline)
    if mean_ad > 0:
        return (value - centre) / (MEAN_AD_SCALE * mean_ad)
    return None if value == centre else float("inf") if value > centre else float("-inf")


@dataclass(frozen=True)
class OutlierPoint:
    """A flagged value of a series with the baseline it was judged against."""

    period: str
    value: float
    median: float
    z: float


def poisson_mad_floor(centre: float) -> float:
    """MAD of Poisson noise around a count's median (sd = sqrt(mean), MAD = 0.6745 * sd)."""
    return MAD_SCALE * math.sqrt(max(centre, 0.0))


def scan_series(
    series: Sequence[tuple[str, float]],
    threshold: float,
    min_history: int,
    min_value: float,
    mad_floor: Callable[[float], float] | None = None,
    max_baseline: int | None = None,
) -> list[OutlierPoint]:
    """Flag values of a chronological series against the earlier unflagged values.

    A value is judged only with at least `min_history` earlier values (grace period for new
    offices), and only when it or the baseline median reaches `min_value` (tiny counts swing a
    lot). Flagged values never enter later baselines, so one bad month cannot mask the next.
    `max_baseline` keeps only the latest that many values: a caseload that grew over a decade
    is judged against its last years, not against what the office was ten years ago.
    """
    baseline: list[float] = []
    flagged: list[OutlierPoint] = []
    for period, value in series:
        if len(baseline) >= min_history:
            if max_baseline is not None and len(baseline) > max_baseline:
                del baseline[: len(baseline) - max_baseline]
            centre = median(baseline)
            z = modified_z(value, baseline, mad_floor(centre) if mad_floor else 0.0)
            if z is not None and abs(z) > threshold and max(value, centre) >= min_value:
                flagged.append(OutlierPoint(period, value, centre, z))
                continue
        baseline.append(value)
    return flagged


def who_deviation(
    series: Sequence[tuple[str, float]], periods: int = 3
) -> list[tuple[str, float, float]]:
    """(periode, value, mean of previous `periods` values) for every value with enough history.

    The WHO Data Quality Review compares each period with the mean of comparable earlier ones.
    """
    out = []
    for index in range(periods, len(series)):
        previous = [v for _p, v in series[index - periods : index]]
        out.append((series[index][0], series[index][1], sum(previous) / periods))
    return out


def peer_outliers(
    values: Sequence[float], threshold: float, mad_floor: float = 0.0, two_sided: bool = False
) -> list[tuple[int, float, float]]:
    """(index, median, z) of values whose modified z-score in their peer group exceeds `threshold`.

    Cross-sectional; high side only unless `two_sided` (then z < -threshold is returned too,
    negative). The group includes the value judged: median and MAD hardly move for one extreme
    value, so no leave-one-out is needed.
    """
    if not values:
        return []
    centre = median(values)
    spread = max(mad(values), mad_floor)
    out = []
    for index, value in enumerate(values):
        z = MAD_SCALE * (value - centre) / spread if spread > 0 else modified_z(value, values)
        if z is not None and (z > threshold or (two_sided and z < -threshold)):
            out.append((index, centre, z))
    return out
