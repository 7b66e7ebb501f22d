"""PostgreSQL target: a read-only `lipas_analyst` role on the `marts` schema, with dbt comments.

On the grown-up deployment dbt builds the marts straight into PostgreSQL schema `marts`; this
grants analysts SELECT on it (now and for tables dbt creates later) and copies the dbt docs into
table and column comments, so describing a mart in psql explains each column.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings
from core.settings_registry import setting
from publishing.catalog import load_table_docs, quote_ident, sql_string_literal

logger = logging.getLogger(__name__)

ANALYST_ROLE = "lipas_analyst"
PUBLISHED_PG_SCHEMAS: tuple[str, ...] = ("marts", "reference")


class PostgresPrivilegeError(RuntimeError):
    """The PostgreSQL user lacks a privilege; the message carries the SQL a DBA must run once.

    Regression (issue 14 item 1): `lipas publish --postgres` as a database owner without
    CREATEROLE printed a traceback ("permission denied to create role").
    """

    def __init__(self, what: str, statements: tuple[str, ...]) -> None:
        self.statements = statements
        sql = " ".join(statements)
        super().__init__(
            f"{what}. A PostgreSQL administrator must run once: {sql} - then run the command again"
        )


def _pg_user(conn: Any) -> str:
    with conn.cursor() as cur:
        cur.execute("select current_user")
        return str(cur.fetchone()[0])


def _copy(duckdb_path: Path, conn: Any, schemas: tuple[str, ...]) -> list[Any]:
    """`copy_to_postgres`, with a missing CREATE privilege explained as the GRANT to run."""
    import psycopg2

    from ingestion.postgres_copy import copy_to_postgres

    try:
        return copy_to_postgres(duckdb_path, conn, schemas=schemas)
    except psycopg2.errors.InsufficientPrivilege as exc:
        conn.rollback()
        user = _pg_user(conn)
        with conn.cursor() as cur:
            cur.execute("select current_database()")
            database = str(cur.fetchone()[0])
        raise PostgresPrivilegeError(
            f"PostgreSQL user {user} may not create schemas {', '.join(schemas)} "
            f"({_first_line(exc)})",
            (f"GRANT CREATE ON DATABASE {quote_ident(database)} TO {quote_ident(user)};",),
        ) from exc


def copy_inputs_to_postgres(settings: Settings, conn: Any) -> list[Any]:
    """Copy raw, ledger and quality from the DuckDB warehouse: the inputs dbt reads on PostgreSQL.

    Regression (issue 14 item 1): `lipas build --target postgres` on a fresh database stopped
    with `relation "ledger.submissions" does not exist` because no command put them there.
    Ingestion and the quality checks always write the DuckDB warehouse; this is the one copy.
    """
    from ingestion.postgres_copy import COPIED_SCHEMAS

    if not settings.warehouse_path.is_file():
        raise FileNotFoundError(
            f"no warehouse at {settings.warehouse_path} to copy the inputs from: "
            "run `lipas ingest` and `lipas check` (or `lipas nightly`) first"
        )
    return _copy(settings.warehouse_path, conn, COPIED_SCHEMAS)


def prepare_postgres_inputs(settings: Settings) -> int:
    """Connect with LIPAS_PG_* and copy the inputs; the nightly's dbt step calls this first."""
    import psycopg2

    conn = psycopg2.connect(**pg_connect_kwargs())
    try:
        return len(copy_inputs_to_postgres(settings, conn))
    finally:
        conn.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass(frozen=True)
class PostgresAccessResult:
    """What `grant_analyst_access` did."""

    role: str
    schemas: tuple[str, ...]
    tables: int
    comments: int


def pg_connect_kwargs(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Connection settings from the same LIPAS_PG_* variables dbt's profile reads."""
    return {
        "host": setting("LIPAS_PG_HOST").text(environ),
        "port": setting("LIPAS_PG_PORT").integer(environ, minimum=1),
        "user": setting("LIPAS_PG_USER").text(environ),
        "password": setting("LIPAS_PG_PASSWORD").value(environ),
        "dbname": setting("LIPAS_PG_DBNAME").text(environ),
        "connect_timeout": 10,
    }


def publish_to_postgres(
    settings: Settings, conn: Any, *, manifest_path: Path | None = None
) -> PostgresAccessResult:
    """Make the marts readable by `lipas_analyst` on PostgreSQL.

    When dbt builds on PostgreSQL (LIPAS_DBT_TARGET=postgres) the tables are already there. On
    the embedded DuckDB deployment the published snapshot's `marts` and `reference` tables are
    copied in first (each table replaced in its own transaction), so analysts with only a
    PostgreSQL client can still use them.
    """
    if settings.dbt_target == "duckdb":
        from publishing.snapshot import snapshot_path

        snapshot = snapshot_path(settings)
        if not snapshot.exists():
            raise FileNotFoundError(f"no published snapshot at {snapshot}: run `lipas publish`")
        copied = _copy(snapshot, conn, PUBLISHED_PG_SCHEMAS)
        logger.info("copied %d published tables into PostgreSQL", len(copied))
    return grant_analyst_access(conn, manifest_path=manifest_path or settings.dbt_manifest_path())


def grant_analyst_access(
    conn: Any,
    *,
    role: str = ANALYST_ROLE,
    schemas: tuple[str, ...] = PUBLISHED_PG_SCHEMAS,
    manifest_path: Path | None = None,
) -> PostgresAccessResult:
    """Create the read-only role (NOLOGIN: grant it to analysts' login roles) and its grants.

    Idempotent: safe to run after every `dbt build --target postgres`.

    Args:
        conn: an open psycopg2 connection as the owner of the marts (the dbt user).
        role: the group role analysts are made members of.
        schemas: schemas to expose; those that do not exist are skipped.
        manifest_path: dbt manifest for comments (default: the dbt target folder).
    """
    docs = load_table_docs(manifest_path)
    _ensure_role(conn, role)
    tables = 0
    comments = 0
    with conn.cursor() as cur:
        cur.execute(
            "select nspname from pg_namespace where nspname = any(%s) order by nspname",
            (list(schemas),),
        )
        present = [row[0] for row in cur.fetchall()]
        for schema in present:
            s, r = quote_ident(schema), quote_ident(role)
            cur.execute(f"grant usage on schema {s} to {r}")
            cur.execute(f"grant select on all tables in schema {s} to {r}")
            cur.execute(f"alter default privileges in schema {s} grant select on tables to {r}")
            cur.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                (schema,),
            )
            for (name,) in cur.fetchall():
                tables += 1
                comments += _comment(cur, schema, name, docs.get((schema, name)))
    conn.commit()
    logger.info("granted %s read access to %d tables in %s", role, tables, present)
    return PostgresAccessResult(role=role, schemas=tuple(present), tables=tables, comments=comments)


def _ensure_role(conn: Any, role: str) -> None:
    """Create the NOLOGIN group role, or explain the one statement a DBA must run instead."""
    import psycopg2

    with conn.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (role,))
        if cur.fetchone() is not None:
            return
        try:
            cur.execute(f"create role {quote_ident(role)} nologin")
        except psycopg2.errors.InsufficientPrivilege as exc:
            conn.rollback()
            raise PostgresPrivilegeError(
                f"PostgreSQL user {_pg_user(conn)} may not create role {role} "
                "(it needs CREATEROLE)",
                (f"CREATE ROLE {quote_ident(role)} NOLOGIN;",),
            ) from exc
    conn.commit()


def _comment(cur: Any, schema: str, name: str, doc: Any) -> int:
    if doc is None:
        return 0
    relation = f"{quote_ident(schema)}.{quote_ident(name)}"
    count = 0
    if doc.description:
        cur.execute(f"comment on table {relation} is {sql_string_literal(doc.description)}")
        count += 1
    cur.execute(
        "select column_name from information_schema.columns "
        "where table_schema = %s and table_name = %s",
        (schema, name),
    )
    existing = {row[0] for row in cur.fetchall()}
    for column, text in doc.columns.items():
        if column in existing and text:
            cur.execute(
                f"comment on column {relation}.{quote_ident(column)} is {sql_string_literal(text)}"
            )
            count += 1
    return count
