"""The site's four charts as static SVG files: they open from a file, print, and need no JS.

Each function takes the page's mart cells and writes one file (see `svg.py` for why SVG is
written by hand). Sizes are in px at the page's own scale; the stylesheet scales them down
on a phone. Every mark carries its value as a tooltip, and empty months are gaps, never zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from publishing.site.data import Cell
from publishing.site.fmt import number, percent
from publishing.site.svg import GRID, INK, MUTED, Scale, Svg, nice_ticks, text_width, tick_label

BLUE, GREY, RED = "#1565c0", "#cfd8dc", "#b71c1c"
ORANGE = "#e07b00"
SOURCE_COLOURS = {
    "APBN": "#90a4ae",
    "APBD": "#2e7d32",
    "CSR": "#1565c0",
    "SWADAYA": "#f2b705",
    "HIBAH": "#8e24aa",
}
WIDTH = 640
LEGEND_ROW = 26  # px above the plot for a legend row
UNIT_ROW = 18  # px between the legend row and the plot for the value axis' unit


def _num(cell: Cell) -> float:
    return float(cell.value) if cell.value is not None else 0.0


def _rate(cell: Cell) -> float | None:
    """A stored fraction as percent; None stays None (a gap, not a zero)."""
    return float(cell.value) * 100 if cell.value is not None else None


def _runs(cells: Sequence[Cell], x_of: Scale, y: Scale) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of a series as pixel points: an empty month ends a stretch."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, cell in enumerate(cells):
        value = _rate(cell)
        if value is None:
            runs.append([])
        else:
            runs[-1].append((x_of(i), y(value)))
    return [run for run in runs if run]


def _value_axis_y(svg: Svg, y: Scale, ticks: list[float], left: float, right: float) -> None:
    """Horizontal grid lines with their labels left of the plot."""
    for tick in ticks:
        at = y(tick)
        svg.line(left, at, right, at, GRID)
        svg.text(left - 6, at + 4, tick_label(tick), size=11, anchor="end")


def _month_axis(svg: Svg, periods: Sequence[str], x_of: Scale, baseline: float) -> None:
    """'YYYY-MM' labels at 45 degrees under each month's slot."""
    for i, period in enumerate(periods):
        at = x_of(i)
        svg.line(at, baseline, at, baseline + 4)
        svg.text(at + 3, baseline + 16, period, size=10, anchor="end", rotate=-45)


def coverage_chart(
    path: Path, labels: Sequence[str], with_need: Sequence[Cell], reached: Sequence[Cell]
) -> Path:
    """Clients with each need (grey) against those reached by a matching programme (blue)."""
    row = 30
    longest = max((text_width(label, 12) for label in labels), default=0)
    left, right, top, bottom = 12 + longest, 84, LEGEND_ROW + 6, 28
    height = top + row * len(labels) + bottom
    svg = Svg(WIDTH, height, "Klien dengan kebutuhan dan yang terjangkau program")
    svg.legend(left, 4, [("Klien dengan kebutuhan", GREY), ("Terjangkau program", BLUE)])
    ticks = nice_ticks(max((_num(c) for c in with_need), default=0))
    x = Scale(0, ticks[-1], left, WIDTH - right)
    plot_bottom = top + row * len(labels)
    for tick in ticks:
        svg.line(x(tick), top, x(tick), plot_bottom, GRID)
        svg.text(x(tick), plot_bottom + 16, tick_label(tick), size=11, anchor="middle")
    for i, (label, need, hit) in enumerate(zip(labels, with_need, reached, strict=True)):
        mid = top + row * i + row / 2
        svg.text(left - 8, mid + 4, label, anchor="end")
        width_need = x(_num(need)) - left
        svg.rect(left, mid - 10, width_need, 20, GREY, f"{label}: {number(need.value)} klien")
        svg.rect(left, mid - 5, x(_num(hit)) - left, 10, BLUE, f"terjangkau: {number(hit.value)}")
        ratio = f"{number(hit.value)} dari {number(need.value)}"
        svg.text(left + width_need + 6, mid + 4, ratio, size=11, fill=MUTED)
    svg.line(left, top, left, plot_bottom)
    return svg.save(path)


def trend_chart(path: Path, periods: Sequence[str], series: Mapping[str, Sequence[Cell]]) -> Path:
    """Rates over the last months (percent), one line per series; gaps where a month is empty."""
    height, left, right, top, bottom = 280, 44, 16, LEGEND_ROW + UNIT_ROW, 64
    colours = dict(zip(series, (BLUE, ORANGE, RED), strict=False))
    svg = Svg(WIDTH, height, "Tren bulanan: " + ", ".join(series))
    svg.legend(left, 4, [(label, colours[label]) for label in series])
    y = Scale(0, 100, height - bottom, top)
    _value_axis_y(svg, y, [0, 25, 50, 75, 100], left, WIDTH - right)
    svg.text(4, top - 10, "%", size=11)
    step = (WIDTH - left - right) / max(len(periods), 1)
    x_of = Scale(0, 1, left + step / 2, left + step * 1.5)
    for label, cells in series.items():
        for run in _runs(cells, x_of, y):
            if len(run) > 1:
                svg.polyline(run, colours[label], 2)
        for i, (period, cell) in enumerate(zip(periods, cells, strict=False)):
            value = _rate(cell)
            if value is not None:
                tip = f"{label} {period}: {percent(cell.value)}"
                svg.dot(x_of(i), y(value), 3.5, colours[label], tip)
    svg.line(left, height - bottom, WIDTH - right, height - bottom)
    _month_axis(svg, periods, x_of, height - bottom)
    return svg.save(path)


def funding_chart(path: Path, periods: Sequence[str], costs: Mapping[str, Sequence[Cell]]) -> Path:
    """Activity cost per funding source per month (stacked, million Rupiah)."""
    height, right, top, bottom = 280, 16, LEGEND_ROW + UNIT_ROW, 64
    millions = {s: [_num(c) / 1e6 for c in cells] for s, cells in costs.items()}
    totals = [sum(column) for column in zip(*millions.values(), strict=True)] or [0.0]
    ticks = nice_ticks(max(totals))
    left = 24 + max(text_width(tick_label(t), 11) for t in ticks)
    svg = Svg(WIDTH, height, "Biaya kegiatan per sumber dana per bulan (juta rupiah)")
    legend = [(s, legend_colour(s)) for s in costs]
    svg.legend(left, 4, legend)
    y = Scale(0, ticks[-1], height - bottom, top)
    _value_axis_y(svg, y, ticks, left, WIDTH - right)
    svg.text(4, top - 10, "juta Rp", size=11)
    step = (WIDTH - left - right) / max(len(periods), 1)
    x_of = Scale(0, 1, left + step / 2, left + step * 1.5)
    base = [0.0] * len(periods)
    for source, values in millions.items():
        for i, (period, value) in enumerate(zip(periods, values, strict=True)):
            if value <= 0:
                continue
            rupiah = number(_num(costs[source][i]))
            tip = f"{source} {period}: Rp {rupiah}"
            top_px = y(base[i] + value)
            bar_h = y(base[i]) - top_px
            svg.rect(x_of(i) - step * 0.4, top_px, step * 0.8, bar_h, legend_colour(source), tip)
            base[i] += value
    svg.line(left, height - bottom, WIDTH - right, height - bottom)
    _month_axis(svg, periods, x_of, height - bottom)
    return svg.save(path)


def legend_colour(source: str) -> str:
    """A funding source's colour (grey for a source the palette does not know)."""
    return SOURCE_COLOURS.get(source, GREY)


def small_multiples(
    path: Path, periods: Sequence[str], panels: Mapping[str, Sequence[Cell]]
) -> Path:
    """One small reach-rate trend per office, same scale, so offices compare at a glance."""
    cols, panel_h, gap = 3, 120, 12
    rows = max(1, -(-len(panels) // cols))
    panel_w = (WIDTH - gap * (cols + 1)) / cols
    svg = Svg(WIDTH, gap + rows * (panel_h + gap), "Jangkauan klien per wilayah, skala sama")
    count = max(len(periods), 1)
    shared = _shared_words(list(panels))
    for n, (name, cells) in enumerate(panels.items()):
        x0 = gap + (n % cols) * (panel_w + gap)
        y0 = gap + (n // cols) * (panel_h + gap)
        left, plot_top, plot_bottom = x0 + 26, y0 + 20, y0 + panel_h - 18
        title = _fit(name[shared:], panel_w)
        svg.text(x0 + panel_w / 2, y0 + 11, title, size=11, anchor="middle")
        y = Scale(0, 100, plot_bottom, plot_top)
        for tick in (0, 50, 100):
            svg.line(left, y(tick), x0 + panel_w, y(tick), GRID)
            svg.text(left - 4, y(tick) + 3, str(tick), size=9, anchor="end", fill=MUTED)
        step = (x0 + panel_w - left) / count
        x_of = Scale(0, 1, left + step / 2, left + step * 1.5)
        for run in _runs(cells, x_of, y):
            if len(run) > 1:
                svg.polyline(run, BLUE, 1.5)
            for x, y_px in run:
                svg.dot(x, y_px, 2.2, BLUE)
        if periods:
            svg.text(x_of(0), plot_bottom + 13, periods[0], size=9, anchor="middle", fill=INK)
            last = x_of(len(periods) - 1)
            svg.text(last, plot_bottom + 13, periods[-1], size=9, anchor="end", fill=INK)
    return svg.save(path)


def _fit(text: str, width: float, size: float = 11) -> str:
    """Shorten a panel title to its width, with an ellipsis."""
    room = int(width / (size * 0.6))
    return text if len(text) <= room else text[: room - 1] + "…"


def _shared_words(names: list[str]) -> int:
    """Length of the leading words every name shares ('Kanwil Ditjenpas '), dropped in titles."""
    if len(names) < 2:
        return 0
    words = [name.split(" ") for name in names]
    shared = 0
    for column in zip(*words, strict=False):
        if len(set(column)) > 1:
            break
        shared += 1
    # Never the whole of a name: a title must keep at least one word.
    shared = min(shared, min(len(w) for w in words) - 1)
    return sum(len(word) + 1 for word in words[0][:shared])
