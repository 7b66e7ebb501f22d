"""The leadership site: pure page building on tiny marts (fast) and the whole site from a
published snapshot of generated data (slow): every figure on a page is the mart cell it names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from core.settings import Settings
from publishing.catalog import quote_ident
from publishing.external import MART_SUPPRESSION, export_external
from publishing.site.build import build_published_site, build_site
from publishing.site.data import BREAKDOWN, MARTS, Cell, load_external, load_snapshot
from publishing.site.fmt import FORMATS, figure, kind_of, number, percent, rupiah
from tests.publishing.test_site_support import parse_page, row, tiny_marts

DAY = dt.date(2025, 3, 15)


def _tiny() -> dict[str, list[dict[str, object]]]:
    need = "mart_need_coverage"
    return {
        "mart_client_reach": [
            row("national", "ID", active_clients=200, reached_clients=50, reach_rate=0.25),
            row("kanwil", "KW01", active_clients=200, reached_clients=50, reach_rate=0.25),
            row("bapas", "BP0101", active_clients=200, reached_clients=50, reach_rate=0.25),
        ],
        need: [
            row(
                "national",
                "ID",
                need_code=code,
                clients_with_need=total,
                clients_need_addressed=total - gap,
                clients_need_unaddressed=gap,
                coverage_rate=(total - gap) / total,
            )
            for code, total, gap in (
                ("KERJA", 90, 50),
                ("HUKUM", 30, 5),
                ("KESEHATAN", 40, 20),
                ("PENDIDIKAN", 10, 0),
            )
        ],
        "mart_submission_compliance": [
            row(
                "national",
                "ID",
                report_kind="monthly",
                expected_reports=2,
                reported_reports=1,
                reporting_rate=0.5,
            ),
            row(
                "bapas",
                "BP0101",
                report_kind="monthly",
                expected_reports=1,
                reported_reports=1,
                reporting_rate=1.0,
            ),
            row(
                "bapas",
                "BP0102",
                report_kind="monthly",
                expected_reports=1,
                reported_reports=0,
                reporting_rate=0.0,
            ),
            row("bapas", "BP0101", "2025", "year", report_kind="annual_plan", accepted_reports=1),
            row("bapas", "BP0102", "2025", "year", report_kind="annual_plan", accepted_reports=0),
        ],
    }


def test_numbers_are_written_the_indonesian_way() -> None:
    assert number(1234567) == "1.234.567"
    assert percent(0.4123) == "41,2%"
    assert rupiah(1500000) == "Rp 1.500.000"
    assert number(None) == percent(None) == rupiah(None) == "–"


def test_a_figure_names_the_mart_cell_it_shows() -> None:
    html = str(figure(Cell(0.25, "mart_client_reach", "reach_rate", "national|ID|month|2025-02|")))
    assert 'data-mart="mart_client_reach"' in html and 'data-col="reach_rate"' in html
    assert 'data-key="national|ID|month|2025-02|"' in html and 'data-value="0.25"' in html
    assert ">25,0%</span>" in html


def test_site_has_dated_folder_and_latest_whose_links_all_open_from_disk(tmp_path: Path) -> None:
    first = build_site(tmp_path, tiny_marts(_tiny()), built_on=DAY)
    assert first.pages == 4  # nation, one Kanwil, two Bapas
    rows = _tiny()
    rows["mart_client_reach"][0]["reach_rate"] = 0.5
    second = build_site(tmp_path, tiny_marts(rows), built_on=DAY + dt.timedelta(days=1))
    root = tmp_path / "kinerja"
    assert sorted(p.name for p in root.iterdir()) == ["2025-03-15", "2025-03-16", "latest"]
    # Regression: latest/ must be replaced by the new build, not merged into or left stale.
    latest = (second.latest_dir / "index.html").read_text(encoding="utf-8")
    assert latest == (second.site_dir / "index.html").read_text(encoding="utf-8")
    assert 'data-value="0.5"' in latest
    for page in second.latest_dir.rglob("*.html"):
        for link in parse_page(page).links:
            assert (page.parent / link).resolve().is_file(), f"{page.name}: broken link {link}"


def test_charts_are_svg_files_and_the_same_marts_give_the_same_bytes(tmp_path: Path) -> None:
    # Issue 16: charts are hand-written SVG; an unchanged chart must be a byte-identical file.
    first = build_site(tmp_path / "first", tiny_marts(_tiny()), built_on=DAY)
    second = build_site(tmp_path / "second", tiny_marts(_tiny()), built_on=DAY)

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("img/*")}

    drawn = files(first.site_dir)
    assert drawn and all(name.endswith(".svg") for name in drawn)
    assert files(second.site_dir) == drawn
    html = (first.site_dir / "index.html").read_text(encoding="utf-8")
    assert all(f'src="{name}"' in html for name in drawn if name.startswith("img/national_"))


def test_largest_unmet_needs_are_named_largest_first(tmp_path: Path) -> None:
    result = build_site(tmp_path, tiny_marts(_tiny()), built_on=DAY)
    html = (result.site_dir / "index.html").read_text(encoding="utf-8")
    callout = html.split("Kebutuhan terbesar yang belum terjangkau:")[1].split("</p>")[0]
    names = [n.split("</strong>")[0] for n in callout.split("<strong>")[1:]]
    assert names == ["Pekerjaan", "Kesehatan", "Bantuan hukum"]  # 50, 20, 5; none unmet left out


def test_offices_without_annual_plan_are_flagged(tmp_path: Path) -> None:
    result = build_site(tmp_path, tiny_marts(_tiny()), built_on=DAY)
    national = (result.site_dir / "index.html").read_text(encoding="utf-8")
    # A list of offices, not a count typed by the page (every number comes from a mart).
    listed = national.split("Bapas tanpa rencana tahunan 2025 yang diterima:</p>")[1]
    listed = listed.split("</p>")[0]
    assert "Kota Dua" in listed and "Kota Satu" not in listed
    silent = (result.site_dir / "bapas" / "BP0102.html").read_text(encoding="utf-8")
    assert "belum mengirim rencana program tahunan 2025" in silent
    assert "belum mengirim" not in (result.site_dir / "bapas" / "BP0101.html").read_text()


def test_every_figure_shows_its_reporting_rate(tmp_path: Path) -> None:
    result = build_site(tmp_path, tiny_marts(_tiny()), built_on=DAY)
    html = (result.site_dir / "index.html").read_text(encoding="utf-8")
    sections = html.split("<section")[2:]
    # The ranking shows it per office (a column), every other section beside its heading.
    assert sections and all("laporan masuk" in s.lower() for s in sections)


# ---- the whole site from a published snapshot of generated data (slow) ----


@pytest.fixture(scope="module")
def site(pipeline_snapshot: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("site")
    marts = load_snapshot(pipeline_snapshot.published_dir / "lipas.duckdb")
    return build_site(reports, marts, built_on=DAY).latest_dir


def _mart_value(con: duckdb.DuckDBPyConnection, mart: str, column: str, key: str) -> object:
    assert mart in MARTS
    level, code, grain, period, part = key.split("|")
    sql = (
        f"select {quote_ident(column)} from marts.{quote_ident(mart)} where geo_level = ? "
        "and geo_code = ? and period_grain = ? and period = ?"
    )
    params = [level, code, grain, period]
    if BREAKDOWN[mart]:
        sql += f" and {quote_ident(BREAKDOWN[mart])} = ?"
        params.append(part)
    found = con.execute(sql, params).fetchall()
    assert len(found) <= 1, key
    return found[0][0] if found else None


@pytest.mark.slow
@pytest.mark.parametrize("page", ["index.html", "bapas/BP1101.html"])
def test_every_number_on_the_page_is_the_mart_value_it_names(
    site: Path, pipeline_snapshot: Settings, page: str
) -> None:
    figures = parse_page(site / page).figures
    assert len(figures) > 80
    assert {f["data-mart"] for f in figures} == set(MARTS)  # every mart feeds the page
    con = duckdb.connect(str(pipeline_snapshot.published_dir / "lipas.duckdb"), read_only=True)
    try:
        for fig in figures:
            value = _mart_value(con, fig["data-mart"], fig["data-col"], fig["data-key"])
            where = f"{page} {fig['data-mart']}.{fig['data-col']} [{fig['data-key']}]"
            if value is None:
                assert fig["data-value"] == "" and fig["text"] == "–", where
                continue
            assert float(fig["data-value"]) == float(value), where  # type: ignore[arg-type]
            assert fig["text"] == FORMATS[kind_of(fig["data-col"])](float(value)), where  # type: ignore[arg-type]
    finally:
        con.close()


@pytest.mark.slow
def test_site_has_a_page_per_kanwil_and_bapas_and_no_client_data(site: Path) -> None:
    assert (site / "kanwil" / "KW11.html").is_file() and (site / "bapas" / "BP1101.html").is_file()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "client_key" not in text and "register_no" not in text


@pytest.mark.slow
def test_external_site_hides_small_counts(pipeline_snapshot: Settings, tmp_path: Path) -> None:
    published = tmp_path / "published"
    published.mkdir()
    export_external(pipeline_snapshot.published_dir / "lipas.duckdb", published, 5)
    result = build_site(
        tmp_path / "reports", load_external(published / "external"), external=True, built_on=DAY
    )
    assert result.site_dir.parent.name == "kinerja-eksternal"
    masked = 0
    for page in result.site_dir.rglob("*.html"):
        for fig in parse_page(page).figures:
            spec = MART_SUPPRESSION[fig["data-mart"]]
            if fig["data-col"] in spec.count_columns:
                masked += fig["data-value"] == ""
                assert fig["data-value"] in ("", "0") or float(fig["data-value"]) >= 5, fig
    assert masked > 0
    assert "versi eksternal" in (result.site_dir / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_lipas_site_command(pipeline_snapshot: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.app import build_app

    monkeypatch.setenv("LIPAS_HOME", str(pipeline_snapshot.home))
    result = CliRunner().invoke(build_app(), ["site"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("kinerja/latest/index.html")
    # No external copy was published in this home: a clear error, not a traceback.
    refused = CliRunner().invoke(build_app(), ["site", "--external"])
    assert refused.exit_code == 1 and "lipas publish --external" in refused.output


def test_build_published_site_reads_the_snapshot_file(tmp_path: Path) -> None:
    from publishing.site.data import SiteDataError

    with pytest.raises(SiteDataError, match="lipas publish"):
        build_published_site(tmp_path / "reports", tmp_path / "published")


@pytest.mark.slow
def test_leadership_site_asset_builds_the_site(
    pipeline_snapshot: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    from orchestration.defs.resources import LipasResource
    from orchestration.defs.site_assets import leadership_site

    monkeypatch.delenv("LIPAS_PUBLISH_EXTERNAL", raising=False)
    lipas = LipasResource(home=str(pipeline_snapshot.home), as_of="2025-04-20")
    result = dg.materialize([leadership_site], resources={"lipas": lipas})
    assert result.success
    meta = result.asset_materializations_for_node("leadership_site")[0].metadata
    assert meta["pages"].value > 80 and meta["month"].value == "2025-02"
    assert (pipeline_snapshot.reports_dir / "kinerja" / "2025-04-20" / "index.html").is_file()
