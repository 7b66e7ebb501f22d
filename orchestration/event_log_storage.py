"""Dagster's SQLite event log, keeping one connection per database file instead of one per event.

Dagster's `SqliteEventLogStorage` builds a new SQLAlchemy engine for every read and write. Each
time it opens a SQLite connection, SQLAlchemy sets the dialect up on it, and the engine is
disposed afterwards. A nightly run stores ~1,000 events: every step start and end, every dbt model
materialised and every dbt test as an asset check, planned and evaluated. Per event that took
~3 ms of CPU, and more for the asset events, which write two files. In all, most of what a
Dagster run cost beyond the same steps called directly (issue 16: 1.28x, target < 1.2x;
`benchmarks/bench_event_log.py`).

This subclass keeps one engine per database file (the run's own file and the index), for as
long as the storage lives. It changes nothing else:

- the same files and tables, so a home's run history reads the same, and the webserver and
  daemon may use this class or Dagster's own;
- the same durability: SQLite's defaults, WAL mode as Dagster sets it;
- the same locking: Dagster's `_db_lock` still serialises every use, so a kept connection is
  never used by two threads at once (hence `check_same_thread=False`).

Only a few files are kept open (`KEPT_FILES`; a daemon sees many runs). A forked child drops
its parent's engines rather than share their connections. `wipe` deletes run files, so it
closes the engines first.

It overrides Dagster internals (`_connect`, `_db_lock`, `_initdb`, `_initialized_dbs`), pinned
with the rest of the stack in uv.lock. `tests/orchestration/test_event_log_storage.py` checks
them against the installed Dagster.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Run files a long-lived process (the daemon, the webserver) keeps open besides the index.
KEPT_FILES = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one kept engine (and connection) per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        """Build from dagster.yaml's `config` (`base_dir`, as Dagster's own storage takes)."""
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The kept engine for one database file, made on first use (caller holds _db_lock)."""
        if self._engines_pid != os.getpid():
            # A forked child: the parent's connections are not ours to use or to close.
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=2,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            self._engines[shard] = engine
        self._engines.move_to_end(shard)
        while len(self._engines) > KEPT_FILES + 1:  # + the index
            oldest = next(iter(self._engines))
            if oldest == shard:
                break
            self._engines.pop(oldest).dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            engines, self._engines = self._engines, OrderedDict()
            if self._engines_pid == os.getpid():
                for engine in engines.values():
                    engine.dispose()

    def wipe(self) -> None:
        """Close the kept connections first: wiping deletes the run files under them."""
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        """Close the kept connections with the storage (instance close)."""
        super().dispose()
        self._dispose_engines()
