"""core.duckdb_connect: the process's memory cap on every connection, and frames via Arrow.

fetch_frame replaced `.df()` where the checks fetch millions of rows (issue 16): the frames
must be the ones `.df()` gave, or a GX expectation could pass or fail differently.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from core.duckdb_connect import fetch_frame, open_duckdb
from core.settings_types import ConfigurationError

EVERY_TYPE = """
create table t as select * from (values
    ('a', 1, 10::bigint, 1.5::double, 12.34::decimal(18, 2), date '2024-01-31',
     timestamp '2024-01-31 10:00:00', true, 3::tinyint, 7::smallint, 'x'),
    (null, null, null, null, null, null, null, null, null, null, 'y')
) as v(s, i, b, d, dec, dt, ts, bo, ti, si, s2)
"""


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("select * from t", id="with NULLs"),
        pytest.param("select * from t where i is not null", id="without NULLs"),
        pytest.param("select * from t where false", id="empty"),
        pytest.param("select s2, count(*) as n from t group by s2 order by s2", id="aggregate"),
    ],
)
def test_fetch_frame_gives_the_frame_df_gives(sql: str) -> None:
    con = duckdb.connect()
    con.execute(EVERY_TYPE)
    pd.testing.assert_frame_equal(fetch_frame(con, sql), con.execute(sql).df())


def test_the_memory_limit_setting_caps_every_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_DUCKDB_MEMORY_LIMIT", "300MB")
    path = tmp_path / "w.duckdb"
    with open_duckdb(path) as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()
        assert limit is not None and str(limit[0]).startswith("286")  # 300 MB in MiB
    # The published snapshot's lockdown forbids SET: the cap joins its configuration.
    locked = {"lock_configuration": True}
    with open_duckdb(path, read_only=True, config=locked) as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()
        assert limit is not None and str(limit[0]).startswith("286")
        with pytest.raises(duckdb.Error):
            con.execute("set memory_limit = '10GB'")
    # In-memory databases spill to a private folder, not `.tmp` in the working directory.
    with open_duckdb() as con:
        folder = con.execute("select current_setting('temp_directory')").fetchone()
        assert folder is not None and str(folder[0]).endswith("lipas-duckdb")
    # An explicit limit (the ingestion writer's) wins over the setting.
    with open_duckdb(path, limit="100MB") as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()
        assert limit is not None and str(limit[0]).startswith("95")


@pytest.mark.parametrize("value", ["lots", "1 GBs", "'; drop table x; --"])
def test_a_malformed_limit_is_a_configuration_error(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_DUCKDB_MEMORY_LIMIT", value)
    with pytest.raises(ConfigurationError, match="LIPAS_DUCKDB_MEMORY_LIMIT"):
        open_duckdb()


def test_a_share_of_ram_is_duckdbs_own_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_DUCKDB_MEMORY_LIMIT", "80%")
    own = duckdb.connect().execute("select current_setting('memory_limit')").fetchone()
    with open_duckdb() as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == own


def test_release_fetched_memory_returns_arrows_cache_and_imports_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 16: Arrow's allocator kept each step's frames after they were freed.
    import subprocess
    import sys

    import pyarrow as pa

    from core.duckdb_connect import release_fetched_memory

    released: list[str] = []
    pool = pa.default_memory_pool()
    monkeypatch.setattr(pa, "default_memory_pool", lambda: _Pool(pool, released))
    release_fetched_memory()
    assert released == [pool.backend_name]
    code = (
        "import sys; from core.duckdb_connect import release_fetched_memory;"
        " release_fetched_memory(); print('pyarrow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


class _Pool:
    def __init__(self, pool: object, released: list[str]) -> None:
        self.pool, self.released = pool, released

    def release_unused(self) -> None:
        self.released.append(self.pool.backend_name)  # type: ignore[attr-defined]
        self.pool.release_unused()  # type: ignore[attr-defined]
