"""The lake catalog on a real PostgreSQL server (started on loopback by tests/conftest.py): several writer
processes commit at once, and a reader pinned to a version sees the same rows throughout.

What DuckLake does with overlapping transactions (pinned below, and relied on by Lake's retry): inserts into the
same or different tables are merged at commit by DuckLake itself; a transaction that deletes from a table (our
partition replace: delete the batch, insert it again) or replaces or creates it conflicts with any other commit
that touched that table meanwhile, even on other rows, and fails with a "Transaction conflict" error. Lake runs
such a transaction again from the start on the new snapshot, so every write lands, one after the other.
"""

import json
import os
import subprocess
import sys
import textwrap
import time

import duckdb
import polars as pl
import pytest

from emma_pipeline.warehouse.lake import Lake, LakeConfig, with_retries

WRITES_PER_WORKER = 4

WORKER = textwrap.dedent(
    """
    import json, logging, os, sys, time
    import polars as pl
    from emma_pipeline.warehouse.lake import Lake, LakeConfig
    catalog, data, table, name, n, go = sys.argv[1:7]
    retries = []
    handler = logging.Handler()
    handler.emit = lambda record: retries.append(record.getMessage())
    logger = logging.getLogger("emma_pipeline.warehouse.lake")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    lake = Lake(LakeConfig(catalog=catalog, data_path=data))
    while not os.path.exists(go):
        time.sleep(0.01)
    snapshots = []
    for i in range(int(n)):
        frame = pl.DataFrame({"writer": [name] * 200, "i": [i] * 200, "x": list(range(200))})
        snapshots.append(lake.write_partition(table, frame, "batch", f"{name}-{i}"))
    print(json.dumps({"snapshots": snapshots, "retries": retries}))
    """
)

READER = textwrap.dedent(
    """
    import json, os, sys
    from emma_pipeline.warehouse.lake import Lake, LakeConfig
    catalog, data, version, go, done = sys.argv[1:6]
    lake = Lake(LakeConfig(catalog=catalog, data_path=data))
    pinned, current = [], []
    while not os.path.exists(go):
        pass
    while not os.path.exists(done) or len(pinned) < 2:
        pinned.append(lake.query(f"SELECT count(*), sum(x)::BIGINT FROM shared AT (VERSION => {int(version)})").row(0))
        current.append(lake.query("SELECT count(*) FROM shared").item())
    print(json.dumps({"pinned": pinned, "current": current}))
    """
)


@pytest.fixture
def spawn():
    """Start ``python -c script args...`` with this checkout importable; whatever is still running at the end of
    the test (after a failure) is killed."""
    started = []
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def start(script: str, *args) -> subprocess.Popen:
        started.append(subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE,
                                        text=True, env=env))  # fmt: skip
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _result(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    return json.loads(out.strip().splitlines()[-1])


def test_round_trip_and_time_travel(pg_catalog, tmp_path):
    lake = Lake(LakeConfig(catalog=pg_catalog, data_path=str(tmp_path / "data")))
    first = lake.write_table("objects", pl.DataFrame({"asin": ["A", "B"], "mass_g": [1.5, None]}))
    second = lake.write_table("objects", pl.DataFrame({"asin": ["C"], "mass_g": [3.0]}))
    assert lake.read("objects")["asin"].to_list() == ["C"]
    earlier = lake.read("objects", version=first).to_dicts()
    assert earlier == [{"asin": "A", "mass_g": 1.5}, {"asin": "B", "mass_g": None}]
    assert lake.versions("objects")["snapshot_id"].to_list() == [first, second]


@pytest.mark.parametrize("same_table", [False, True], ids=["different_tables", "same_table"])
def test_two_writer_processes_commit_concurrently(pg_catalog, tmp_path, same_table, spawn):
    data = str(tmp_path / "data")
    go = tmp_path / "go"
    tables = ["shared", "shared"] if same_table else ["table_a", "table_b"]
    workers = [spawn(WORKER, pg_catalog, data, table, name, WRITES_PER_WORKER, go)
               for table, name in zip(tables, ["wa", "wb"])]  # fmt: skip
    time.sleep(1.0)  # both attach the new catalog concurrently (its creation races too), then wait for "go"
    go.touch()
    results = [_result(w) for w in workers]

    lake = Lake(LakeConfig(catalog=pg_catalog, data_path=data))
    snapshots = sorted(s for r in results for s in r["snapshots"])
    assert len(set(snapshots)) == 2 * WRITES_PER_WORKER, "every commit is its own snapshot"
    for table, name in zip(tables, ["wa", "wb"]):
        rows = lake.query(f"SELECT batch, count(*) FROM {table} WHERE writer = ? GROUP BY 1 ORDER BY 1", [name])
        assert rows.rows() == [(f"{name}-{i}", 200) for i in range(WRITES_PER_WORKER)]
    retries = [m for r in results for m in r["retries"]]
    print(f"concurrent writers ({'same' if same_table else 'different'} table): snapshots {results[0]['snapshots']} "
          f"and {results[1]['snapshots']}; {len(retries)} application-level retries: {retries}")  # fmt: skip


def test_reader_pinned_to_a_version_is_stable_while_writers_commit(pg_catalog, tmp_path, spawn):
    data = str(tmp_path / "data")
    lake = Lake(LakeConfig(catalog=pg_catalog, data_path=data))
    seed = pl.DataFrame({"writer": ["seed"] * 300, "i": [0] * 300, "x": list(range(300))})
    pinned = lake.write_partition("shared", seed, "batch", "seed")
    go, done = tmp_path / "go", tmp_path / "done"
    reader = spawn(READER, pg_catalog, data, pinned, go, done)
    workers = [spawn(WORKER, pg_catalog, data, "shared", name, 3, go) for name in ["wa", "wb"]]
    go.touch()
    for w in workers:
        _result(w)
    done.touch()
    seen = _result(reader)
    print(f"pinned reader: {len(seen['pinned'])} reads of version {pinned}, all {seen['pinned'][0]}; "
          f"current row counts seen meanwhile: {sorted(set(seen['current']))}")  # fmt: skip
    assert {tuple(p) for p in seen["pinned"]} == {(300, sum(range(300)))}
    assert seen["current"] == sorted(seen["current"]), "the current version only moves forward"
    assert lake.query("SELECT count(*) FROM shared").item() == 300 + 2 * 3 * 200
    assert lake.read("shared", version=pinned).height == 300


OVERLAPPING = {
    # name: (first transaction, second transaction, does the second commit as it is?, t's rows (w, count) at the end)
    "insert_same_table": ("INSERT INTO t SELECT 1, range FROM range(50)",
                          "INSERT INTO t SELECT 2, range FROM range(50)", True, [(0, 50), (1, 50), (2, 50)]),
    "insert_other_table": ("INSERT INTO t SELECT 1, range FROM range(50)",
                           "INSERT INTO u SELECT 2, range FROM range(50)", True, [(0, 50), (1, 50)]),
    "delete_other_rows": ("DELETE FROM t WHERE x < 25", "DELETE FROM t WHERE x >= 25", False, []),
    "replace_same_table": ("CREATE OR REPLACE TABLE t AS SELECT 1 AS w, 0 AS x",
                           "CREATE OR REPLACE TABLE t AS SELECT 2 AS w, 0 AS x", False, [(2, 1)]),
}  # fmt: skip


@pytest.mark.parametrize("case", OVERLAPPING)
def test_overlapping_transactions_merge_or_conflict_retryably(pg_catalog, tmp_path, case):
    first, second, merges, final_rows = OVERLAPPING[case]
    lake = Lake(LakeConfig(catalog=pg_catalog, data_path=str(tmp_path / "data")))
    with lake.connect() as con:
        con.execute("CREATE TABLE t AS SELECT 0 AS w, range AS x FROM range(50)")
        con.execute("CREATE TABLE u AS SELECT 0 AS w, range AS x FROM range(50)")
    with lake.connect() as one, lake.connect() as two:
        one.execute("BEGIN TRANSACTION")
        two.execute("BEGIN TRANSACTION")
        one.execute(first)
        two.execute(second)
        one.execute("COMMIT")
        if merges:
            two.execute("COMMIT")
        else:
            with pytest.raises(duckdb.Error, match="Transaction conflict") as conflict:
                two.execute("COMMIT")
            # Lake's retry treats DuckLake's real conflict error as retryable, and the rerun on the new snapshot lands
            failures = [conflict.value]

            def rerun():
                if failures:
                    raise failures.pop()
                two.execute(second)

            with_retries(rerun, base_delay=0.01)
            assert not failures
    assert lake.query("SELECT w, count(*) FROM t GROUP BY w ORDER BY w").rows() == final_rows
