"""What each page shows, as mart cells: sections for one area (nation, Kanwil or Bapas).

Selection and ordering only (latest period, largest unmet needs, rankings); every number is a
`Cell` looked up in a mart, never computed here.
"""

from __future__ import annotations

from publishing.site.data import Area, Marts
from publishing.site.model import Page, Row, completeness, page_path

TREND_MONTHS = 12
SOURCES = ("APBN", "APBD", "CSR", "SWADAYA", "HIBAH")
GROUPS = {"participant": "Peserta kegiatan", "non_participant": "Bukan peserta"}
UNMET_SHOWN = 3
POKMAS_COLUMNS = (
    "registered_groups",
    "active_groups",
    "groups_agreement_valid",
    "groups_agreement_expired",
    "bapas_months_reported",
    "bapas_months_meeting_minimum",
    "minimum_groups_compliance_rate",
    "activities",
    "attended_participations",
    "attendance_rate",
    "completion_rate",
    "clients_reached",
    "clients_employed",
    "clients_self_employed",
    "total_cost_idr",
    "cost_per_participant_idr",
)
GRIYA_COLUMNS = (
    "houses_reporting",
    "capacity_bed_months",
    "resident_months",
    "occupancy_rate",
    "admissions",
    "departures",
    "activities_at_house",
    "clients_served_at_house",
)
OUTCOME_COLUMNS = (
    "clients",
    "checkin_attendance_rate",
    "revoked_clients",
    "revocation_rate",
    "new_offence_clients",
    "new_offence_rate",
)
PLAN_COLUMNS = (
    "target_clients",
    "realised_clients",
    "client_realisation_rate",
    "target_activities",
    "realised_activities",
    "planned_budget_idr",
    "realised_cost_idr",
    "budget_realisation_rate",
)


def latest_month(marts: Marts) -> str | None:
    """The newest month with performance data nationally: the period the site reports."""
    months = marts.periods("mart_client_reach", "month", Area("national", "ID", ""))
    return months[-1] if months else None


def build_page(marts: Marts, area: Area, month: str | None, labels: dict[str, str]) -> Page:
    """Assemble the cells of one area's page for `month` (and its year)."""
    year = month[:4] if month else None
    window = _window(marts, month)
    page = Page(area=area, path=page_path(area), month=month, year=year, months=window)
    if month is None or year is None:
        return page
    page.month_completeness = completeness(marts, area, "month", month)
    page.year_completeness = completeness(marts, area, "year", year)
    page.plan_completeness = completeness(marts, area, "year", year, "annual_plan")
    page.reach = {
        c: marts.cell("mart_client_reach", c, area, "month", month)
        for c in ("active_clients", "reached_clients", "reach_rate", "clients_with_needs")
    }
    page.needs = [
        Row(
            code,
            labels.get(code, code),
            {
                c: marts.cell("mart_need_coverage", c, area, "month", month, code)
                for c in (
                    "clients_with_need",
                    "clients_need_addressed",
                    "clients_need_unaddressed",
                    "coverage_rate",
                )
            },
        )
        for code in marts.parts("mart_need_coverage", area, "month", month)
    ]
    gaps = [r for r in page.needs if r.cells["clients_need_unaddressed"].value]
    page.unmet = sorted(gaps, key=lambda r: -float(r.cells["clients_need_unaddressed"].value or 0))
    page.unmet = page.unmet[:UNMET_SHOWN]
    page.funding = [
        Row(
            s,
            s,
            {
                c: marts.cell("mart_funding_mix", c, area, "month", month, s)
                for c in (
                    "activities",
                    "cost_idr",
                    "cost_share",
                    "company_partner_groups",
                    "local_government_partner_groups",
                )
            },
        )
        for s in SOURCES
    ]
    page.funding_trend = {
        s: [marts.cell("mart_funding_mix", "cost_idr", area, "month", p, s) for p in window]
        for s in SOURCES
    }
    page.reach_trend = [
        marts.cell("mart_client_reach", "reach_rate", area, "month", p) for p in window
    ]
    page.reporting_trend = [
        marts.cell("mart_submission_compliance", "reporting_rate", area, "month", p, "monthly")
        for p in window
    ]
    page.plan = [
        Row(
            code,
            labels.get(code, code),
            {
                c: marts.cell("mart_plan_realisation", c, area, "year", year, code)
                for c in PLAN_COLUMNS
            },
        )
        for code in marts.parts("mart_plan_realisation", area, "year", year)
    ]
    page.pokmas = {
        c: marts.cell("mart_pokmas_performance", c, area, "month", month) for c in POKMAS_COLUMNS
    }
    page.griya = {
        c: marts.cell("mart_griya_abhipraya", c, area, "month", month) for c in GRIYA_COLUMNS
    }
    page.outcomes = [
        Row(
            g,
            label,
            {
                c: marts.cell("mart_supervision_outcomes", c, area, "month", month, g)
                for c in OUTCOME_COLUMNS
            },
        )
        for g, label in GROUPS.items()
    ]
    _add_children(marts, page, month, year, window)
    return page


def _add_children(marts: Marts, page: Page, month: str, year: str, window: list[str]) -> None:
    """Rankings, small multiples, offices without a plan and houses, for the nation and Kanwil."""
    children = marts.children(page.area)
    offices = _offices_below(marts, page.area)
    rows = []
    for child in children:
        cells = {
            "reach_rate": marts.cell("mart_client_reach", "reach_rate", child, "month", month),
            "active_clients": marts.cell(
                "mart_client_reach", "active_clients", child, "month", month
            ),
            "completion_rate": marts.cell(
                "mart_pokmas_performance", "completion_rate", child, "month", month
            ),
            "cost_per_participant_idr": marts.cell(
                "mart_pokmas_performance", "cost_per_participant_idr", child, "month", month
            ),
        }
        lengkap = completeness(marts, child, "month", month)
        cells["reporting_rate"] = lengkap.rate
        rows.append(Row(child.code, child.name, cells, href=page_path(child), completeness=lengkap))
    # Offices with data first, best reach first; silent offices last, so a head sees both ends.
    # Best reach first; offices without data that month are listed apart, not ranked last.
    page.ranking = sorted(
        (r for r in rows if r.cells["reach_rate"].value is not None),
        key=lambda r: (-float(r.cells["reach_rate"].value or 0), r.code),
    )
    page.silent = [r for r in rows if r.cells["reach_rate"].value is None]
    by_code = {child.code: child for child in children}
    page.ranking_trend = {
        r.label: [
            marts.cell("mart_client_reach", "reach_rate", by_code[r.code], "month", p)
            for p in window
        ]
        for r in page.ranking
    }
    for office in offices:
        plan = marts.cell(
            "mart_submission_compliance", "accepted_reports", office, "year", year, "annual_plan"
        )
        if plan.value == 0:
            page.without_plan.append(
                Row(office.code, office.name, {"accepted_reports": plan}, href=page_path(office))
            )
        house = marts.cell("mart_griya_abhipraya", "occupancy_rate", office, "month", month)
        if marts.cell("mart_griya_abhipraya", "houses_reporting", office, "month", month).value:
            page.griya_offices.append(
                Row(
                    office.code,
                    office.name,
                    {
                        c: marts.cell("mart_griya_abhipraya", c, office, "month", month)
                        for c in (
                            "occupancy_rate",
                            "admissions",
                            "departures",
                            "clients_served_at_house",
                        )
                    }
                    | {"occupancy_rate": house},
                    href=page_path(office),
                )
            )


def _offices_below(marts: Marts, area: Area) -> list[Area]:
    """Every Bapas page under an area (a Bapas page lists only itself)."""
    bapas = [a for a in marts.areas() if a.level == "bapas"]
    if area.level == "national":
        return bapas
    if area.level == "kanwil":
        return [a for a in bapas if a.parent == area.code]
    return [a for a in bapas if a.code == area.code]


def _window(marts: Marts, month: str | None) -> list[str]:
    """The last 12 months up to `month` that the compliance register knows."""
    if month is None:
        return []
    months = marts.periods("mart_submission_compliance", "month", Area("national", "ID", ""))
    return [m for m in months if m <= month][-TREND_MONTHS:]
