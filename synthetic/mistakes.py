"""The clerk-mistake catalogue (mistakes.yaml): which mistake each generator fault plants."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

MISTAKES_PATH = Path(__file__).with_name("mistakes.yaml")


@dataclass(frozen=True)
class Mistake:
    """One class of clerk mistake: how it arises, the rules catching it, the faults planting it."""

    id: str
    name: str
    title: str
    arises: str
    rules: tuple[str, ...]
    faults: tuple[str, ...]
    silent: str = ""


@lru_cache(maxsize=1)
def load_mistakes(path: Path = MISTAKES_PATH) -> tuple[Mistake, ...]:
    """Every mistake class, in catalogue order (ids and fault names unique)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = tuple(
        Mistake(
            id=m["id"],
            name=m["name"],
            title=m["title"],
            arises=m["arises"],
            rules=tuple(m["rules"]),
            faults=tuple(m["faults"]),
            silent=m.get("silent", ""),
        )
        for m in data["mistakes"]
    )
    faults = [f for m in out for f in m.faults]
    for label, values in (("id", [m.id for m in out]), ("fault", faults)):
        if len(values) != len(set(values)):
            raise ValueError(f"mistakes.yaml: duplicate {label}")
    return out


def mistake_of(fault: str) -> str | None:
    """`Mxx name` of the mistake a generator fault plants (None for an uncatalogued fault)."""
    for m in load_mistakes():
        if fault in m.faults:
            return f"{m.id} {m.name}"
    return None
