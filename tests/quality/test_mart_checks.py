"""GX mart checks never repeat a dbt data test: a rule on a mart lives in one place (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.settings import DBT_PROJECT_DIR
from quality.gx_marts import mart_specs

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"


def _dbt_column_tests() -> dict[tuple[str, str], list[tuple[str, tuple[Any, ...]]]]:
    """(model, column) -> [(test name, (min, max) for value_between else ())] from the YAML."""
    out: dict[tuple[str, str], list[tuple[str, tuple[Any, ...]]]] = {}
    for path in sorted(Path(MARTS_DIR).rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in data.get("models") or []:
            for column in model.get("columns") or []:
                tests = out.setdefault((model["name"], column["name"]), [])
                for test in column.get("data_tests") or []:
                    if isinstance(test, str):
                        tests.append((test, ()))
                        continue
                    name, body = next(iter(test.items()))
                    args = (body or {}).get("arguments", body or {})
                    bounds = (args.get("min_value"), args.get("max_value"))
                    tests.append((name, bounds if name == "value_between" else ()))
    return out


def _as_dbt(check: str, kwargs: dict[str, Any]) -> tuple[str, tuple[Any, ...]] | None:
    if check in ("not_null", "unique"):
        return check, ()
    if check == "between":
        return "value_between", (kwargs.get("min_value"), kwargs.get("max_value"))
    return None


def test_no_mart_check_repeats_a_dbt_test() -> None:
    dbt_tests = _dbt_column_tests()
    repeats = []
    for mart, specs in mart_specs().items():
        for spec in specs:
            same = _as_dbt(spec.kind, dict(spec.kwargs))
            if spec.column and same in dbt_tests.get((mart, spec.column), []):
                repeats.append(f"{mart}.{spec.column} {spec.kind}")
    assert repeats == [], f"keep these in dbt only, drop them from marts.yaml: {repeats}"


def test_the_dbt_side_is_read() -> None:
    # The repeats removed from marts.yaml are still tested by dbt (so nothing was lost).
    dbt_tests = _dbt_column_tests()
    assert ("unique", ()) in dbt_tests[("fct_activity", "activity_id")]
    assert ("not_null", ()) in dbt_tests[("fct_activity", "activity_id")]
    for mart, column in (
        ("mart_need_coverage", "coverage_rate"),
        ("mart_pokmas_performance", "attendance_rate"),
        ("mart_pokmas_performance", "completion_rate"),
        ("mart_funding_mix", "cost_share"),
        ("mart_submission_compliance", "reporting_rate"),
        ("mart_submission_compliance", "on_time_rate"),
    ):
        assert ("value_between", (0, 1)) in dbt_tests[(mart, column)], (mart, column)
    for mart, column in (
        ("mart_need_coverage", "need_code"),
        ("mart_funding_mix", "funding_source"),
    ):
        assert ("not_null", ()) in dbt_tests[(mart, column)], (mart, column)
