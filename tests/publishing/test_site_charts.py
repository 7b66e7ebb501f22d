"""The site's SVG charts: well-formed files whose marks are drawn to scale from the mart cells."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from publishing.site import charts
from publishing.site.data import Cell
from publishing.site.svg import Scale, nice_ticks, tick_label

NS = "{http://www.w3.org/2000/svg}"
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04"]


def cell(value: float | None, column: str = "reach_rate") -> Cell:
    return Cell(value, "mart_x", column, "national|ID|month|2025-01|")


def parse(path: Path) -> ET.Element:
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    assert root.findtext(f"{NS}title"), "a chart needs a title for screen readers"
    return root


def tips(root: ET.Element, tag: str) -> dict[str, ET.Element]:
    """Marks of one kind by their tooltip text."""
    return {e.findtext(f"{NS}title") or "": e for e in root.iter(f"{NS}{tag}")}


def test_coverage_bars_are_to_scale_and_labels_are_escaped(tmp_path: Path) -> None:
    labels = ["Kerja & usaha <baru>", "Hukum"]
    need = [cell(400, "clients_with_need"), cell(100, "clients_with_need")]
    reached = [cell(100, "clients_need_addressed"), cell(0, "clients_need_addressed")]
    root = parse(charts.coverage_chart(tmp_path / "c.svg", labels, need, reached))
    bars = tips(root, "rect")
    wide = float(bars["Kerja & usaha <baru>: 400 klien"].get("width", "0"))
    narrow = float(bars["Hukum: 100 klien"].get("width", "0"))
    assert wide == pytest.approx(4 * narrow, abs=0.2)
    assert float(bars["terjangkau: 100"].get("width", "0")) == pytest.approx(narrow, abs=0.2)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Kerja & usaha <baru>" in texts and "100 dari 400" in texts and "0 dari 100" in texts


def test_trend_breaks_the_line_at_an_empty_month_and_plots_rates_as_percent(
    tmp_path: Path,
) -> None:
    reach = [cell(0.5), cell(0.25), cell(None), cell(1.0)]
    reporting = [cell(1.0), cell(1.0), cell(1.0), cell(1.0)]
    series = {"Jangkauan klien": reach, "Tingkat pelaporan": reporting}
    root = parse(charts.trend_chart(tmp_path / "t.svg", MONTHS, series))
    dots = tips(root, "circle")
    assert len(dots) == 7  # the empty month has no dot, not a dot at zero
    assert "Jangkauan klien 2025-01: 50,0%" in dots
    y = {name: float(dots[name].get("cy", "0")) for name in dots}
    full, half, quarter = (
        y["Jangkauan klien 2025-04: 100,0%"],
        y["Jangkauan klien 2025-01: 50,0%"],
        y["Jangkauan klien 2025-02: 25,0%"],
    )
    assert full < half < quarter
    assert half - full == pytest.approx(2 * (quarter - half), abs=0.2)
    lines = list(root.iter(f"{NS}polyline"))
    # Reach: one run over two months (the lone last month is a dot only); reporting: one run.
    assert sorted(len(line.get("points", "").split()) for line in lines) == [2, 4]


def test_funding_stacks_sources_and_leaves_out_empty_ones(tmp_path: Path) -> None:
    costs = {
        "APBN": [cell(2_000_000, "cost_idr"), cell(None, "cost_idr")],
        "CSR": [cell(1_000_000, "cost_idr"), cell(3_000_000, "cost_idr")],
        "HIBAH": [cell(0, "cost_idr"), cell(0, "cost_idr")],
    }
    root = parse(charts.funding_chart(tmp_path / "f.svg", MONTHS[:2], costs))
    bars = tips(root, "rect")
    assert set(bars) - {""} == {
        "APBN 2025-01: Rp 2.000.000",
        "CSR 2025-01: Rp 1.000.000",
        "CSR 2025-02: Rp 3.000.000",
    }
    apbn, csr = bars["APBN 2025-01: Rp 2.000.000"], bars["CSR 2025-01: Rp 1.000.000"]
    height = {k: float(v.get("height", "0")) for k, v in bars.items()}
    assert height["APBN 2025-01: Rp 2.000.000"] == pytest.approx(
        2 * height["CSR 2025-01: Rp 1.000.000"], abs=0.2
    )
    # Stacked: CSR sits on top of APBN in the same column.
    assert float(csr.get("y", "0")) + float(csr.get("height", "0")) == pytest.approx(
        float(apbn.get("y", "0")), abs=0.2
    )
    assert csr.get("x") == apbn.get("x")


def test_small_multiples_share_one_scale_and_drop_the_shared_name_prefix(tmp_path: Path) -> None:
    panels = {
        "Kanwil Ditjenpas Aceh": [cell(0.5), cell(0.5), cell(None), cell(0.5)],
        "Kanwil Ditjenpas Bali": [cell(0.5), cell(0.1), cell(0.2), cell(0.3)],
        "Kanwil Ditjenpas Jambi": [cell(None)] * 4,
        "Kanwil Ditjenpas Papua": [cell(1.0), cell(0.0), cell(0.0), cell(0.0)],
    }
    root = parse(charts.small_multiples(tmp_path / "m.svg", MONTHS, panels))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert {"Aceh", "Bali", "Jambi", "Papua"} <= set(texts)
    assert len(list(root.iter(f"{NS}circle"))) == 3 + 4 + 0 + 4
    assert float(root.get("height", "0")) > 2 * 120  # four panels in three columns: two rows


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (0, [0.0, 1.0]),
        (464, [0, 100, 200, 300, 400, 500]),
        (7, [0, 2, 4, 6, 8]),
        (0.3, [0, 0.1, 0.2, 0.3]),
        (250, [0, 50, 100, 150, 200, 250]),
        (12.5, [0, 2.5, 5, 7.5, 10, 12.5]),
    ],
)
def test_nice_ticks_start_at_zero_and_reach_the_maximum(
    maximum: float, expected: list[float]
) -> None:
    ticks = nice_ticks(maximum)
    assert ticks == pytest.approx(expected)
    assert ticks[-1] >= maximum


def test_axis_numbers_are_indonesian_and_scales_are_linear() -> None:
    assert [tick_label(v) for v in (1500, 2.5, 0)] == ["1.500", "2,5", "0"]
    y = Scale(0, 100, 200, 20)
    assert (y(0), y(50), y(100)) == (200, 110, 20)
