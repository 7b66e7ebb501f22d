"""The instance's event log keeps one connection per SQLite file (issue 16) and is Dagster's own.

Real Dagster instances on real SQLite files: what the pooled storage writes, Dagster's stock
`SqliteEventLogStorage` reads back; the dagster.yaml lipas writes is kept current, and an
operator's own is left alone.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from core.settings import Settings
from orchestration.event_log_storage import KEPT_FILES, PooledSqliteEventLogStorage
from orchestration.instance import (
    EARLIER_TEMPLATES,
    WRITTEN_BY_LIPAS,
    prepare_dagster_home,
)

EMPTY_JOB = dg.GraphDefinition(name="empty", node_defs=[]).to_job()


def _report(instance: dg.DagsterInstance, count: int) -> str:
    run = instance.create_run_for_job(job_def=EMPTY_JOB, run_config={})
    for index in range(count):
        instance.report_engine_event(f"event {index}", run)
    return run.run_id


def test_our_instance_stores_events_dagster_reads_back(lipas_home: Settings) -> None:
    dagster_home = prepare_dagster_home(lipas_home)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        run_id = _report(instance, 30)
        # One kept engine per file (the run's and the index), not one per event.
        assert len(storage._engines) <= 2
        assert len([e for e in instance.all_logs(run_id) if e.message.startswith("event ")]) == 30
    # Dagster's stock storage on the same folder: the same files, the same rows.
    stock = SqliteEventLogStorage(str(dagster_home / "history" / "runs"))
    try:
        messages = [e.message for e in stock.get_logs_for_run(run_id)]
    finally:
        stock.dispose()
    assert [m for m in messages if m.startswith("event ")] == [f"event {i}" for i in range(30)]


def test_a_long_lived_process_keeps_few_files_open(lipas_home: Settings) -> None:
    dagster_home = prepare_dagster_home(lipas_home)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        run_ids = [_report(instance, 2) for _ in range(KEPT_FILES + 4)]
        assert len(storage._engines) <= KEPT_FILES + 1
        # An evicted run's file opens again on demand.
        assert len(instance.all_logs(run_ids[0])) >= 2
        instance.wipe()  # deletes the run files: their connections were closed first
        assert set(storage._engines) <= {"index"}
        assert not instance.all_logs(run_ids[-1])


def test_a_forked_child_opens_its_own_connections(lipas_home: Settings) -> None:
    """A fork must not write through the parent's SQLite connections: it makes its own."""
    dagster_home = prepare_dagster_home(lipas_home)
    script = (
        "import os, sys, dagster as dg\n"
        "inst = dg.DagsterInstance.from_config(sys.argv[1])\n"
        "job = dg.GraphDefinition(name='empty', node_defs=[]).to_job()\n"
        "run = inst.create_run_for_job(job_def=job, run_config={})\n"
        "inst.report_engine_event('parent', run)\n"
        "storage = inst.event_log_storage\n"
        "parent = dict(storage._engines)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    inst.report_engine_event('child', run)\n"
        "    fresh = all(storage._engines[k] is not parent.get(k) for k in storage._engines)\n"
        "    os._exit(0 if fresh else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert os.waitstatus_to_exitcode(status) == 0, status\n"
        "inst.report_engine_event('parent again', run)\n"
        "print(sorted(e.message for e in inst.all_logs(run.run_id)"
        " if e.message in ('parent', 'child', 'parent again')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(dagster_home)], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "['child', 'parent', 'parent again']"


def test_lipas_keeps_its_own_dagster_yaml_current(lipas_home: Settings) -> None:
    config = lipas_home.dagster_home / "dagster.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    # A file that is neither marked nor a known template: left alone.
    unknown = "# Dagster instance settings, edited by hand\ntelemetry:\n  enabled: false\n"
    config.write_text(unknown, encoding="utf-8")
    assert hashlib.sha256(unknown.encode()).hexdigest() not in EARLIER_TEMPLATES
    prepare_dagster_home(lipas_home)
    assert config.read_text(encoding="utf-8") == unknown

    # A home made before lipas marked its files: the earlier template, copied verbatim
    # (tests/orchestration/data holds it as `0323472:orchestration/dagster.yaml`), is upgraded.
    earlier = (Path(__file__).parent / "data" / "dagster.yaml.earlier").read_bytes()
    assert hashlib.sha256(earlier).hexdigest() in EARLIER_TEMPLATES
    config.write_bytes(earlier)
    prepare_dagster_home(lipas_home)
    assert config.read_text(encoding="utf-8").startswith(WRITTEN_BY_LIPAS)

    # Ours, written for another path (a moved home): rewritten for this one.
    config.write_text(WRITTEN_BY_LIPAS + "base_dir: /elsewhere\n", encoding="utf-8")
    prepare_dagster_home(lipas_home)
    text = config.read_text(encoding="utf-8")
    assert str(lipas_home.dagster_home.resolve()) in text and "@DAGSTER_HOME@" not in text

    # The operator's own (first line removed): never touched.
    own = text.split("\n", 1)[1]
    config.write_text(own, encoding="utf-8")
    prepare_dagster_home(lipas_home)
    assert config.read_text(encoding="utf-8") == own
