"""Column and table layouts as data, with the DDL and type mappings derived from them.

core/interface_tables.py declares the ledger and quality tables with these types; the
PostgreSQL mapping is also the one ingestion/postgres_copy.py copies raw tables with.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# DuckDB type -> PostgreSQL type. Strings become `text`, the type dbt's contracts expect there.
_POSTGRES_TYPES: dict[str, str] = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "HUGEINT": "numeric(38,0)",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
# DuckDB type -> the Python type its values arrive as (row types are checked against this).
PYTHON_TYPES: dict[str, type] = {
    "VARCHAR": str,
    "INTEGER": int,
    "BIGINT": int,
    "DOUBLE": float,
    "BOOLEAN": bool,
    "DATE": dt.date,
    "TIMESTAMP": dt.datetime,
}


class UnknownSqlTypeError(ValueError):
    """A DuckDB type with no PostgreSQL counterpart in this project."""


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL column type for a DuckDB column type; raises on types we do not copy."""
    upper = duckdb_type.upper()
    if upper in _POSTGRES_TYPES:
        return _POSTGRES_TYPES[upper]
    match = _DECIMAL.match(upper)
    if match:
        return f"numeric({match.group(1)},{match.group(2)})"
    raise UnknownSqlTypeError(f"no PostgreSQL type for DuckDB type {duckdb_type!r}")


@dataclass(frozen=True)
class Column:
    """One column of an interface table.

    `added_later`: appended after the first release, so `ensure_*` adds it to older warehouses.
    `file_name`: holds a file name or path as the sender chose it (masked for digit runs).
    `values`: the only values the writers store (the code checks against this tuple).
    `attr`: the Python attribute name when it differs from the stored name. The identity columns
    keep the contract's Bahasa name (`periode`, like IDENTITAS and the raw tables) while the code
    says `period` everywhere; dbt staging renames the same way.
    """

    name: str
    sql_type: str
    meaning: str
    nullable: bool = True
    primary_key: bool = False
    added_later: bool = False
    file_name: bool = False
    values: tuple[str, ...] = ()
    attr: str = ""

    @property
    def attribute(self) -> str:
        """The field name of this column in the Python row type."""
        return self.attr or self.name

    def python_type(self) -> object:
        """The type a row type's field must have: the value's type, `| None` when nullable."""
        base = PYTHON_TYPES[self.sql_type]
        return base | None if self.nullable else base


@dataclass(frozen=True)
class Table:
    """One interface table: who writes it, who reads it, and its columns in stored order."""

    schema: str
    name: str
    meaning: str
    writer: str
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        """schema.name."""
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in stored order (the order positional inserts rely on)."""
        return tuple(c.name for c in self.columns)

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """Row-type field names in stored order (`period` for the stored `periode`)."""
        return tuple(c.attribute for c in self.columns)

    @property
    def typed_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, DuckDB type) pairs in stored order."""
        return tuple((c.name, c.sql_type) for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called `name`; KeyError when the table has none."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.qualified} has no column {name!r}")

    def create_sql(self, dialect: str = "duckdb") -> str:
        """CREATE TABLE IF NOT EXISTS in `dialect` (duckdb or postgres); identifiers are ours."""
        if dialect not in ("duckdb", "postgres"):
            raise ValueError(f"unknown SQL dialect {dialect!r}")
        parts = []
        for c in self.columns:
            sql_type = postgres_type(c.sql_type) if dialect == "postgres" else c.sql_type
            parts.append(f"{c.name} {sql_type}{' PRIMARY KEY' if c.primary_key else ''}")
        body = ",\n    ".join(parts)
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n    {body}\n)"

    def add_column_sql(self, dialect: str = "duckdb") -> tuple[str, ...]:
        """ALTER TABLE statements appending the columns added after the first release."""
        return tuple(
            f"ALTER TABLE {self.qualified} ADD COLUMN IF NOT EXISTS {c.name} "
            f"{postgres_type(c.sql_type) if dialect == 'postgres' else c.sql_type}"
            for c in self.columns
            if c.added_later
        )
