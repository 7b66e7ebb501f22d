"""The project's own structure rules, checked on target/manifest.json of the session build."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dbt.conftest import DbtBuild

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt")]

LAYER_PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("dim_", "fct_", "mart_"),
}
PK_TESTS = {"unique", "unique_combination"}

# The only exceptions to the rules, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # dim_period is generated from a number series and reads nothing upstream.
    ("no_upstream", "dim_period"): "generated calendar spine",
}


@pytest.fixture(scope="module")
def manifest(dbt_build: DbtBuild) -> dict[str, Any]:
    return json.loads((dbt_build.target_path / "manifest.json").read_text(encoding="utf-8"))


def models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def layer(node: dict[str, Any]) -> str:
    return str(node["fqn"][1])


def test_layer_prefixes(manifest: dict[str, Any]) -> None:
    wrong = [
        n["name"]
        for n in models(manifest)
        if not n["name"].startswith(LAYER_PREFIXES.get(layer(n), ("?",)))
    ]
    assert wrong == []


def test_every_model_and_column_described(manifest: dict[str, Any]) -> None:
    missing = []
    for node in models(manifest):
        if not node["description"].strip():
            missing.append(node["name"])
        missing += [
            f"{node['name']}.{col}"
            for col, spec in node["columns"].items()
            if not spec["description"].strip()
        ]
    assert missing == []


def test_documented_columns_exist(manifest: dict[str, Any], dbt_build: DbtBuild) -> None:
    catalog_path = dbt_build.target_path / "catalog.json"
    if not catalog_path.exists():
        pytest.skip("catalog.json comes from dbt docs generate")
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    gaps = []
    for node in models(manifest):
        built = catalog["nodes"].get(node["unique_id"])
        if built is None:
            continue
        actual = {c.lower() for c in built["columns"]}
        documented = set(node["columns"])
        gaps += [f"{node['name']}.{c} undocumented" for c in actual - documented]
        gaps += [f"{node['name']}.{c} not built" for c in documented - actual]
    assert gaps == []


def test_only_staging_reads_sources(manifest: dict[str, Any]) -> None:
    wrong = [
        n["name"]
        for n in models(manifest)
        if layer(n) != "staging" and any(d.startswith("source.") for d in n["depends_on"]["nodes"])
    ]
    assert wrong == []


def test_staging_does_not_read_staging(manifest: dict[str, Any]) -> None:
    wrong = []
    for node in models(manifest):
        if layer(node) != "staging":
            continue
        for dep in node["depends_on"]["nodes"]:
            parent = manifest["nodes"].get(dep)
            if parent and parent["resource_type"] == "model" and layer(parent) == "staging":
                wrong.append(f"{node['name']} <- {parent['name']}")
    assert wrong == []


def test_every_model_has_a_primary_key_test(manifest: dict[str, Any]) -> None:
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or "test_metadata" not in node:
            continue
        model_id = node.get("attached_node") or next(iter(node["depends_on"]["nodes"]), None)
        tested.setdefault(str(model_id), set()).add(node["test_metadata"]["name"])
    missing = [
        n["name"] for n in models(manifest) if not tested.get(n["unique_id"], set()) & PK_TESTS
    ]
    assert missing == []


def test_marts_enforce_contracts(manifest: dict[str, Any]) -> None:
    loose = [
        n["name"]
        for n in models(manifest)
        if layer(n) == "marts" and not n["config"]["contract"]["enforced"]
    ]
    assert loose == []


def test_models_have_upstream(manifest: dict[str, Any]) -> None:
    orphans = [
        n["name"]
        for n in models(manifest)
        if not n["depends_on"]["nodes"] and ("no_upstream", n["name"]) not in EXCEPTIONS
    ]
    assert orphans == []
