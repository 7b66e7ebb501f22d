"""An analyst reading the snapshot while another process publishes a new one (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.settings import Settings
from publishing.snapshot import publish_snapshot, snapshot_path
from tests.publishing.warehouse_data import build_working_warehouse

# The analyst: opens the snapshot read-only, says "ready", keeps querying the same connection
# until told to stop, then reconnects. Prints every distinct answer it saw, as JSON.
READER = """
import json, sys, time
from pathlib import Path
import duckdb

snapshot, ready, stop = sys.argv[1:4]
sql = (
    "select count(*), (select sum(active_clients) from marts.mart_client_reach), "
    "(select max(published_at)::varchar from _published) from marts.fct_client_month"
)
con = duckdb.connect(snapshot, read_only=True)
seen = {tuple(con.execute(sql).fetchone())}
Path(ready).write_text("ready")
deadline = time.monotonic() + 60
while not Path(stop).exists() and time.monotonic() < deadline:
    seen.add(tuple(con.execute(sql).fetchone()))
    time.sleep(0.01)
con.close()
con = duckdb.connect(snapshot, read_only=True)
after = list(con.execute(sql).fetchone())
con.close()
print(json.dumps({"during": sorted(list(s) for s in seen), "after": after}))
"""

PUBLISHER = "from cli.app import main; main()"


def wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"reader never got ready: {process.communicate()}")
        time.sleep(0.02)


@pytest.mark.slow
def test_reader_keeps_old_snapshot_until_it_reconnects(working_warehouse: Settings, tmp_path: Path):
    first = publish_snapshot(working_warehouse, run_id="first")
    script, ready, stop = tmp_path / "reader.py", tmp_path / "ready", tmp_path / "stop"
    script.write_text(READER)
    reader = subprocess.Popen(
        [sys.executable, str(script), str(snapshot_path(working_warehouse)), str(ready), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(ready, reader)
        # The nightly run rebuilds the marts (10 clients per Bapas-month instead of 4) and a
        # separate process publishes them while the analyst's connection is open.
        build_working_warehouse(working_warehouse.warehouse_path, clients_per_month=10)
        publisher = subprocess.run(
            [sys.executable, "-c", PUBLISHER, "publish", "--run-id", "second"],
            env={**os.environ, "LIPAS_HOME": str(working_warehouse.home)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        stop.write_text("stop")
        out, err = reader.communicate(timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()

    assert publisher.returncode == 0, publisher.stderr
    assert reader.returncode == 0, err
    report = json.loads(out)
    old_time = first.published_at.replace("T", " ")
    # Every read on the open connection saw the complete old snapshot, never a mix.
    assert report["during"] == [[36, 36, old_time]]
    assert report["after"][:2] == [90, 90]
    assert report["after"][2] != old_time
