"""The clerk-mistake catalogue: 30+ classes, each with a rule, a message and a planting fault."""

from __future__ import annotations

from quality.catalogue_doc import all_rules
from synthetic.faults import CATALOGUE
from synthetic.mistakes import load_mistakes, mistake_of
from synthetic.mistakes_doc import MISTAKES_DOC_PATH, render_mistakes


def test_committed_mistakes_page_is_up_to_date() -> None:
    assert MISTAKES_DOC_PATH.read_text(encoding="utf-8") == render_mistakes(), (
        "docs/clerk-mistakes.md is stale: run `python -m synthetic.mistakes_doc`"
    )


def test_every_class_has_a_rule_and_a_generator_fault() -> None:
    # Issue 12: at least 30 classes, each caught by a catalogued rule and planted by the
    # generator, so `lipas check --evaluate` measures every class.
    mistakes = load_mistakes()
    assert len(mistakes) >= 30
    rules = {r.rule_id for r in all_rules()}
    faults = {k.fault for k in CATALOGUE}
    for m in mistakes:
        assert m.rules and set(m.rules) <= rules, m
        assert m.faults and set(m.faults) <= faults, m
    # ...and every generator fault is a catalogued mistake.
    assert all(mistake_of(k.fault) for k in CATALOGUE)


def test_messages_of_new_classes_name_the_cause() -> None:
    messages = {r.rule_id: r.message_id for r in all_rules()}
    assert "ribuan rupiah" in messages["CONS_BIAYA_RIBUAN"]
    assert "baris TOTAL" in messages["CONS_BARIS_TOTAL"]
    assert "salinan laporan bulan lalu" in messages["DUP_COPY_LAST_MONTH"]
    assert "didaftarkan dua kali" in messages["DUP_CLIENT_TWO_REGISTERS"]
    assert "seharusnya ANAK" in messages["CONS_DEWASA_18_PLUS"]
