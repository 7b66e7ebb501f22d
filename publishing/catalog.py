"""Which tables get published, and their descriptions from the dbt manifest."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.settings import DBT_PROJECT_DIR

logger = logging.getLogger(__name__)

# Schemas copied into the published snapshot: the marts, plus the reference seeds (Bapas,
# Kanwil, code lists) that the analyst guide joins to for names and labels.
PUBLISHED_SCHEMAS: tuple[str, ...] = ("marts", "reference")
DEFAULT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


@dataclass(frozen=True)
class TableDoc:
    """Description of one published table and its columns, as documented in dbt."""

    schema: str
    name: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    column_types: dict[str, str] = field(default_factory=dict)
    resource_type: str = "model"
    path: str = ""


@dataclass(frozen=True)
class SourceTable:
    """A table found in the working warehouse's catalog (the identifier allowlist)."""

    schema: str
    name: str


def quote_ident(name: str) -> str:
    """Double-quote an identifier read from a catalog query (never from user input)."""
    return '"' + name.replace('"', '""') + '"'


def sql_string_literal(text: str) -> str:
    """Quote text as a SQL string literal.

    Only for `COMMENT ON ... IS`, which accepts no bound parameters in DuckDB or PostgreSQL;
    the text is our own dbt documentation, and quotes are doubled so it cannot end the literal.
    """
    return "'" + text.replace("'", "''") + "'"


def load_table_docs(manifest_path: Path | None = None) -> dict[tuple[str, str], TableDoc]:
    """Descriptions of the models and seeds in the published schemas, keyed by (schema, name).

    A missing manifest is not an error (publishing must not depend on `dbt parse` having run),
    it only means the published tables carry no comments.
    """
    path = manifest_path or DEFAULT_MANIFEST
    if not path.exists():
        logger.warning("dbt manifest %s not found: publishing without table descriptions", path)
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    docs: dict[tuple[str, str], TableDoc] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed"):
            continue
        schema = node.get("schema", "")
        if schema not in PUBLISHED_SCHEMAS:
            continue
        name = node.get("alias") or node["name"]
        columns = node.get("columns", {})
        docs[(schema, name)] = TableDoc(
            schema=schema,
            name=name,
            description=(node.get("description") or "").strip(),
            columns={c: (v.get("description") or "").strip() for c, v in columns.items()},
            column_types={c: v.get("data_type") or "" for c, v in columns.items()},
            resource_type=node["resource_type"],
            path=node.get("original_file_path", ""),
        )
    return docs


def list_source_tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS
) -> list[SourceTable]:
    """Base tables and views of `schemas` in the attached database `catalog`, sorted."""
    rows = con.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_catalog = ? and list_contains(?, table_schema)
        order by table_schema, table_name
        """,
        [catalog, list(schemas)],
    ).fetchall()
    return [SourceTable(schema=row[0], name=row[1]) for row in rows]


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str, table: SourceTable) -> list[str]:
    """Column names of a table in catalog order."""
    rows = con.execute(
        """
        select column_name
        from information_schema.columns
        where table_catalog = ? and table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [catalog, table.schema, table.name],
    ).fetchall()
    return [row[0] for row in rows]
