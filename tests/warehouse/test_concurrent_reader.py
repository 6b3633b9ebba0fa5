"""An analyst's open DuckDB session never blocks a rebuild and never sees a half-written table."""

import subprocess
import sys
import textwrap

import polars as pl

from emma_pipeline.warehouse.lake import Lake, LakeConfig
from emma_pipeline.warehouse.session import session_init_sql

READER = textwrap.dedent(
    """
    import sys, duckdb
    init, ready, go = sys.argv[1], sys.argv[2], sys.argv[3]
    con = duckdb.connect()
    for statement in open(init).read().split(";\\n"):
        if statement.strip():
            con.execute(statement)
    con.execute("BEGIN TRANSACTION")
    print("before", con.execute("SELECT count(*) FROM objects").fetchone()[0], flush=True)
    open(ready, "w").close()
    import os, time
    deadline = time.time() + 60
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.05)
    print("same_txn", con.execute("SELECT count(*) FROM objects").fetchone()[0], flush=True)
    con.execute("COMMIT")
    print("new_txn", con.execute("SELECT count(*) FROM objects").fetchone()[0], flush=True)
    """
)


def test_reader_session_sees_snapshots_not_partial_writes(tmp_path):
    config = LakeConfig.under(tmp_path / "home")
    lake = Lake(config)
    v1 = lake.write_table("objects", pl.DataFrame({"asin": [f"A{i}" for i in range(100)]}))
    init = tmp_path / "init.sql"
    init.write_text(session_init_sql(config))
    ready, go = tmp_path / "ready", tmp_path / "go"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(init), str(ready), str(go)], stdout=subprocess.PIPE, text=True
    )
    try:
        _wait_for(ready)
        # the rebuild replaces the table while the analyst's session is open: it must neither block nor fail
        v2 = lake.write_table("objects", pl.DataFrame({"asin": [f"B{i}" for i in range(250_000)]}))
        go.touch()
        out, _ = reader.communicate(timeout=120)
    finally:
        reader.kill()
    assert reader.returncode == 0
    assert out.split() == ["before", "100", "same_txn", "100", "new_txn", "250000"]
    assert lake.read("objects", version=v1).height == 100
    assert v2 > v1


def test_killed_writer_leaves_previous_version_intact(tmp_path):
    config = LakeConfig.under(tmp_path / "home")
    Lake(config).write_table("objects", pl.DataFrame({"asin": ["A", "B"]}))
    writer = textwrap.dedent(
        f"""
        import os, polars as pl
        from emma_pipeline.warehouse.lake import Lake, LakeConfig
        lake = Lake(LakeConfig(catalog={config.catalog!r}, data_path={config.data_path!r}))
        with lake.connect() as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("CREATE OR REPLACE TABLE objects AS SELECT 'X' || range AS asin FROM range(500000)")
            os._exit(9)  # killed mid-write, before commit
        """
    )
    assert subprocess.run([sys.executable, "-c", writer]).returncode == 9
    lake = Lake(config)
    assert lake.read("objects")["asin"].to_list() == ["A", "B"]
    lake.write_table("objects", pl.DataFrame({"asin": ["C"]}))  # a re-run after the crash works
    assert lake.read("objects")["asin"].to_list() == ["C"]


def _wait_for(path, timeout=60.0):
    import time

    deadline = time.time() + timeout
    while not path.exists():
        assert time.time() < deadline, "reader process did not start"
        time.sleep(0.05)
