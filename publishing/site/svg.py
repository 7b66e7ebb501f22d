"""Just enough SVG for the site's four chart shapes: shapes, text, linear scales and ticks.

Written by hand instead of drawn by matplotlib (issue 16): a national site has ~375 charts, and
matplotlib spent ~70 ms of CPU on each (~50 s per nightly across the Ditjen and external sites)
building artists and rasterising text. The same chart as SVG text costs well under a
millisecond, stays sharp at any phone width or print resolution, and its numbers are text a
screen reader, a search or a test can read. The output depends only on the inputs (no ids,
dates or random numbers), so an unchanged chart is a byte-identical file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
INK, MUTED, GRID = "#263238", "#546e7a", "#e0e0e0"
# Average advance of one character, as a share of the font size (DejaVu Sans, mixed case).
CHAR_EM = 0.6


def esc(text: str) -> str:
    """Escape text for an SVG text node or a double-quoted attribute."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def coord(value: float) -> str:
    """A coordinate with at most one decimal: small files, no float noise like 12.000000001."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float) -> float:
    """Estimated width of `text` in px at font `size` (margins are sized from it)."""
    return len(text) * size * CHAR_EM


def tick_label(value: float) -> str:
    """Indonesian axis number: thousands '.', decimal ',' ('1.500', '2,5')."""
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:g}".replace(".", ",")


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round ticks from 0 to at least `maximum` (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if not maximum > 0 or math.isinf(maximum):
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    top = math.ceil(maximum / step - 1e-9) * step
    return [round(i * step, 10) for i in range(round(top / step) + 1)]


@dataclass(frozen=True)
class Scale:
    """Linear map from data values (`lo`..`hi`) to pixels (`start`..`end`)."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        """The pixel position of `value` (a zero-width domain counts as one unit wide)."""
        span = self.hi - self.lo or 1.0
        return self.start + (value - self.lo) / span * (self.end - self.start)


@dataclass
class Svg:
    """One drawing: elements appended in paint order, written as a standalone .svg file."""

    width: float
    height: float
    title: str
    parts: list[str] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, tip: str = "") -> None:
        """A filled rectangle; `tip` becomes its tooltip when the file is opened on its own."""
        attrs = f'x="{coord(x)}" y="{coord(y)}" width="{coord(w)}" height="{coord(h)}"'
        if tip:
            self.parts.append(f'<rect {attrs} fill="{fill}"><title>{esc(tip)}</title></rect>')
        else:
            self.parts.append(f'<rect {attrs} fill="{fill}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = INK) -> None:
        """A one-pixel line (axes, ticks, grid)."""
        self.parts.append(
            f'<line x1="{coord(x1)}" y1="{coord(y1)}" x2="{coord(x2)}" y2="{coord(y2)}" '
            f'stroke="{stroke}"/>'
        )

    def polyline(self, points: list[tuple[float, float]], stroke: str, width: float) -> None:
        """An unfilled line through `points` (one unbroken run of a series)."""
        path = " ".join(f"{coord(x)},{coord(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{stroke}" '
            f'stroke-width="{coord(width)}" stroke-linejoin="round"/>'
        )

    def dot(self, x: float, y: float, r: float, fill: str, tip: str = "") -> None:
        """A marker on a line; `tip` is its value as a tooltip."""
        attrs = f'cx="{coord(x)}" cy="{coord(y)}" r="{coord(r)}" fill="{fill}"'
        if tip:
            self.parts.append(f"<circle {attrs}><title>{esc(tip)}</title></circle>")
        else:
            self.parts.append(f"<circle {attrs}/>")

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: float = 12,
        anchor: str = "start",
        fill: str = INK,
        rotate: float = 0,
    ) -> None:
        """Text whose baseline starts (or, by `anchor`, ends or centres) at (x, y)."""
        turn = f' transform="rotate({coord(rotate)} {coord(x)} {coord(y)})"' if rotate else ""
        self.parts.append(
            f'<text x="{coord(x)}" y="{coord(y)}" font-size="{coord(size)}" '
            f'text-anchor="{anchor}" fill="{fill}"{turn}>{esc(content)}</text>'
        )

    def legend(self, x: float, y: float, items: list[tuple[str, str]], size: float = 11) -> None:
        """A row of colour swatches and labels starting at (x, y) (the row's top)."""
        for label, colour in items:
            self.rect(x, y, size, size, colour)
            self.text(x + size + 4, y + size - 1, label, size=size)
            x += size + 4 + text_width(label, size) + 14

    def render(self) -> str:
        """The whole document: sized in px, scalable by its viewBox, titled for screen readers."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{coord(self.width)}" '
            f'height="{coord(self.height)}" viewBox="0 0 {coord(self.width)} '
            f'{coord(self.height)}" role="img" font-family="{FONT}">'
        )
        body = "\n".join(self.parts)
        return (
            f"{head}\n<title>{esc(self.title)}</title>\n"
            f'<rect width="100%" height="100%" fill="#ffffff"/>\n{body}\n</svg>\n'
        )

    def save(self, path: Path) -> Path:
        """Write the file (creating its folder) and return its path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path
