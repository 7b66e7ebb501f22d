"""Deterministic PNG charts (matplotlib Agg, no pyplot global state): status heatmap and trend."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

from quality.alerts.i18n import text
from quality.alerts.rates import HEATMAP_STATUSES, HeatmapData, TrendPoint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATUS_COLOURS = {
    "on_time": "#2e7d32",
    "late": "#f2b705",
    "rejected": "#ef6c00",
    "missing": "#b71c1c",
    "not_yet_due": "#cfd8dc",
    "not_owed": "#ffffff",
}
INK = "#263238"
MUTED = "#78909c"
DPI = 110


def _new_figure(width: float, height: float) -> Figure:
    # Imported here: matplotlib is heavy and import time must stay cheap (STYLE.md).
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, facecolor="white")


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # No Software/date metadata: identical inputs give byte-identical PNGs.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


@lru_cache(maxsize=64)  # pure and deterministic: the same data never needs drawing twice
def render_heatmap(data: HeatmapData, lang: str) -> bytes:
    """Bapas x month status grid grouped by Kanwil, with a legend; returns PNG bytes."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    rows = max(len(data.bapas), 1)
    # Fixed margins in inches so the grid, labels and legend stay put for 3 or 90 Bapas.
    width, top, bottom, left, right, row_h = 7.6, 0.4, 0.5, 1.55, 1.45, 0.19
    height = top + bottom + rows * row_h
    fig = _new_figure(width, height)
    ax = fig.add_axes(
        (left / width, bottom / height, (width - left - right) / width, rows * row_h / height)
    )
    if not data.bapas:
        ax.set_axis_off()
        ax.text(0.5, 0.5, text("none", lang), ha="center", va="center", color=MUTED)
        return _png(fig)
    index = {s: i for i, s in enumerate(HEATMAP_STATUSES)}
    grid = [[index.get(c, index["not_owed"]) for c in row] for row in data.cells]
    cmap = ListedColormap([STATUS_COLOURS[s] for s in HEATMAP_STATUSES])
    ax.pcolormesh(
        grid,
        cmap=cmap,
        vmin=-0.5,
        vmax=len(HEATMAP_STATUSES) - 0.5,
        edgecolors="white",
        linewidth=0.6,
    )
    ax.set_ylim(len(data.bapas), 0)
    ax.set_xticks([i + 0.5 for i in range(len(data.months))])
    ax.set_xticklabels([m[2:] for m in data.months], fontsize=7, color=INK)
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(len(data.bapas))])
    ax.set_yticklabels(data.bapas_labels, fontsize=6.5, color=INK)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    _kanwil_groups(ax, data, len(data.months))
    handles = [
        Patch(
            facecolor=STATUS_COLOURS[s],
            edgecolor=MUTED,
            linewidth=0.4,
            label=text(f"st_{s}", lang),
        )
        for s in HEATMAP_STATUSES
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=6,
        fontsize=6.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.02 / height),
    )
    return _png(fig)


def _kanwil_groups(ax: object, data: HeatmapData, width: int) -> None:
    """Separator lines between Kanwil and the Kanwil name beside each group."""
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    start = 0
    for i in range(1, len(data.kanwil) + 1):
        if i == len(data.kanwil) or data.kanwil[i] != data.kanwil[start]:
            if i < len(data.kanwil):
                ax.axhline(i, color=INK, linewidth=0.9)
            ax.text(
                width + 0.2,
                (start + i) / 2,
                data.kanwil_labels[start],
                fontsize=6.5,
                va="center",
                ha="left",
                color=MUTED,
                clip_on=False,
            )
            start = i


@lru_cache(maxsize=64)
def render_trend(points: tuple[TrendPoint, ...], lang: str) -> bytes:
    """National reporting and on-time rate per month, 0-100 %, with the 95 % target."""
    fig = _new_figure(7.6, 2.6)
    ax = fig.add_axes((0.08, 0.2, 0.9, 0.7))
    xs = list(range(len(points)))
    for attr, colour, key in (
        ("reporting_rate", "#1565c0", "trend_reporting"),
        ("on_time_rate", "#2e7d32", "trend_on_time"),
    ):
        ys = [float("nan") if getattr(p, attr) is None else 100 * getattr(p, attr) for p in points]
        ax.plot(
            xs, ys, marker="o", markersize=3, color=colour, linewidth=1.6, label=text(key, lang)
        )
    ax.axhline(95, color=MUTED, linewidth=0.8, linestyle="--")
    ax.set_ylim(0, 105)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_yticklabels(["0%", "25%", "50%", "75%", "100%"], fontsize=7, color=INK)
    ax.set_xticks(xs)
    ax.set_xticklabels([p.period[2:] for p in points], fontsize=7, color=INK)
    ax.grid(axis="y", color="#eceff1", linewidth=0.8)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="lower left", ncol=2)
    return _png(fig)
