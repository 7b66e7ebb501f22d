"""The analyst guide: its generated table reference, and every example query actually runs."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from core.settings import Settings
from publishing.catalog import load_table_docs
from publishing.guide import (
    BEGIN,
    END,
    GUIDE_PATH,
    GuideOutOfDateError,
    render_table_reference,
    update_guide,
)
from tests.publishing.pipeline_data import DBT_TARGET

SQL_BLOCK = re.compile(
    r"^### (?P<title>[^\n]+)\n(?:(?!^### ).)*?^```sql\n(?P<sql>.*?)^```", re.S | re.M
)
# Examples whose answer may legitimately be empty on a small generated data set.
MAY_BE_EMPTY = {"4.9 Bapas below the two-Pokmas minimum"}


def guide_queries() -> list[tuple[str, str]]:
    text = GUIDE_PATH.read_text(encoding="utf-8")
    return [(m["title"].strip(), m["sql"]) for m in SQL_BLOCK.finditer(text)]


QUERIES = guide_queries()


def test_guide_has_ten_worked_queries_each_one_statement():
    assert len(QUERIES) == 10
    assert len(re.findall(r"^```sql$", GUIDE_PATH.read_text(encoding="utf-8"), re.M)) == 10
    for title, sql in QUERIES:
        assert len(duckdb.extract_statements(sql)) == 1, title


def test_table_reference_renders_descriptions_and_columns(manifest: Path):
    text = render_table_reference(load_table_docs(manifest))

    assert "### `marts.mart_client_reach`" in text
    assert "Don't sum." in text
    assert "| `reach_rate` | double | reached / active |" in text
    assert "stg_secret" not in text


def test_update_guide_rewrites_only_the_generated_block(tmp_path: Path, manifest: Path):
    guide = tmp_path / "guide.md"
    guide.write_text(f"# Hand-written\n\n{BEGIN}\nstale\n{END}\n\nfooter\n", encoding="utf-8")

    with pytest.raises(GuideOutOfDateError):
        update_guide(guide, manifest, check=True)
    assert update_guide(guide, manifest) is True
    assert update_guide(guide, manifest, check=True) is False

    text = guide.read_text(encoding="utf-8")
    assert text.startswith("# Hand-written\n")
    assert text.endswith("footer\n")
    assert "stale" not in text
    assert "marts.mart_client_reach" in text


@pytest.mark.slow
@pytest.mark.xdist_group("analyst_guide_pipeline")
@pytest.mark.parametrize(("title", "sql"), [pytest.param(t, s, id=t) for t, s in QUERIES])
def test_guide_query_runs_on_published_snapshot(pipeline_snapshot: Settings, title: str, sql: str):
    path = pipeline_snapshot.published_dir / "lipas.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()

    assert columns, title
    assert len(columns) == len(set(columns)), f"duplicate column names in {title}"
    if title not in MAY_BE_EMPTY:
        assert rows, f"{title}: no rows on generated data"


@pytest.mark.slow
@pytest.mark.xdist_group("analyst_guide_pipeline")
def test_every_published_mart_carries_its_description(pipeline_snapshot: Settings):
    path = pipeline_snapshot.published_dir / "lipas.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        undocumented = con.execute(
            "select table_name from duckdb_tables() "
            "where schema_name = 'marts' and coalesce(comment, '') = ''"
        ).fetchall()
        tables = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts'"
        ).fetchone()

    assert tables is not None and tables[0] >= 14
    assert undocumented == []


@pytest.mark.slow
@pytest.mark.xdist_group("analyst_guide_pipeline")
def test_guide_table_reference_matches_dbt_docs(pipeline_snapshot: Settings, tmp_path: Path):
    # The build's manifest is the current dbt project: if a mart's docs changed, the guide must
    # be regenerated with `lipas analyst-guide`.
    copy = tmp_path / "analyst-guide.md"
    copy.write_text(GUIDE_PATH.read_text(encoding="utf-8"), encoding="utf-8")

    changed = update_guide(copy, pipeline_snapshot.home / DBT_TARGET / "manifest.json")

    assert changed is False, "docs/analyst-guide.md is stale: run `lipas analyst-guide`"
