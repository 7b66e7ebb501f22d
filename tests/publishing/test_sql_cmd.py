"""`lipas sql` and `lipas publish`: read-only queries, exports, suppression, the REPL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings
from publishing.snapshot import publish_snapshot
from publishing.sql_access import short_description, statement_complete

runner = CliRunner()


@pytest.fixture
def published(working_warehouse: Settings, manifest: Path) -> Settings:
    publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    return working_warehouse


def test_sql_prints_a_table(published: Settings):
    result = runner.invoke(
        build_app(),
        ["sql", "select bapas_code, kanwil_code from marts.dim_bapas order by bapas_code"],
    )

    assert result.exit_code == 0, result.output
    assert "BP3201" in result.stdout
    assert "KW32" in result.stdout
    assert "3 rows" in result.stdout


def test_sql_exports_csv_and_parquet(published: Settings, tmp_path: Path):
    csv, parquet = tmp_path / "out" / "reach.csv", tmp_path / "reach.parquet"

    result = runner.invoke(
        build_app(),
        [
            "sql",
            "select geo_code, period, active_clients from marts.mart_client_reach",
            "--csv",
            str(csv),
            "--parquet",
            str(parquet),
        ],
    )

    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(csv)) == 9
    assert pd.read_parquet(parquet)["active_clients"].tolist() == [4] * 9


def test_sql_suppress_masks_small_counts(published: Settings, tmp_path: Path):
    csv = tmp_path / "external.csv"

    result = runner.invoke(
        build_app(),
        [
            "sql",
            "select geo_code, sum(active_clients) as clients, count(*) as months "
            "from marts.mart_client_reach group by geo_code order by geo_code",
            "--suppress",
            "--threshold",
            "10",
            "--csv",
            str(csv),
        ],
    )

    assert result.exit_code == 0, result.output
    frame = pd.read_csv(csv)
    assert frame["clients"].tolist() == [12, 12, 12]
    assert frame["months"].isna().all()


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("create table marts.x as select 1", id="create table"),
        pytest.param("delete from marts.dim_bapas", id="delete"),
        pytest.param("copy marts.dim_bapas to 'leak.csv'", id="copy to file"),
        pytest.param("attach 'other.duckdb' as other", id="attach"),
        pytest.param("set enable_external_access = true", id="re-enable file access"),
    ],
)
def test_sql_is_read_only(published: Settings, statement: str):
    result = runner.invoke(build_app(), ["sql", statement])

    assert result.exit_code == 1
    assert "error" in result.output.lower()


def test_sql_without_snapshot_says_what_to_do(lipas_home: Settings):
    result = runner.invoke(build_app(), ["sql", "select 1"])

    assert result.exit_code == 2
    assert "lipas publish" in result.output


def test_repl_multiline_tables_and_errors(published: Settings):
    session = "\n".join(
        [
            ".tables",
            "select count(*) as n",
            "from marts.fct_client_month",
            "where period = '2025-01';",
            "selec broken;",
            "select 'still; here' as s;",
            ".quit",
            "select 'never run';",
        ]
    )

    result = runner.invoke(build_app(), ["sql"], input=session + "\n")

    assert result.exit_code == 0, result.output
    assert "marts.mart_client_reach" in result.stdout
    assert "Reach: share of active clients" in result.stdout
    assert "12" in result.stdout
    assert "syntax error" in result.stdout
    assert "still; here" in result.stdout
    assert "never run" not in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Short one.", "Short one.", id="short"),
        pytest.param("First sentence. Second one.", "First sentence.", id="first sentence"),
        pytest.param("word " * 30, ("word " * 18).strip() + "…", id="cut at a word boundary"),
        pytest.param("", "", id="no description"),
    ],
)
def test_tables_descriptions_never_end_mid_word(text: str, expected: str):
    """Regression (issue 14 item 10): `.tables` cut descriptions mid-word at 90 characters."""
    assert short_description(text) == expected
    assert len(short_description(text)) <= 91


@pytest.mark.parametrize(
    ("buffer", "complete"),
    [
        pytest.param("select 1;", True, id="simple"),
        pytest.param("select 1", False, id="no semicolon"),
        pytest.param("select ';", False, id="semicolon inside string"),
        pytest.param("select 1 /* ;", False, id="semicolon inside comment"),
        pytest.param("selec 1;", True, id="syntax error is complete"),
    ],
)
def test_statement_complete(buffer: str, complete: bool):
    assert statement_complete(buffer) is complete


def test_publish_command_and_status(working_warehouse: Settings):
    published = runner.invoke(build_app(), ["publish", "--run-id", "cli-run", "--external"])
    status = runner.invoke(build_app(), ["publish", "--status"])

    assert published.exit_code == 0, published.output
    assert str(working_warehouse.published_dir / "lipas.duckdb") in published.stdout
    assert (working_warehouse.published_dir / "external" / "mart_client_reach.parquet").exists()
    assert '"state": "published"' in status.stdout
    assert '"run_id": "cli-run"' in status.stdout


def test_publish_command_fails_cleanly_without_warehouse(lipas_home: Settings):
    result = runner.invoke(build_app(), ["publish"])

    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_publish_postgres_reports_unreachable_server(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LIPAS_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("LIPAS_PG_PORT", "1")

    result = runner.invoke(build_app(), ["publish", "--postgres"])

    assert result.exit_code == 1
    assert "cannot connect to PostgreSQL" in result.output
