"""Small-cell suppression: primary, secondary (row groups and row totals), rates, threshold."""

from __future__ import annotations

import pandas as pd
import pytest

from publishing.suppression import (
    infer_spec,
    suppress_small_cells,
    suppression_threshold,
)


def masked(frame: pd.DataFrame, column: str) -> list[bool]:
    return frame[column].isna().tolist()


@pytest.mark.parametrize(
    ("values", "threshold", "expected"),
    [
        pytest.param([0, 1, 4, 5, 12], 5, [False, True, True, False, False], id="1-4 hidden"),
        pytest.param([2, 3], 3, [True, False], id="threshold 3"),
        pytest.param([None, 7], 5, [True, False], id="missing stays missing"),
    ],
)
def test_primary_suppression(values: list[int | None], threshold: int, expected: list[bool]):
    frame = pd.DataFrame({"n": pd.array(values, dtype="Int64")})

    result = suppress_small_cells(frame, ["n"], threshold)

    assert masked(result, "n") == expected


def test_secondary_suppression_hides_next_smallest_in_group():
    # Group A: 3 is hidden, total 3+10+7=20 is published elsewhere, so 7 must go too.
    # Group B: two cells hidden already, nothing else needed. Group C: nothing small.
    frame = pd.DataFrame(
        {
            "area": ["A", "A", "A", "B", "B", "B", "C", "C"],
            "n": [3, 10, 7, 2, 4, 30, 8, 9],
        }
    )

    result = suppress_small_cells(frame, ["n"], 5, group_by=["area"])

    assert result["n"].tolist()[:3] == [pd.NA, 10, pd.NA]
    assert masked(result, "n") == [True, False, True, True, True, False, False, False]


def test_secondary_suppression_prefers_a_non_zero_complement():
    frame = pd.DataFrame({"area": ["A", "A", "A"], "n": [2, 0, 9]})

    result = suppress_small_cells(frame, ["n"], 5, group_by=["area"])

    assert masked(result, "n") == [True, False, True]


def test_row_total_protects_the_complementary_part():
    # with_need = addressed + unaddressed: hiding addressed=2 alone would leave 11 - 9 = 2.
    frame = pd.DataFrame({"with_need": [11, 40], "addressed": [2, 30], "unaddressed": [9, 10]})

    result = suppress_small_cells(
        frame,
        ["with_need", "addressed", "unaddressed"],
        5,
        row_totals={"with_need": ["addressed", "unaddressed"]},
    )

    assert masked(result, "addressed") == [True, False]
    assert masked(result, "unaddressed") == [True, False]
    assert result["with_need"].tolist() == [11, 40]


def test_rates_from_hidden_counts_are_hidden():
    frame = pd.DataFrame(
        {"reached": [3, 20], "active": [50, 40], "reach_rate": [0.06, 0.5], "cost": [1.0, 2.0]}
    )

    result = suppress_small_cells(
        frame, ["reached", "active"], 5, rates={"reach_rate": ["reached", "active"]}
    )

    assert masked(result, "reach_rate") == [True, False]
    assert result["cost"].tolist() == [1.0, 2.0]


def test_input_frame_is_not_modified():
    frame = pd.DataFrame({"n": [1, 10]})

    suppress_small_cells(frame, ["n"], 5)

    assert frame["n"].tolist() == [1, 10]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({}, 5, id="default"),
        pytest.param({"LIPAS_SUPPRESSION_THRESHOLD": "10"}, 10, id="from env"),
    ],
)
def test_threshold_from_environment(environ: dict[str, str], expected: int):
    assert suppression_threshold(environ) == expected


@pytest.mark.parametrize(
    "value", [pytest.param("five", id="not a number"), pytest.param("0", id="zero")]
)
def test_bad_threshold_is_refused(value: str):
    with pytest.raises(ValueError, match="LIPAS_SUPPRESSION_THRESHOLD"):
        suppression_threshold({"LIPAS_SUPPRESSION_THRESHOLD": value})


def test_default_threshold_reads_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LIPAS_SUPPRESSION_THRESHOLD", "3")

    result = suppress_small_cells(pd.DataFrame({"n": [2, 4]}), ["n"])

    assert masked(result, "n") == [True, False]


def test_infer_spec_treats_integers_as_counts_and_rates_as_derived():
    frame = pd.DataFrame(
        {
            "geo_code": ["BP3501"],
            "year_number": [2025],
            "clients": [3],
            "reach_rate": [0.1],
            "cost_per_participant_idr": [1.5],
            "flag": [True],
        }
    )

    spec = infer_spec(frame)

    assert spec.count_columns == ("clients",)
    assert set(spec.rates) == {"reach_rate", "cost_per_participant_idr"}


def test_missing_part_is_not_picked_as_complement():
    # Regression: a missing (NA) part used to crash the row-total pass (float(pd.NA)).
    frame = pd.DataFrame(
        {
            "total": pd.array([20], dtype="Int64"),
            "a": pd.array([2], dtype="Int64"),
            "b": pd.array([None], dtype="Int64"),
            "c": pd.array([18], dtype="Int64"),
        }
    )

    result = suppress_small_cells(
        frame, ["total", "a", "b", "c"], 5, row_totals={"total": ["a", "b", "c"]}
    )

    assert masked(result, "c") == [True]
    assert result["total"].tolist() == [20]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, None, id="off by default"),
        pytest.param({"LIPAS_PUBLISH_EXTERNAL": "1"}, 5, id="on with default threshold"),
        pytest.param(
            {"LIPAS_PUBLISH_EXTERNAL": "true", "LIPAS_SUPPRESSION_THRESHOLD": "10"},
            10,
            id="on with own threshold",
        ),
    ],
)
def test_nightly_external_threshold(env: dict[str, str], expected: int | None) -> None:
    from publishing.suppression import nightly_external_threshold

    assert nightly_external_threshold(env) == expected
