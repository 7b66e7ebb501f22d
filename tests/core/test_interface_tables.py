"""Interface tables are declared once: the DDL, dbt's macro and the docs all derive from it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb
import pytest

from core import interface_docs
from core.interface_tables import (
    DBT_QUALITY_SOURCES,
    INTERFACE_TABLES,
    LEDGER_SUBMISSIONS,
    QUALITY_SUBMISSION_STATUS,
    Column,
    Table,
    UnknownSqlTypeError,
    postgres_type,
)

PG_SPELLING = {"timestamp": "timestamp without time zone"}


def _layout(con: duckdb.DuckDBPyConnection, table: Table) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [table.schema, table.name],
    ).fetchall()


def _primary_keys(con: duckdb.DuckDBPyConnection, table: Table) -> list[str]:
    rows = con.execute(
        "select constraint_column_names from duckdb_constraints()"
        " where schema_name = ? and table_name = ? and constraint_type = 'PRIMARY KEY'",
        [table.schema, table.name],
    ).fetchall()
    return [name for (names,) in rows for name in names]


def test_generated_files_are_up_to_date() -> None:
    stale = interface_docs.stale_files()
    assert stale == [], f"run `python -m core.interface_docs`: stale {stale}"


def test_a_stale_generated_file_is_caught() -> None:
    folder = Path(tempfile.mkdtemp(prefix="h4-iface-"))
    docs = folder / "warehouse.md"
    docs.write_text(f"# x\n\n{interface_docs.BEGIN}\nold table\n{interface_docs.END}\n")
    macro = folder / "ensure_quality_tables.sql"
    macro.write_text(interface_docs.render_macro().replace("counts_as_on_time", "on_time_flag"))
    files = interface_docs.generated_files(docs, macro)
    assert interface_docs.stale_files(files) == [macro, docs]
    macro.write_text(files[0].text)
    docs.write_text(files[1].text)
    assert interface_docs.stale_files(files) == []
    # Hand-written text around the markers is kept.
    assert docs.read_text().startswith("# x\n\n")


def test_docs_list_every_declared_column_in_order() -> None:
    text = interface_docs.render_table_docs()
    for table in INTERFACE_TABLES:
        block = text.split(f"### `{table.qualified}`", 1)[1].split("\n### ", 1)[0]
        rows = re.findall(r"^\| `([a-z0-9_]+)` \| ([A-Z]+) \| (yes|no) \|", block, re.MULTILINE)
        assert rows == [
            (c.name, c.sql_type, "yes" if c.nullable else "no") for c in table.columns
        ], table.qualified


@pytest.mark.parametrize("table", INTERFACE_TABLES, ids=lambda t: t.qualified)
def test_duckdb_ddl_gives_the_declared_layout(table: Table) -> None:
    con = duckdb.connect(":memory:")
    con.execute(f"create schema {table.schema}")
    con.execute(table.create_sql())
    con.execute(table.create_sql())  # idempotent
    assert _layout(con, table) == list(table.typed_columns)
    assert _primary_keys(con, table) == [c.name for c in table.columns if c.primary_key]


def test_columns_added_later_reach_an_older_table() -> None:
    con = duckdb.connect(":memory:")
    con.execute("create schema quality")
    original = [c for c in QUALITY_SUBMISSION_STATUS.columns if not c.added_later]
    older = Table("quality", "submission_status", "", "", tuple(original))
    con.execute(older.create_sql())
    for statement in QUALITY_SUBMISSION_STATUS.add_column_sql():
        con.execute(statement)
    assert _layout(con, QUALITY_SUBMISSION_STATUS) == list(QUALITY_SUBMISSION_STATUS.typed_columns)


def test_dbt_macro_statements_build_the_declared_tables_on_duckdb() -> None:
    macro = interface_docs.render_macro()
    duckdb_part = macro.split("{%- else -%}", 1)[1].split("{%- endif -%}", 1)[0]
    statements = re.findall(r'"((?:create|alter) [^"]+)"', duckdb_part)
    con = duckdb.connect(":memory:")
    for statement in statements:
        con.execute(statement)
    for statement in statements:  # the hook runs before every dbt command
        con.execute(statement)
    for table in DBT_QUALITY_SOURCES:
        assert _layout(con, table) == list(table.typed_columns)


def test_postgres_ddl_uses_the_copy_mapping() -> None:
    ddl = LEDGER_SUBMISSIONS.create_sql("postgres")
    assert "submission_id text PRIMARY KEY" in ddl
    assert "received_at timestamp" in ddl and "versi integer" in ddl
    assert postgres_type("DECIMAL(18,2)") == "numeric(18,2)"
    with pytest.raises(UnknownSqlTypeError):
        postgres_type("MAP(VARCHAR, INTEGER)")


def test_names_are_unique_and_plain() -> None:
    assert len({t.qualified for t in INTERFACE_TABLES}) == len(INTERFACE_TABLES)
    for table in INTERFACE_TABLES:
        names = table.column_names
        assert len(set(names)) == len(names), table.qualified
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names), table.qualified
        assert all(c.meaning.strip() for c in table.columns), table.qualified
        # Added columns are appended, never inserted in the middle (positional inserts).
        flags = [c.added_later for c in table.columns]
        assert flags == sorted(flags), table.qualified


def test_python_type_follows_nullability() -> None:
    assert Column("a", "VARCHAR", "x", nullable=False).python_type() is str
    assert Column("a", "INTEGER", "x").python_type() == int | None


@pytest.mark.postgres
def test_dbt_macro_statements_build_the_declared_tables_on_postgres() -> None:
    """The PostgreSQL branch of the generated macro, on a real PostgreSQL 15 server."""
    from tests.support.postgres_cluster import postgres_available, start_cluster

    if not postgres_available():
        pytest.skip("PostgreSQL 15 server binaries not installed")
    import psycopg2

    macro = interface_docs.render_macro()
    pg_part = macro.split("{%- if target.type == 'postgres' -%}", 1)[1].split("{%- else -%}")[0]
    statements = re.findall(r'"((?:create|alter) [^"]+)"', pg_part)
    cluster = start_cluster(Path(tempfile.mkdtemp(prefix="h4-iface-pg-")))
    try:
        con = psycopg2.connect(cluster.dsn())
        try:
            with con.cursor() as cur:
                for statement in statements + statements:  # the hook runs before every command
                    cur.execute(statement)
                for table in DBT_QUALITY_SOURCES:
                    cur.execute(
                        "select column_name, data_type from information_schema.columns"
                        " where table_schema = %s and table_name = %s order by ordinal_position",
                        (table.schema, table.name),
                    )
                    got = cur.fetchall()
                    # information_schema spells `timestamp` out in full.
                    wanted = [
                        (
                            c.name,
                            PG_SPELLING.get(postgres_type(c.sql_type), postgres_type(c.sql_type)),
                        )
                        for c in table.columns
                    ]
                    assert got == wanted, table.qualified
        finally:
            con.close()
    finally:
        cluster.stop()
