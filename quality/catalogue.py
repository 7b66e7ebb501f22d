"""Rule metadata of the built-in (code-backed) rules, read from quality/rules/builtin.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from quality.model import FAMILIES, IMPORTANCE_TO_SEVERITY, RuleMeta

BUILTIN_PATH = Path(__file__).parent / "rules" / "builtin.yaml"


def _meta(entry: dict[str, Any]) -> RuleMeta:
    if entry["family"] not in FAMILIES:
        raise ValueError(f"rule {entry['id']}: unknown family {entry['family']!r}")
    return RuleMeta(
        rule_id=entry["id"],
        family=entry["family"],
        severity=IMPORTANCE_TO_SEVERITY[entry["importance"]],
        definition=entry["definition"],
        message_id=entry["message_id"],
        message_en=entry["message_en"],
        hint_id=entry["hint_id"],
        hint_en=entry["hint_en"],
    )


@lru_cache(maxsize=1)
def builtin_rules() -> dict[str, RuleMeta]:
    """rule_id -> metadata for every code-backed rule."""
    data = yaml.safe_load(BUILTIN_PATH.read_text(encoding="utf-8"))
    return {entry["id"]: _meta(entry) for entry in data["rules"]}


def rule(rule_id: str) -> RuleMeta:
    """Metadata of one built-in rule (KeyError names a rule missing from builtin.yaml)."""
    return builtin_rules()[rule_id]
