"""Helpers for the site tests: a tiny in-memory set of marts, and reading figures from pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from publishing.site.data import BREAKDOWN, MARTS, Marts

GRAIN = ["geo_level", "geo_code", "period_grain", "period"]
OFFICES = pd.DataFrame(
    [
        {
            "bapas_code": "BP0101",
            "short_name": "Kota Satu",
            "kanwil_code": "KW01",
            "kanwil_name": "Kanwil Ditjenpas Satu",
        },
        {
            "bapas_code": "BP0102",
            "short_name": "Kota Dua",
            "kanwil_code": "KW01",
            "kanwil_name": "Kanwil Ditjenpas Satu",
        },
    ]
)
CODES = pd.DataFrame(
    [
        {"code_list": "kebutuhan", "code": c, "label_id": label}
        for c, label in (
            ("KERJA", "Pekerjaan"),
            ("HUKUM", "Bantuan hukum"),
            ("KESEHATAN", "Kesehatan"),
            ("PENDIDIKAN", "Pendidikan"),
        )
    ]
)


def row(level: str, code: str, period: str = "2025-02", grain: str = "month", **cells: Any):
    """One mart row at the shared grain plus its cells."""
    return {"geo_level": level, "geo_code": code, "period_grain": grain, "period": period, **cells}


def tiny_marts(rows: dict[str, list[dict[str, Any]]]) -> Marts:
    """Marts built from a few hand-written rows (every other mart empty)."""
    frames = {}
    for mart in MARTS:
        columns = GRAIN + ([BREAKDOWN[mart]] if BREAKDOWN[mart] else [])
        frame = pd.DataFrame(rows.get(mart, []))
        frames[mart] = frame if not frame.empty else pd.DataFrame(columns=columns)
    return Marts(frames, OFFICES, CODES)


class FigureParser(HTMLParser):
    """Collects every `<span class="fig" ...>text</span>`: its data attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict[str, str]] = []
        self.links: list[str] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "span" and found.get("class") == "fig":
            self._open = {**found, "text": ""}
        for attr in ("href", "src"):
            if attr in found:
                self.links.append(found[attr])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._open is not None:
            self.figures.append(self._open)
            self._open = None


def parse_page(path: Path) -> FigureParser:
    """Figures and links of one built page."""
    parser = FigureParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
