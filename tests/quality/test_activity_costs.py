"""Cross-sectional activity-cost outliers: peers nationally in the same month, no history."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import qbuild

from core.reference import codes_of
from quality.activity_costs import ActivityCost, activity_cost_findings, peer_groups
from quality.config import QualityConfig, load_quality_config
from quality.scope import CheckScope, register_scope
from quality.tables import create_current_views

PERIODE = "2025-03"
# Ordinary spread of per-head costs between offices (500k Rp +-30%), 2 participants each.
COSTS = [1_000_000, 1_300_000, 700_000, 1_100_000, 900_000, 1_200_000, 800_000,
         1_000_000, 1_050_000, 950_000, 1_150_000, 850_000]  # fmt: skip


@pytest.fixture
def con(lipas_home):  # type: ignore[no-untyped-def]
    connection = qbuild.connect(lipas_home.warehouse_path)
    yield connection
    connection.close()


def _submit(con, costs: list[int], jenis: list[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    for n, cost in enumerate(costs):
        kode = f"BP11{n + 1:02d}"

        def mutate(rows: qbuild.Rows, cost: int = cost, n: int = n) -> None:
            rows["KEGIATAN"][0]["biaya_rp"] = cost
            if jenis:
                rows["KEGIATAN"][0]["jenis_kegiatan"] = jenis[n]

        qbuild.add_submission(con, kode, PERIODE, qbuild.monthly_rows(kode, PERIODE),
                              mutate=mutate)  # fmt: skip


def _run(con, config: QualityConfig | None = None):  # type: ignore[no-untyped-def]
    scope = CheckScope(dt.date(2025, 4, 30), (PERIODE,))
    create_current_views(con)
    register_scope(con, scope)
    return activity_cost_findings(con, scope, config or QualityConfig())


def test_clean_peers_raise_nothing(con) -> None:  # type: ignore[no-untyped-def]
    _submit(con, COSTS)
    assert _run(con) == []


def test_one_cost_with_three_zeros_too_many_is_flagged(con) -> None:  # type: ignore[no-untyped-def]
    _submit(con, [*COSTS[:4], 1_000_000_000, *COSTS[5:]])
    (draft,) = _run(con)
    assert (draft.rule.rule_id, draft.rule.family, draft.rule.severity) == (
        "OUT_ACTIVITY_COST", "outlier", "warning",
    )  # fmt: skip
    assert (draft.kode_bapas, draft.period) == ("BP1105", PERIODE)
    (sample,) = draft.samples
    assert (sample.sheet, sample.column, sample.value) == ("KEGIATAN", "biaya_rp", "1.000.000.000")
    assert draft.rows() == [sample.row] and sample.row is not None
    message_id, hint_id, message_en, _hint_en = draft.render()
    assert f"Sheet KEGIATAN baris {sample.row} kolom biaya_rp" in message_id
    assert f"Sheet KEGIATAN row {sample.row} column biaya_rp" in message_en
    assert "biaya_rp" in hint_id and "{" not in message_id + hint_id + message_en
    # Log-scale median of 12: the geometric mean of the middle two per-head costs, 500k and
    # 525k -> sqrt(500,000 * 525,000) = 512,348.
    assert draft.params["median"] == "512.348" and draft.params["per_head"] == "500.000.000"


def test_small_type_is_judged_against_the_whole_month(con) -> None:  # type: ignore[no-untyped-def]
    common, rare = codes_of("jenis_kegiatan")[:2]
    jenis = [common] * 10 + [rare] * 2
    _submit(con, [*COSTS[:10], 900_000, 900_000_000], jenis)
    (draft,) = _run(con)
    assert draft.kode_bapas == "BP1112"
    assert draft.params["peers"] == "semua jenis / all types" and draft.params["n_peers"] == 12
    # Fewer activities in the month than the minimum: not judged at all.
    assert _run(con, load_quality_config({"LIPAS_OUTLIER_MIN_PEERS": "13"})) == []


def test_threshold_comes_from_the_environment(con) -> None:  # type: ignore[no-untyped-def]
    _submit(con, [*COSTS[:4], 10_000_000, *COSTS[5:]])  # 10x: z = ln 10 / 0.4 ~ 5.3 at most
    assert _run(con) == []
    config = load_quality_config({"LIPAS_OUTLIER_PEER_THRESHOLD": "3.5"})
    assert config.outlier_peer_threshold == 3.5
    assert [d.kode_bapas for d in _run(con, config)] == ["BP1105"]


def test_peer_groups_split_by_month_and_type() -> None:
    base = ActivityCost("s1", "BP1101", "2025-01", 2, "K1", "A", 1.0, 1)
    rows = [dataclasses.replace(base, kode_kegiatan=f"K{i}") for i in range(3)]
    rows += [dataclasses.replace(base, jenis="B", kode_kegiatan="KB")]
    rows += [dataclasses.replace(base, period="2025-02")]
    groups = peer_groups(rows, 3)
    assert [(g.period, g.label, len(g.peers), len(g.judged)) for g in groups] == [
        ("2025-01", "A", 3, 3),
        ("2025-01", "semua jenis / all types", 4, 1),
    ]


def test_a_cost_written_in_thousands_is_flagged_on_the_low_side(con) -> None:  # type: ignore[no-untyped-def]
    # Regression (issue 12): the cost rules only looked for values too high; Rp 12 juta typed
    # as 12.000 (thousands of rupiah) passed. The low side names that cause.
    doubled = [2 * c for c in COSTS]
    _submit(con, [*doubled[:4], 12_000, *doubled[5:]])
    (draft,) = _run(con)
    assert (draft.rule.rule_id, draft.rule.severity) == ("OUT_ACTIVITY_COST_LOW", "warning")
    assert draft.kode_bapas == "BP1105"
    message_id = draft.render()[0]
    assert "ribuan rupiah" in message_id and "{" not in message_id


def test_low_side_leaves_tiny_amounts_to_the_thousands_rule(con) -> None:  # type: ignore[no-untyped-def]
    # Rp 360 is named once, by CONS_BIAYA_RIBUAN; and an ordinary cheap activity (1/5 of the
    # median) is not an outlier.
    _submit(con, [*COSTS[:4], 360, 200_000, *COSTS[6:]])
    assert _run(con) == []
