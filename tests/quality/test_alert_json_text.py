"""Alert documents' JSON text: the orjson writer gives the standard library's text (issue 16)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from quality.alerts.json_text import plain, pretty


@dataclasses.dataclass(frozen=True)
class _Row:
    period: str
    rate: float
    at: dt.date
    seen: dt.datetime
    where: Path
    counts: dict[str, int]
    tags: tuple[str, ...]
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class _Doc:
    title: str
    rows: list[_Row]
    share: float
    flags: dict[int, bool] = dataclasses.field(default_factory=dict)


def _doc() -> _Doc:
    row = _Row(
        period="2027-07", rate=0.0975609756097561, at=dt.date(2027, 8, 15),
        seen=dt.datetime(2027, 8, 15, 1, 2, 3), where=Path("bapas/BP3201/fixlist.md"),
        counts={"zeta": 2, "alfa": 1}, tags=("Kanwil Jawa Barat", "Ø ñ — é"),
    )  # fmt: skip
    return _Doc(title="Ringkasan mutu", rows=[row, row], share=100.0, flags={3: True, 1: False})


def _standard(document: object) -> str:
    """What to_json wrote before: asdict, floats to 4 decimals, json.dumps(indent=2)."""

    def rounded(value: object) -> object:
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, list | tuple):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    return json.dumps(
        rounded(dataclasses.asdict(document)),  # type: ignore[call-overload]
        default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    )


def test_pretty_writes_the_standard_librarys_text() -> None:
    doc = _doc()
    assert pretty(doc) == _standard(doc)
    assert '"rate": 0.0976' in pretty(doc) and "Ø ñ — é" in pretty(doc)


def test_plain_does_not_share_the_documents_containers() -> None:
    doc = _doc()
    converted = plain(doc)
    assert isinstance(converted, dict)
    converted["rows"][0]["counts"]["zeta"] = 99
    assert doc.rows[0].counts["zeta"] == 2


def test_an_unknown_type_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="set"):
        pretty({"x": {1, 2}})
