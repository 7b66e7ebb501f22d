"""The leadership performance site, rebuilt from each new published snapshot."""

import dagster as dg

from orchestration.defs.resources import OWNER, LipasResource

PUBLISHED = dg.AssetKey("published_warehouse")


@dg.asset(
    key="leadership_site",
    deps=[PUBLISHED],
    group_name="publishing",
    owners=[OWNER],
    kinds={"html"},
    description="Static performance site for Ditjen, Kanwil and Bapas heads (Bahasa Indonesia) "
    "under LIPAS_HOME/reports/kinerja/<date>/ and latest/, from the published marts "
    "(docs/site.md); also kinerja-eksternal/ when the suppressed external copy is published.",
)
def leadership_site(
    context: dg.AssetExecutionContext, lipas: LipasResource
) -> dg.MaterializeResult:
    """Reads the read-only snapshot only, so it needs no warehouse writer slot."""
    from publishing.site.build import build_published_site
    from publishing.suppression import nightly_external_threshold

    settings = lipas.settings()
    # Dated by the judging day, like the digest folder (reports/<day>/) that links to it.
    day = lipas.as_of_date()
    result = build_published_site(settings.reports_dir, settings.published_dir, built_on=day)
    metadata: dict[str, dg.RawMetadataValue] = {
        "site": dg.MetadataValue.path(str(result.latest_dir / "index.html")),
        "pages": result.pages,
        "month": result.month or "",
    }
    if nightly_external_threshold() is not None:
        external = build_published_site(
            settings.reports_dir, settings.published_dir, external=True, built_on=day
        )
        metadata["external_site"] = dg.MetadataValue.path(str(external.latest_dir / "index.html"))
    context.log.info("leadership site: %d pages in %s", result.pages, result.site_dir)
    return dg.MaterializeResult(metadata=metadata)


@dg.definitions
def defs() -> dg.Definitions:
    """The leadership site asset."""
    return dg.Definitions(assets=[leadership_site])
