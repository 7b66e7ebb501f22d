"""Static PNG charts (matplotlib, Agg backend): they open from a file, print, and need no JS.

The three per-page charts use fixed margins (in inches) instead of constrained layout: the
layout engine made matplotlib draw each chart twice and measure every tick label, ~30% of a
site build's CPU (issue 16). Their labels have known shapes (need names, 'YYYY-MM' months,
0-100 %, million Rupiah), so the margins below fit them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from publishing.site.data import Cell

BLUE, GREY, RED = "#1565c0", "#cfd8dc", "#b71c1c"
ORANGE = "#e07b00"
SOURCE_COLOURS = {
    "APBN": "#90a4ae",
    "APBD": "#2e7d32",
    "CSR": "#1565c0",
    "SWADAYA": "#f2b705",
    "HIBAH": "#8e24aa",
}


def _num(cell: Cell) -> float:
    return float(cell.value) if cell.value is not None else 0.0


# Average width of one label character at font size 9, in inches (DejaVu Sans).
CHAR_INCHES = 0.068


def _margins(fig: Figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Place the axes by margins in inches (no layout engine: one draw per chart)."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )


def coverage_chart(
    path: Path, labels: Sequence[str], with_need: Sequence[Cell], reached: Sequence[Cell]
) -> Path:
    """Clients with each need (grey) against those reached by a matching programme (blue)."""
    height = max(2.2, 0.42 * len(labels) + 0.9)
    fig = Figure(figsize=(6.4, height), dpi=110)
    longest = max((len(label) for label in labels), default=0)
    _margins(fig, left=0.2 + CHAR_INCHES * longest, right=0.15, top=0.1, bottom=0.35)
    ax = fig.subplots()
    rows = range(len(labels))
    ax.barh(rows, [_num(c) for c in with_need], color=GREY, label="Klien dengan kebutuhan")
    ax.barh(rows, [_num(c) for c in reached], color=BLUE, height=0.5, label="Terjangkau program")
    ax.set_yticks(list(rows), labels=list(labels), fontsize=9)
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    _tidy(ax)
    return _save(fig, path)


def trend_chart(path: Path, periods: Sequence[str], series: Mapping[str, Sequence[Cell]]) -> Path:
    """Rates over the last months (percent), one line per series; gaps where a month is empty."""
    fig = Figure(figsize=(6.4, 2.8), dpi=110)
    # Bottom: 'YYYY-MM' at 45 degrees; left: '100' and the '%' axis label.
    _margins(fig, left=0.6, right=0.15, top=0.1, bottom=0.65)
    ax = fig.subplots()
    for (label, cells), colour in zip(series.items(), (BLUE, ORANGE, RED), strict=False):
        values = [c.value * 100 if c.value is not None else float("nan") for c in cells]
        ax.plot(list(periods), values, marker="o", color=colour, label=label, linewidth=2)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%", fontsize=9)
    ax.tick_params(axis="x", labelsize=8, rotation=45)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    _tidy(ax)
    return _save(fig, path)


def funding_chart(path: Path, periods: Sequence[str], costs: Mapping[str, Sequence[Cell]]) -> Path:
    """Activity cost per funding source per month (stacked, million Rupiah)."""
    fig = Figure(figsize=(6.4, 2.8), dpi=110)
    # Top: the legend row above the axes; left: up to six-digit millions and 'juta Rp'.
    _margins(fig, left=0.85, right=0.15, top=0.45, bottom=0.65)
    ax = fig.subplots()
    bottom = [0.0] * len(periods)
    for source, cells in costs.items():
        values = [_num(c) / 1e6 for c in cells]
        ax.bar(
            list(periods),
            values,
            bottom=bottom,
            label=source,
            color=SOURCE_COLOURS.get(source, GREY),
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("juta Rp", fontsize=9)
    ax.tick_params(axis="x", labelsize=8, rotation=45)
    ax.legend(fontsize=8, frameon=False, ncol=5, loc="upper left", bbox_to_anchor=(0, 1.18))
    _tidy(ax)
    return _save(fig, path)


def small_multiples(
    path: Path, periods: Sequence[str], panels: Mapping[str, Sequence[Cell]]
) -> Path:
    """One small reach-rate trend per office, same scale, so offices compare at a glance."""
    cols = 3
    rows = max(1, -(-len(panels) // cols))
    fig = Figure(figsize=(6.4, 1.7 * rows), dpi=110, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    for ax in axes.flat:
        ax.set_visible(False)
    for ax, (name, cells) in zip(axes.flat, panels.items(), strict=False):
        ax.set_visible(True)
        values = [c.value * 100 if c.value is not None else float("nan") for c in cells]
        # Positions, not category names: every panel spans the same 12 months, empty or not.
        ax.plot(range(len(periods)), values, color=BLUE, marker="o", markersize=3)
        ax.set_title(name, fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_xlim(-0.5, len(periods) - 0.5)
        ax.set_xticks([0, len(periods) - 1], labels=[periods[0], periods[-1]])
        ax.tick_params(labelsize=6)
        _tidy(ax)
    return _save(fig, path)


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _save(fig: Figure, path: Path) -> Path:
    # A bare Figure (no pyplot): nothing global to close, no display backend needed.
    path.parent.mkdir(parents=True, exist_ok=True)
    # Never bbox_inches="tight": like a layout engine, it draws every chart twice.
    fig.savefig(path, metadata={"Software": None})
    return path
