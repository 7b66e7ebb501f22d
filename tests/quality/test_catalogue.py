"""The generated rule catalogue is current and every rule is well formed."""

from __future__ import annotations

import re

from quality.catalogue_doc import CATALOGUE_PATH, all_rules, render_catalogue
from quality.model import FAMILIES, fill


def test_committed_catalogue_is_up_to_date() -> None:
    assert CATALOGUE_PATH.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/quality-rules.md is stale: run `python -m quality.catalogue_doc`"
    )


def test_rule_ids_are_unique_and_families_known() -> None:
    rules = all_rules()
    ids = [r.rule_id for r in rules]
    assert len(ids) == len(set(ids))
    assert {r.family for r in rules} <= set(FAMILIES)
    # Every family of the generator's manifest has at least one rule.
    assert {r.family for r in rules} == set(FAMILIES)


def test_every_message_is_bilingual_and_fillable() -> None:
    values = {"rows": "2", "count": 1, "kode_bapas": "BP1101", "period": "2025-03"}
    for r in all_rules():
        for text in (r.message_id, r.message_en, r.hint_id, r.hint_en):
            assert text.strip(), r.rule_id
            assert not re.search(r"\{[^}]*\{", fill(text, values)), r.rule_id
        assert r.message_id != r.message_en, f"{r.rule_id} needs Bahasa Indonesia and English"
