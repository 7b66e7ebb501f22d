"""The production-key refusal names the command that was refused.

Regression: every entry point said "production ingestion needs the pseudonymisation secret",
so an operator running `lipas check` or `lipas build` was told about an ingestion they had not
started.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import ConfigurationError
from ingestion.pseudonymise import DEVELOPMENT_KEY

KEYS = [
    pytest.param(None, "is not set", id="no key"),
    pytest.param(DEVELOPMENT_KEY.decode(), "is the development key", id="development key"),
]


@pytest.mark.parametrize(("key", "what"), KEYS)
@pytest.mark.parametrize("command", ["check", "build", "purge", "ingest"])
def test_cli_refusal_names_the_command(
    command: str, key: str | None, what: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LIPAS_ENV", "prod")
    if key is None:
        monkeypatch.delenv("LIPAS_PSEUDONYM_KEY", raising=False)
    else:
        monkeypatch.setenv("LIPAS_PSEUDONYM_KEY", key)
    result = CliRunner().invoke(build_app(), [command])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert f"LIPAS_PSEUDONYM_KEY {what}" in output
    assert f"`lipas {command}` in production needs" in output
    assert "production ingestion" not in output


def test_code_location_refusal_names_the_code_location(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.definitions import defs

    monkeypatch.setenv("LIPAS_ENV", "prod")
    monkeypatch.delenv("LIPAS_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="the Dagster code location") as caught:
        defs()
    assert "ingestion" not in str(caught.value)
