"""The external copy: geographic secondary suppression and which tables may leave Ditjen."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from core.settings import Settings
from publishing.external import MART_SUPPRESSION, export_external, suppress_mart
from publishing.snapshot import publish_snapshot

PARENTS = {"BP3501": "KW35", "BP3502": "KW35", "BP3503": "KW35", "BP3201": "KW32"}


def reach_rows(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "geo_level": level,
                "geo_code": code,
                "period_grain": "month",
                "period": "2025-01",
                "active_clients": active,
                "reached_clients": reached,
                "reach_rate": reached / active,
            }
            for level, code, active, reached in rows
        ]
    )


def test_bapas_rows_protect_each_other_under_their_kanwil_total():
    # KW35 = 3 + 10 + 8 is published: hiding BP3501's 3 alone would leave 21 - 10 - 8 = 3.
    frame = reach_rows(
        [
            ("kanwil", "KW35", 21, 12),
            ("bapas", "BP3501", 3, 2),
            ("bapas", "BP3502", 10, 5),
            ("bapas", "BP3503", 8, 5),
            ("bapas", "BP3201", 40, 20),
        ]
    )

    result = suppress_mart(frame, MART_SUPPRESSION["mart_client_reach"], PARENTS, 5)

    assert result["active_clients"].isna().tolist() == [False, True, False, True, False]
    # Reached: 2 is small; 5 and 5 are the complements available, the first is taken.
    assert result["reached_clients"].isna().tolist() == [False, True, True, False, False]
    # A rate goes when either of its counts goes (BP3503's caseload is the complement).
    assert result["reach_rate"].isna().tolist() == [False, True, True, True, False]
    assert "_parent_geo" not in result.columns


def test_need_codes_are_grouped_separately():
    frame = pd.DataFrame(
        {
            "geo_level": ["bapas", "bapas", "bapas", "bapas"],
            "geo_code": ["BP3501", "BP3502", "BP3501", "BP3502"],
            "period_grain": ["year"] * 4,
            "period": ["2025"] * 4,
            "need_code": ["KERJA", "KERJA", "HUKUM", "HUKUM"],
            "clients_with_need": [4, 30, 20, 25],
            "clients_need_addressed": [0, 10, 10, 12],
            "clients_need_unaddressed": [4, 20, 10, 13],
            "coverage_rate": [0.0, 1 / 3, 0.5, 0.48],
        }
    )

    result = suppress_mart(frame, MART_SUPPRESSION["mart_need_coverage"], PARENTS, 5)

    assert result["clients_with_need"].isna().tolist() == [True, True, False, False]
    assert result["clients_need_unaddressed"].isna().tolist() == [True, True, False, False]
    assert result["coverage_rate"].isna().tolist() == [True, True, False, False]


def test_mart_without_spec_stays_internal(working_warehouse: Settings, tmp_path: Path):
    con = duckdb.connect(str(working_warehouse.warehouse_path))
    con.execute("create table marts.mart_brand_new as select 'BP3501' as geo_code, 2 as clients")
    con.execute(
        "create table marts.dim_pokmas as "
        "select 'BP3501-PK01' as pokmas_code, 'BP3501' as bapas_code"
    )
    con.close()
    result = publish_snapshot(working_warehouse, parquet=False)

    out = export_external(result.snapshot_path, tmp_path, threshold=5)

    assert sorted(p.name for p in out.iterdir()) == [
        "dim_bapas.parquet",
        "mart_client_reach.parquet",
        "ref_kanwil.parquet",
    ]


@pytest.mark.slow
@pytest.mark.xdist_group("analyst_guide_pipeline")
def test_every_pipeline_mart_has_a_suppression_spec(pipeline_snapshot: Settings):
    path = pipeline_snapshot.published_dir / "lipas.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        marts = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() "
                "where schema_name = 'marts' and starts_with(table_name, 'mart_')"
            ).fetchall()
        }

    assert marts, "no marts published"
    assert marts - set(MART_SUPPRESSION) == set(), "add a spec in publishing/external.py"
