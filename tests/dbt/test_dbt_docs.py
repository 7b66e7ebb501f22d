"""`lipas docs`: the dbt docs site built against a warehouse, static, readable offline.

Regressions for issue 14 item 9: building the docs was undocumented, and `dbt docs generate`
run by hand from dbt_project/ failed because the profile's default database path was relative
to the repository root, not to dbt_project/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from cli.docs_cmd import DbtDocs, build_dbt_docs, make_server
from core.settings import DBT_PROJECT_DIR, Settings, load_settings
from orchestration.dbt_invocation import dbt_executable
from tests.dbt.conftest import DbtBuild

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REMOTE_ASSET = re.compile(r"<(script|link)\b[^>]*\b(src|href)=[\"']https?://", re.I)
OFFLINE_FLAGS = ("--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")
MODELS = ("fct_client_month", "mart_submission_compliance")


@pytest.fixture(scope="module")
def home(dbt_build: DbtBuild, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A LIPAS_HOME whose warehouse is a copy of the session's built DuckDB warehouse."""
    settings = load_settings(
        {"LIPAS_HOME": str(tmp_path_factory.mktemp("dbt_docs") / "home"), "LIPAS_ENV": "dev"}
    )
    settings.ensure_dirs()
    shutil.copyfile(dbt_build.warehouse, settings.warehouse_path)
    return settings


@pytest.fixture(scope="module")
def docs(home: Settings) -> DbtDocs:
    """`lipas docs` as an operator runs it, then the same build through the function."""
    result = CliRunner().invoke(
        build_app(), ["docs", "--target", "duckdb"], env={"LIPAS_HOME": str(home.home)}
    )
    assert result.exit_code == 0, result.output[-4000:]
    assert "reports/dbt_docs/index.html" in result.output.replace("\n", "")
    built = build_dbt_docs(home, "duckdb")  # a second run rebuilds in place
    assert built.result.success, built.result.output[-4000:]
    return built


@pytest.mark.slow
def test_static_site_is_self_contained(docs: DbtDocs, home: Settings) -> None:
    assert docs.site == home.reports_dir / "dbt_docs"
    assert {"index.html", "manifest.json", "catalog.json"} <= {p.name for p in docs.site.iterdir()}
    page = docs.index.read_text(encoding="utf-8")
    assert not REMOTE_ASSET.search(page)
    # Manifest and catalog are inlined: the page needs no fetch (works from file://).
    for model in MODELS:
        assert f"model.lipas.{model}" in page
    catalog = json.loads((docs.site / "catalog.json").read_text(encoding="utf-8"))
    assert "model.lipas.fct_client_month" in catalog["nodes"]


@pytest.mark.slow
def test_dbt_docs_generate_runs_from_dbt_project_dir(home: Settings, tmp_path: Path) -> None:
    # Failure before the fix: the default path "var/warehouse/lipas.duckdb" resolved to
    # dbt_project/var/..., which does not exist ("Cannot open file"), so the catalog failed.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIPAS_", "DBT_"))}
    env.update({"LIPAS_HOME": str(home.home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_LOG_PATH": str(tmp_path / "logs")})  # fmt: skip
    target = tmp_path / "target"
    proc = subprocess.run(
        [str(dbt_executable()), "docs", "generate", "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    assert "model.lipas.fct_client_month" in catalog["nodes"]


@pytest.mark.slow
def test_server_binds_loopback_and_serves_the_page(docs: DbtDocs) -> None:
    server = make_server(docs.site, 0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        worker = threading.Thread(target=server.handle_request)
        worker.start()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=30) as resp:
            body = resp.read().decode("utf-8")
        worker.join(timeout=30)
    finally:
        server.server_close()
    assert "model.lipas.fct_client_month" in body


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin")
def test_page_shows_the_models_offline_in_chromium(docs: DbtDocs, tmp_path: Path) -> None:
    from matplotlib.image import imread

    common = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        *OFFLINE_FLAGS,
        # Let the page's own JavaScript render the project tree before the DOM is read.
        "--virtual-time-budget=15000",
    ]
    # A mart's page: rendered by the page's JavaScript from the inlined manifest and catalog.
    url = docs.index.as_uri() + "#!/model/model.lipas.mart_submission_compliance"
    dom = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'p1'}", "--dump-dom", url],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    # Only what the page rendered counts, not the JSON inlined in its <script> tags.
    rendered = re.sub(r"<script\b.*?</script>", "", dom, flags=re.S | re.I)
    assert "mart_submission_compliance" in rendered
    assert "reporting_rate" in rendered  # a column from the catalog
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dbt_docs.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'p2'}", f"--screenshot={shot}",
         "--window-size=1400,900", url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pixels = imread(shot)
    assert pixels.shape[:2] == (900, 1400)
    assert float(pixels[..., :3].std()) > 0.05, "screenshot is blank"


def test_cli_refuses_bad_port_and_missing_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    bad_port = runner.invoke(build_app(), ["docs", "--port", "70000"])
    assert bad_port.exit_code == 2 and "--port" in bad_port.output
    no_warehouse = runner.invoke(build_app(), ["docs"])
    assert no_warehouse.exit_code == 2
    assert "lipas build" in no_warehouse.output
