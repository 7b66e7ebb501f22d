"""Known-answer tests of the robust statistics (hand-computed)."""

from __future__ import annotations

import math

import pytest

from quality.stats import (
    mad,
    median,
    modified_z,
    peer_outliers,
    poisson_mad_floor,
    scan_series,
    who_deviation,
)

HISTORY = [10.0, 12.0, 11.0, 13.0, 12.0, 11.0]  # median 11.5, MAD 0.5


@pytest.mark.parametrize(
    ("values", "expected_median", "expected_mad"),
    [
        pytest.param(HISTORY, 11.5, 0.5, id="even count"),
        pytest.param([2, 4, 4, 4, 5, 5, 7, 9], 4.5, 0.5, id="skewed"),
        pytest.param([3, 1, 2], 2.0, 1.0, id="odd count unsorted"),
    ],
)
def test_median_and_mad(values: list[float], expected_median: float, expected_mad: float) -> None:
    assert median(values) == expected_median
    assert mad(values) == expected_mad


@pytest.mark.parametrize(
    ("value", "baseline", "expected"),
    [
        # by hand: z = 0.6745 times (20 - 11.5), over MAD 0.5
        pytest.param(20.0, HISTORY, 11.4665, id="jump above"),
        # by hand: z = 0.6745 times (9 - 4.5), over MAD 0.5
        pytest.param(9.0, [2, 4, 4, 4, 5, 5, 7, 9], 6.0705, id="textbook example"),
        # by hand: z = 0.6745 times (5 - 11.5), over MAD 0.5
        pytest.param(5.0, HISTORY, -8.7685, id="drop below"),
        # MAD 0 -> mean absolute deviation 0.2: (7 - 5) / (1.253314 * 0.2)
        pytest.param(7.0, [5, 5, 5, 5, 6], 7.9789, id="flat history uses mean AD"),
    ],
)
def test_modified_z_known_answers(value: float, baseline: list[float], expected: float) -> None:
    z = modified_z(value, baseline)
    assert z is not None
    assert z == pytest.approx(expected, abs=1e-3)


def test_modified_z_without_any_spread() -> None:
    assert modified_z(5.0, [5, 5, 5]) is None
    assert modified_z(6.0, [5, 5, 5]) == math.inf


def test_mad_floor_damps_small_count_noise() -> None:
    # 0.6745 * sqrt(12) = 2.3365 replaces the observed MAD of 1: z = 0.6745 * 6 / 2.3365
    baseline = [11.0, 12.0, 12.0, 18.0, 13.0, 11.0]
    assert modified_z(18.0, baseline) == pytest.approx(4.047, abs=1e-3)
    damped = modified_z(18.0, [11, 12, 12, 13, 11, 12], poisson_mad_floor(12.0))
    assert damped == pytest.approx(0.6745 * 6 / (0.6745 * math.sqrt(12)), abs=1e-3)
    assert poisson_mad_floor(100.0) == pytest.approx(6.745)


def _series(values: list[float]) -> list[tuple[str, float]]:
    return [(f"2025-{i + 1:02d}", v) for i, v in enumerate(values)]


def test_flagged_values_stay_out_of_the_baseline() -> None:
    points = scan_series(_series([*HISTORY, 40, 40, 40, 12]), 3.5, 6, 0)
    assert [p.period for p in points] == ["2025-07", "2025-08", "2025-09"]
    assert {p.median for p in points} == {11.5}


@pytest.mark.parametrize(
    ("values", "min_history", "min_value", "flagged"),
    [
        pytest.param([*HISTORY[:5], 40], 6, 0, [], id="five periods are not enough history"),
        pytest.param([*HISTORY, 40], 6, 0, ["2025-07"], id="six periods are enough"),
        pytest.param([1, 1, 2, 1, 1, 2, 6], 6, 10, [], id="below the minimum value"),
        pytest.param([1, 1, 2, 1, 1, 2, 6], 6, 0, ["2025-07"], id="no minimum value"),
    ],
)
def test_scan_series_gates(
    values: list[float], min_history: int, min_value: float, flagged: list[str]
) -> None:
    points = scan_series(_series(values), 3.5, min_history, min_value)
    assert [p.period for p in points] == flagged


def test_years_old_history_no_longer_hides_a_jump() -> None:
    """Issue 16 (a decade of history): the first four years swung between 5 and 60, the last
    three are steady (median 11.5, MAD 0.5). Against all ten years a 20 is ordinary; against
    the last 36 months it is a jump.
    """
    months = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(85)]
    values = [*[5.0, 60.0] * 24, *HISTORY * 6, 20.0]
    series = list(zip(months, values, strict=True))
    assert scan_series(series, 3.5, 6, 0) == []
    recent = scan_series(series, 3.5, 6, 0, max_baseline=36)
    assert [(p.period, p.median, round(p.z, 4)) for p in recent] == [("2027-01", 11.5, 11.4665)]


def test_who_deviation_compares_with_mean_of_three_previous() -> None:
    out = who_deviation(_series([100, 110, 90, 150, 100]))
    assert out == [("2025-04", 150, 100.0), ("2025-05", 100, pytest.approx(116.667, abs=1e-3))]


def test_peer_outliers_known_answer() -> None:
    # median 3, deviations 2, 1, 0, 1, 97 -> MAD 1; z(100) = 0.6745 * 97 / 1 = 65.4265.
    ((index, centre, z),) = peer_outliers([1.0, 2.0, 3.0, 4.0, 100.0], 3.5)
    assert (index, centre) == (4, 3.0)
    assert z == pytest.approx(65.4265)


def test_peer_outliers_high_side_only_and_threshold() -> None:
    # median 10, deviations 9, 0, 0, 1, 2 -> MAD 1; z(1) = -6.07 (low side), z(12) = 1.349.
    assert peer_outliers([1.0, 10.0, 10.0, 11.0, 12.0], 1.0) == [(4, 10.0, pytest.approx(1.349))]
    assert peer_outliers([1.0, 10.0, 10.0, 11.0, 12.0], 1.5) == []
    assert peer_outliers([], 3.5) == []


def test_peer_outliers_mad_floor_on_log_costs() -> None:
    # Per-head costs 100k, 100k, 100k, 100k and 100M Rp: MAD 0, so the floor 0.6745 * 0.4
    # decides: z = 0.6745 * ln(1000) / (0.6745 * 0.4) = ln(1000) / 0.4 = 17.269.
    values = [math.log(v) for v in (1e5, 1e5, 1e5, 1e5, 1e8)]
    ((index, centre, z),) = peer_outliers(values, 6.0, 0.6745 * 0.4)
    assert (index, math.exp(centre)) == (4, pytest.approx(1e5))
    assert z == pytest.approx(math.log(1000) / 0.4)
    # Twice the peers' cost: ln 2 / 0.4 = 1.73, ordinary spread.
    assert peer_outliers([math.log(v) for v in (1e5, 1e5, 1e5, 2e5)], 6.0, 0.6745 * 0.4) == []
