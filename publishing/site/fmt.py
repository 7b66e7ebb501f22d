"""Indonesian number formats for the site (thousands '.', decimal ',', 'Rp' amounts)."""

from __future__ import annotations

from markupsafe import Markup, escape

from publishing.site.data import Cell

SUPPRESSED = "–"  # en dash: a cell that is empty in the mart (no data, or masked small count)
EMPTY_TITLE = ' title="tidak ada data atau jumlah kecil disembunyikan"'


def number(value: float | int | None) -> str:
    """12345 -> '12.345'."""
    if value is None:
        return SUPPRESSED
    return f"{round(value):,}".replace(",", ".")


def percent(value: float | int | None) -> str:
    """0.4123 -> '41,2%' (rates are stored as fractions)."""
    if value is None:
        return SUPPRESSED
    return f"{value * 100:.1f}%".replace(".", ",")


def rupiah(value: float | int | None) -> str:
    """1500000 -> 'Rp 1.500.000'."""
    if value is None:
        return SUPPRESSED
    return f"Rp {number(value)}"


FORMATS = {"number": number, "percent": percent, "rupiah": rupiah}


def kind_of(column: str) -> str:
    """Format by column name: rates and shares are percentages, *_idr are Rupiah."""
    if column.endswith(("_rate", "_share")):
        return "percent"
    if column.endswith("_idr"):
        return "rupiah"
    return "number"


def figure(cell: Cell) -> Markup:
    """A figure as HTML, carrying the mart cell it shows (tests read these attributes back)."""
    text = FORMATS[kind_of(cell.column)](cell.value)
    raw = "" if cell.value is None else repr(cell.value)
    title = "" if cell.value is not None else EMPTY_TITLE
    # Plain string building: Markup.format escaped every argument and cost seconds per site.
    attrs = (
        f'data-mart="{escape(cell.mart)}" data-col="{escape(cell.column)}" '
        f'data-key="{escape(cell.key)}" data-value="{raw}"'
    )
    return Markup(f'<span class="fig" {attrs}{title}>{escape(text)}</span>')
