"""Landing sensor: one run per new content, cursor survives, nothing re-triggers."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.sensors import (
    landing_fingerprints,
    landing_sensor,
    new_arrivals,
    record_failure,
)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_fingerprints_hash_content_recursively(tmp_path: Path) -> None:
    _write(tmp_path / "BP3501" / "2025-01" / "a.xlsx", b"one")
    _write(tmp_path / "b.csv", b"two")
    prints = landing_fingerprints(tmp_path)
    assert set(prints) == {"BP3501/2025-01/a.xlsx", "b.csv"}
    assert prints["b.csv"] != prints["BP3501/2025-01/a.xlsx"]


@pytest.mark.parametrize(
    ("cursor_hashes", "expected"),
    [
        pytest.param(None, {"a", "b"}, id="first tick sees everything"),
        pytest.param(["ha"], {"b"}, id="known content is not new"),
        pytest.param(["ha", "hb"], set(), id="nothing new"),
    ],
)
def test_new_arrivals(cursor_hashes: list[str] | None, expected: set[str]) -> None:
    current = {"a": "ha", "b": "hb"}
    cursor = json.dumps({"hashes": cursor_hashes}) if cursor_hashes is not None else None
    assert set(new_arrivals(current, cursor)) == expected


def test_sensor_requests_one_run_per_new_content(lipas_home) -> None:  # type: ignore[no-untyped-def]
    _write(lipas_home.landing_dir / "BP3501" / "x.xlsx", b"payload")
    first = landing_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.SensorResult)
    assert len(first.run_requests) == 1
    run_key = first.run_requests[0].run_key

    again = landing_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(again, dg.SkipReason)

    _write(lipas_home.landing_dir / "BP3502" / "y.xlsx", b"other payload")
    second = landing_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(second, dg.SensorResult)
    assert second.run_requests[0].run_key != run_key
    assert second.run_requests[0].tags["lipas/files"] == "1"


def test_record_failure_appends_jsonl(tmp_path: Path) -> None:
    record_failure(tmp_path, "run-1", "nightly", "boom")
    record_failure(tmp_path, "run-2", "nightly", "bang")
    lines = (tmp_path / "run_failures.jsonl").read_text().splitlines()
    assert [json.loads(line)["run_id"] for line in lines] == ["run-1", "run-2"]
