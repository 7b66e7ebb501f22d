"""Key rotation: re-pseudonymising from the archive, and prod refusing the development key.

Issue #18 item 4: client_key is a one-way HMAC of the NIK, so a lost or rotated key is only
recovered from the archived originals; and a production server must not start on the
development key at any entry point.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import ConfigurationError, load_settings
from ingestion.pseudonymise import DEVELOPMENT_KEY, require_production_key

KEY_A = "a" * 40
KEY_B = "b" * 40
PROD_KEY_ERRORS = [
    pytest.param({"LIPAS_ENV": "prod"}, "not set", id="prod without a key"),
    pytest.param(
        {"LIPAS_ENV": "prod", "LIPAS_PSEUDONYM_KEY": DEVELOPMENT_KEY.decode()},
        "development key",
        id="prod with the development key pasted in",
    ),
]


@pytest.mark.parametrize(("env", "match"), PROD_KEY_ERRORS)
def test_prod_refuses_without_a_real_key(env: dict[str, str], match: str) -> None:
    """Regression: only ingest refused; the dev key's text set explicitly was accepted."""
    with pytest.raises(ConfigurationError, match=match):
        require_production_key(env)


def test_dev_and_a_real_prod_key_pass() -> None:
    """Development needs no key; prod with its own key starts."""
    require_production_key({"LIPAS_ENV": "dev"})
    require_production_key({"LIPAS_ENV": "prod", "LIPAS_PSEUDONYM_KEY": KEY_A})


@pytest.mark.parametrize("command", ["check", "build", "publish", "nightly"])
def test_cli_entry_points_refuse_in_prod_without_key(
    command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression: `lipas check/build/publish` ran in prod without LIPAS_PSEUDONYM_KEY."""
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LIPAS_ENV", "prod")
    monkeypatch.delenv("LIPAS_PSEUDONYM_KEY", raising=False)
    result = CliRunner().invoke(build_app(), [command])
    assert result.exit_code == 2
    assert "LIPAS_PSEUDONYM_KEY" in result.output
    assert not (tmp_path / "home" / "warehouse").exists()


def test_code_location_refuses_in_prod_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon's and the UI's code location load fails at start-up, not at the first file."""
    from orchestration.definitions import defs

    monkeypatch.setenv("LIPAS_ENV", "prod")
    monkeypatch.delenv("LIPAS_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="LIPAS_PSEUDONYM_KEY"):
        defs()


def _client_pairs(warehouse: Path) -> list[tuple[str, str, str, str]]:
    """(kode_bapas, periode, no_register, client_key) of every loaded client row."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select kode_bapas, _reporting_period, no_register, client_key "
            "from raw.monthly_klien order by all"
        ).fetchall()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def test_rekey_replays_the_archive_with_the_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every client gets a new key, one-to-one, and month-to-month continuity still joins."""
    from ingestion.pipeline import ingest_landing
    from synthetic.generate import generate

    monkeypatch.setenv("LIPAS_ENV", "dev")
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / "old"))
    monkeypatch.setenv("LIPAS_PSEUDONYM_KEY", KEY_A)
    old = load_settings()
    old.ensure_dirs()
    generate(out=old.landing_dir, start="2025-01", months=2, seed=5, bapas=1, scale=0.02,
             faults="none")  # fmt: skip
    ingest_landing(old)

    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / "new"))
    monkeypatch.setenv("LIPAS_PSEUDONYM_KEY", KEY_B)
    result = CliRunner().invoke(build_app(), ["rekey", str(old.home)])
    assert result.exit_code == 0, result.output
    new = load_settings()

    before, after = _client_pairs(old.warehouse_path), _client_pairs(new.warehouse_path)
    assert len(before) == len(after) > 0
    assert [r[:3] for r in before] == [r[:3] for r in after]
    mapping = {b[3]: a[3] for b, a in zip(before, after, strict=True)}
    assert len(set(mapping.values())) == len(mapping)  # consistent and one-to-one
    assert not set(mapping) & set(mapping.values())  # no key survives the rotation

    def continuing(rows: list[tuple[str, str, str, str]]) -> int:
        months = {p: {r[3] for r in rows if r[1] == p} for p in ("2025-01", "2025-02")}
        return len(months["2025-01"] & months["2025-02"])

    assert continuing(after) == continuing(before) > 0
    with duckdb.connect(str(new.warehouse_path), read_only=True) as con:
        received = con.execute(
            "select original_path, received_at from ledger.submissions order by all"
        ).fetchall()
    with duckdb.connect(str(old.warehouse_path), read_only=True) as con:
        original = con.execute(
            "select original_path, received_at from ledger.submissions order by all"
        ).fetchall()
    assert received == original  # arrival times (hence on-time/late) are kept
