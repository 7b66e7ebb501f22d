"""The quality tables have exactly the columns docs/architecture.md promises dbt and alerts."""

from __future__ import annotations

import re

import duckdb
import pytest

from core.settings import PROJECT_ROOT
from quality.store import QUALITY_TABLES, ensure_quality_tables

ARCHITECTURE = PROJECT_ROOT / "docs" / "architecture.md"
TYPED = re.compile(r"([a-z_]+)\s+(VARCHAR|DATE|BOOLEAN|TIMESTAMP|INTEGER|DOUBLE)\b")


def _documented(table: str) -> list[tuple[str, str]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    if table == "findings":
        block = text.split("`quality.findings`, one row per", 1)[1].split("Rule families", 1)[0]
        return [(n, "") for n in re.findall(r"`([a-z_]+)`", block)]
    block = text.split(f"`quality.{table}`", 1)[1]
    columns = next(seg for seg in block.split("`")[1::2] if "VARCHAR" in seg)
    return TYPED.findall(columns)


@pytest.mark.parametrize("table", ["findings", "submission_status", "submission_scores"])
def test_columns_match_architecture(table: str) -> None:
    con = duckdb.connect(":memory:")
    ensure_quality_tables(con)
    ensure_quality_tables(con)  # idempotent
    actual = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'quality' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    documented = _documented(table)
    assert [c for c, _t in actual] == [c for c, _t in documented]
    if table != "findings":
        assert [t for _c, t in actual] == [t for _c, t in documented]
    assert [c for c, _t in QUALITY_TABLES[table]] == [c for c, _t in actual]
