"""Within-submission consistency rules cached per submission (issue 16); month-on-month not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest
import qbuild

from quality.rules import cached
from quality.rules.cached import evaluate_rules_cached
from quality.rules.evaluator import evaluate_rules
from quality.rules.spec import load_consistency_rules
from quality.scope import CheckScope, register_scope
from quality.tables import create_current_views

MONTHS = ("2025-02", "2025-03")


@pytest.fixture
def con(lipas_home):  # type: ignore[no-untyped-def]
    connection = qbuild.connect(lipas_home.warehouse_path)
    for bapas in ("BP1101", "BP1102"):
        for month in MONTHS:
            rows = qbuild.monthly_rows(bapas, month)
            rows["KLIEN"][0]["wajib_lapor_hadir"] = 9  # attended more check-ins than scheduled
            rows["PESERTA"][1]["no_register"] = "X/999"  # a participant who is not a client
            rows["GRIYA_ABHIPRAYA"] = [{"kapasitas": 10, "penghuni_awal": 4 + len(month),
                                        "masuk": 1, "keluar": 0, "penghuni_akhir": 5}]  # fmt: skip
            qbuild.add_submission(connection, bapas, month, rows)
    yield connection
    connection.close()


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, set[str]]]:
    """(rule, submissions) of every result written to the cache (a spy on the real store)."""
    seen: list[tuple[str, set[str]]] = []
    real = cached.store

    def spy(con: duckdb.DuckDBPyConnection, cache: Any, *args: Any) -> None:
        seen.append((cache.checked, set(cache.stale)))
        real(con, cache, *args)

    monkeypatch.setattr(cached, "store", spy)
    return seen


def _run(con: duckdb.DuckDBPyConnection, **kw: Any) -> list[str]:
    create_current_views(con)
    register_scope(con, CheckScope(dt.date(2025, 4, 30), MONTHS))
    return sorted(repr(d) for d in evaluate_rules_cached(con, load_consistency_rules(), **kw))


def _plain(con: duckdb.DuckDBPyConnection) -> list[str]:
    create_current_views(con)
    register_scope(con, CheckScope(dt.date(2025, 4, 30), MONTHS))
    return sorted(repr(d) for d in evaluate_rules(con, load_consistency_rules()))


def test_cached_findings_equal_the_plain_evaluator_and_a_warm_run_evaluates_nothing(
    con: duckdb.DuckDBPyConnection, stored: list[tuple[str, set[str]]]
) -> None:
    plain = _plain(con)
    assert any("CONS_WAJIB_LAPOR" in d for d in plain) and any("CARRY_OVER" in d for d in plain)
    assert _run(con) == plain
    assert {rule for rule, _ids in stored} >= {
        "rule:CONS_WAJIB_LAPOR",
        "rule:CONS_PESERTA_IS_CLIENT",
    }
    assert "rule:CONS_GRIYA_CARRY_OVER" not in {rule for rule, _ids in stored}
    stored.clear()
    assert _run(con) == plain
    assert stored == []  # every within-submission result came from the cache
    assert _run(con, use_cache=False) == plain


def test_a_month_on_month_rule_follows_a_new_version_of_last_month(
    con: duckdb.DuckDBPyConnection,
) -> None:
    before = [d for d in _run(con) if "CARRY_OVER" in d and "2025-03" in d]
    assert len(before) == 2  # March opens with 11 residents, February ended with 5
    fixed = qbuild.monthly_rows("BP1101", "2025-02")
    fixed["GRIYA_ABHIPRAYA"] = [{"kapasitas": 20, "penghuni_awal": 10, "masuk": 1,
                                 "keluar": 0, "penghuni_akhir": 11}]  # fmt: skip
    qbuild.add_submission(con, "BP1101", "2025-02", fixed)
    after = [d for d in _run(con) if "CARRY_OVER" in d and "2025-03" in d]
    assert len(after) == 1 and "BP1102" in after[0]
    assert _run(con) == _plain(con)
