"""The external copy (`published/external/`): aggregate marts with small cells suppressed.

Only marts with a reviewed suppression spec below leave Ditjen; a new mart stays internal until
someone decides which of its columns count people and which totals they add up to.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from core.duckdb_connect import open_duckdb
from publishing.catalog import list_source_tables, quote_ident
from publishing.parquet_export import catalog_name, new_version_dir, swap_link
from publishing.suppression import SuppressionSpec, suppress_small_cells

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

EXTERNAL_LINK = "external"
# Helper column: the area whose published row is the total of this row's siblings
# (Bapas rows add up to their Kanwil, Kanwil rows to the nation, group rows to their Bapas).
PARENT = "_parent_geo"
GRAIN = ("geo_level", "geo_code", "period_grain", "period")


def siblings(*breakdown: str) -> tuple[str, ...]:
    """Rows of one parent area, level, period and breakdown value: they add up to the parent."""
    return (PARENT, "geo_level", "period_grain", "period", *breakdown)


MART_SUPPRESSION: dict[str, SuppressionSpec] = {
    "mart_need_coverage": SuppressionSpec(
        count_columns=("clients_with_need", "clients_need_addressed", "clients_need_unaddressed"),
        group_by=(siblings("need_code"),),
        row_totals={"clients_with_need": ("clients_need_addressed", "clients_need_unaddressed")},
        rates={"coverage_rate": ("clients_need_addressed", "clients_with_need")},
    ),
    "mart_client_reach": SuppressionSpec(
        count_columns=("active_clients", "reached_clients", "clients_with_needs"),
        group_by=(siblings(),),
        rates={"reach_rate": ("reached_clients", "active_clients")},
    ),
    # Participant and non-participant rows of one area and period add up to its caseload,
    # which mart_client_reach publishes.
    "mart_supervision_outcomes": SuppressionSpec(
        count_columns=("clients", "revoked_clients", "new_offence_clients"),
        group_by=(GRAIN, siblings("participation_group")),
        rates={
            "revocation_rate": ("revoked_clients", "clients"),
            "new_offence_rate": ("new_offence_clients", "clients"),
        },
    ),
    "mart_pokmas_performance": SuppressionSpec(
        count_columns=(
            "clients_reached",
            "clients_employed",
            "clients_self_employed",
            "clients_further_education",
            "clients_certified",
            "participations",
            "attended_participations",
            "completed_participations",
        ),
        group_by=(siblings(),),
        rates={
            "attendance_rate": ("attended_participations", "participations"),
            "completion_rate": ("completed_participations", "attended_participations"),
            "cost_per_participant_idr": ("attended_participations",),
        },
    ),
    "mart_funding_mix": SuppressionSpec(
        count_columns=("attended_participations",),
        group_by=(GRAIN, siblings("funding_source")),
    ),
    # Targets are planned numbers, not people; realised clients are people.
    "mart_plan_realisation": SuppressionSpec(
        count_columns=("realised_clients",),
        group_by=(siblings("need_code"),),
        rates={"client_realisation_rate": ("realised_clients",)},
    ),
    "mart_griya_abhipraya": SuppressionSpec(
        count_columns=("resident_months", "admissions", "departures", "clients_served_at_house"),
        group_by=(siblings(),),
        rates={"occupancy_rate": ("resident_months",)},
    ),
    # Counts of reports and offices, not of people: nothing to suppress.
    "mart_submission_compliance": SuppressionSpec(count_columns=()),
}
# Dimensions and code lists that go out unchanged. Row-level tables (fct_*, dim_pokmas with
# partner names and agreement numbers) never leave Ditjen.
EXTERNAL_TABLES = frozenset({"dim_bapas", "dim_period", "ref_bapas", "ref_kanwil", "ref_codes"})


def export_external(snapshot: Path, published_dir: Path, threshold: int) -> Path:
    """Write the suppressed external copy next to the snapshot and swap it in."""
    target = new_version_dir(published_dir, EXTERNAL_LINK)
    con = open_duckdb(str(snapshot), read_only=True)
    try:
        tables = list_source_tables(con, catalog_name(con), ("marts", "reference"))
        parents = _parent_lookup(con, {t.name for t in tables})
        for table in tables:
            spec = MART_SUPPRESSION.get(table.name)
            if spec is None and table.name not in EXTERNAL_TABLES:
                if table.name.startswith("mart_"):
                    logger.warning(
                        "%s has no suppression spec: kept out of the external copy", table.name
                    )
                continue
            relation = f"{quote_ident(table.schema)}.{quote_ident(table.name)}"
            frame = con.execute(f"select * from {relation}").df()
            if spec is not None:
                frame = suppress_mart(frame, spec, parents, threshold)
            frame.to_parquet(target / f"{table.name}.parquet", index=False)
    finally:
        con.close()
    return swap_link(published_dir / EXTERNAL_LINK, target)


def suppress_mart(
    frame: pd.DataFrame, spec: SuppressionSpec, parents: dict[str, str], threshold: int
) -> pd.DataFrame:
    """Apply a mart's spec, with each row's parent area added for the duration."""
    if "geo_level" in frame.columns:
        frame = frame.assign(
            **{
                PARENT: [
                    _parent(level, code, parents)
                    for level, code in zip(frame["geo_level"], frame["geo_code"], strict=True)
                ]
            }
        )
    result = suppress_small_cells(
        frame,
        spec.count_columns,
        threshold,
        group_by=spec.group_by,
        row_totals=spec.row_totals,
        rates=spec.rates,
    )
    return result.drop(columns=[PARENT], errors="ignore")


def _parent(level: str, code: str, parents: dict[str, str]) -> str | None:
    if level == "kanwil":
        return "ID"
    if level in ("bapas", "pokmas"):
        return parents.get(code)
    return None


def _parent_lookup(con: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, str]:
    """Bapas -> Kanwil and partner group -> Bapas codes, from the published dimensions."""
    lookup: dict[str, str] = {}
    if "dim_bapas" in present:
        lookup.update(con.execute("select bapas_code, kanwil_code from marts.dim_bapas").fetchall())
    if "dim_pokmas" in present:
        lookup.update(
            con.execute("select distinct pokmas_code, bapas_code from marts.dim_pokmas").fetchall()
        )
    return lookup
