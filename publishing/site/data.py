"""Read the published marts for the site: every figure on a page is one cell of one mart row.

The site never recomputes an indicator. A `Cell` carries the value together with the mart,
column and row key it came from, so each page figure can be traced (and tested) back to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from core.duckdb_connect import open_duckdb
from publishing.catalog import sql_string_literal

MARTS = (
    "mart_client_reach",
    "mart_need_coverage",
    "mart_funding_mix",
    "mart_plan_realisation",
    "mart_griya_abhipraya",
    "mart_pokmas_performance",
    "mart_supervision_outcomes",
    "mart_submission_compliance",
)
DIMENSIONS = ("dim_bapas", "ref_codes")
# Breakdown column of each mart beyond the shared grain (None: one row per area and period).
BREAKDOWN: dict[str, str | None] = {
    "mart_client_reach": None,
    "mart_need_coverage": "need_code",
    "mart_funding_mix": "funding_source",
    "mart_plan_realisation": "need_code",
    "mart_griya_abhipraya": None,
    "mart_pokmas_performance": None,
    "mart_supervision_outcomes": "participation_group",
    "mart_submission_compliance": "report_kind",
}


class SiteDataError(RuntimeError):
    """The snapshot lacks a mart the site needs (publish first)."""


@dataclass(frozen=True)
class Cell:
    """One mart value and where it came from (`key` = geo_level|geo_code|grain|period|part)."""

    value: float | int | None
    mart: str
    column: str
    key: str


@dataclass(frozen=True)
class Area:
    """A page: the nation, a Kanwil or a Bapas."""

    level: str
    code: str
    name: str
    parent: str | None = None


class Marts:
    """The published marts in memory (they are aggregates: a few thousand rows each)."""

    def __init__(
        self, frames: dict[str, pd.DataFrame], bapas: pd.DataFrame, codes: pd.DataFrame
    ) -> None:
        """Index each mart by its grain for direct cell lookups."""
        self.need_labels = {
            str(r["code"]): str(r["label_id"])
            for r in codes.to_dict("records")
            if r["code_list"] == "kebutuhan"
        }
        self._areas: list[Area] | None = None
        self._rows: dict[str, dict[str, dict[str, Any]]] = {}
        # (mart, level, code, grain) -> periods and (..., period) -> breakdown values: a page
        # asks these a dozen times, a pandas filter each time cost seconds per site.
        self._periods: dict[tuple[str, ...], set[str]] = {}
        self._parts: dict[tuple[str, ...], set[str]] = {}
        for mart, frame in frames.items():
            part = BREAKDOWN[mart]
            index: dict[str, dict[str, Any]] = {}
            for record in frame.to_dict("records"):
                grain = (
                    mart,
                    str(record["geo_level"]),
                    str(record["geo_code"]),
                    str(record["period_grain"]),
                )
                value = record[part] if part else None
                key = row_key(*grain[1:], str(record["period"]), value)
                index[key] = record
                self._periods.setdefault(grain, set()).add(str(record["period"]))
                if value is not None and not (isinstance(value, float) and math.isnan(value)):
                    self._parts.setdefault((*grain, str(record["period"])), set()).add(str(value))
            self._rows[mart] = index
        self.frames = frames
        self.bapas = bapas

    def cell(
        self, mart: str, column: str, area: Area, grain: str, period: str, part: str | None = None
    ) -> Cell:
        """The value of `column` in the mart row of this area, period and breakdown (or None)."""
        key = row_key(area.level, area.code, grain, period, part)
        row = self._rows[mart].get(key)
        return Cell(
            value=_plain(row.get(column)) if row else None, mart=mart, column=column, key=key
        )

    def periods(self, mart: str, grain: str, area: Area) -> list[str]:
        """Periods of this grain with a row for the area, oldest first."""
        return sorted(self._periods.get((mart, area.level, area.code, grain), ()))

    def parts(self, mart: str, area: Area, grain: str, period: str) -> list[str]:
        """Breakdown values present for the area and period, in code order."""
        return sorted(self._parts.get((mart, area.level, area.code, grain, period), ()))

    def areas(self) -> list[Area]:
        """The nation, then every Kanwil and every Bapas that has a row in any mart."""
        if self._areas is None:
            self._areas = list(self._list_areas())
        return self._areas

    def _list_areas(self) -> Iterator[Area]:
        present = {
            (level, code)
            for frame in self.frames.values()
            for level, code in zip(frame["geo_level"], frame["geo_code"], strict=True)
        }
        yield Area("national", "ID", "Nasional")
        offices = self.bapas.sort_values("bapas_code").to_dict("records")
        kanwil = {r["kanwil_code"]: r["kanwil_name"] for r in offices}
        for code in sorted(kanwil):
            if ("kanwil", code) in present:
                yield Area("kanwil", code, str(kanwil[code] or code), "ID")
        for record in offices:
            if ("bapas", record["bapas_code"]) in present:
                yield Area(
                    "bapas",
                    record["bapas_code"],
                    str(record["short_name"] or record["bapas_code"]),
                    record["kanwil_code"],
                )

    def children(self, area: Area) -> list[Area]:
        """Kanwil under the nation, Bapas under a Kanwil, nothing under a Bapas."""
        below = {"national": "kanwil", "kanwil": "bapas"}.get(area.level)
        return [a for a in self.areas() if a.level == below and a.parent == area.code]


def row_key(level: str, code: str, grain: str, period: str, part: str | None) -> str:
    """The identifier of a mart row, as written into the page's `data-key` attributes."""
    return "|".join((str(level), str(code), str(grain), str(period), part or ""))


def load_snapshot(snapshot: Path) -> Marts:
    """Read the marts from the published DuckDB snapshot (internal site)."""
    if not snapshot.exists():
        raise SiteDataError(f"{snapshot} does not exist: run `lipas publish` first")
    con = open_duckdb(str(snapshot), read_only=True)
    try:
        return Marts(
            {m: _read(con, f"marts.{m}") for m in MARTS},
            _read(con, "marts.dim_bapas"),
            _read(con, "reference.ref_codes"),
        )
    finally:
        con.close()


def load_external(external_dir: Path) -> Marts:
    """Read the small-cell-suppressed external copy (`published/external/<table>.parquet`)."""
    con = open_duckdb()
    try:
        frames = {}
        for table in (*MARTS, *DIMENSIONS):
            path = external_dir / f"{table}.parquet"
            if not path.exists():
                raise SiteDataError(f"{path} is missing: run `lipas publish --external` first")
            # read_parquet takes no bound parameter in a FROM clause; the path is ours, quoted.
            frames[table] = _read(con, f"read_parquet({sql_string_literal(str(path))})")
        bapas = frames.pop("dim_bapas")
        return Marts(frames, bapas, frames.pop("ref_codes"))
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, relation: str) -> pd.DataFrame:
    try:
        frame = con.execute(f"select * from {relation}").df()
    except duckdb.Error as exc:
        raise SiteDataError(f"cannot read {relation}: {exc}") from exc
    return frame.astype(object).where(frame.notna(), None)


def _plain(value: Any) -> float | int | None:
    """Python number from a pandas/numpy/Decimal cell (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = float(value)
    if math.isnan(number):  # pandas' missing value in a float column: no data, like None
        return None
    return int(number) if number.is_integer() and not isinstance(value, float) else number
