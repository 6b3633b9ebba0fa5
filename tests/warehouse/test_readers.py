"""Reads share one attached session per process: it must see every commit, of this process and of others, and
never serve an old lake that was deleted and created again at the same path."""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl

from emma_pipeline.warehouse.lake import Lake, LakeConfig

ROOT = Path(__file__).resolve().parents[2]

_WRITER = """
import sys
import polars as pl
from emma_pipeline.warehouse.lake import Lake, LakeConfig
lake = Lake(LakeConfig.under(sys.argv[1]))
lake.write_table("t", pl.DataFrame({"a": [1, 2, 3]}))
lake.write_table("u", pl.DataFrame({"b": [1]}))
"""


def test_a_shared_read_session_sees_what_another_process_commits(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path))
    lake.write_table("t", pl.DataFrame({"a": [1, 2]}))
    assert lake.read("t").height == 2 and lake.tables() == ["t"]  # the session is attached now
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", _WRITER, str(tmp_path)], check=True, env=env)
    assert lake.read("t")["a"].to_list() == [1, 2, 3]
    assert lake.tables() == ["t", "u"] and lake.read_if_exists("u").height == 1
    lake.update_by_key("u", pl.DataFrame({"b": [2]}), key="b")  # and this process's own writes
    assert sorted(lake.read("u")["b"].to_list()) == [1, 2]


def test_a_lake_created_again_at_the_same_path_is_read_afresh(tmp_path):
    home = tmp_path / "home"
    Lake(LakeConfig.under(home)).write_table("t", pl.DataFrame({"a": [1]}))
    assert Lake(LakeConfig.under(home)).read("t")["a"].to_list() == [1]
    shutil.rmtree(home)
    lake = Lake(LakeConfig.under(home))
    lake.write_table("other", pl.DataFrame({"a": [5, 6]}))
    assert lake.read_if_exists("t") is None and lake.read("other")["a"].to_list() == [5, 6]


def test_threads_read_at_once(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path))
    lake.write_table("t", pl.DataFrame({"a": list(range(1000))}))
    sums, errors = [], []

    def read() -> None:
        try:
            for _ in range(20):
                sums.append(int(lake.read("t")["a"].sum()))
        except Exception as exc:  # collected: an assertion in a thread would not fail the test
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sums == [sum(range(1000))] * 80


def test_a_read_inside_a_transaction_that_fails_leaves_the_session_usable(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path))
    lake.write_table("t", pl.DataFrame({"a": [1]}))
    try:
        with lake.connect(read_only=True) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("SELECT * FROM no_such_table")
    except Exception:
        pass
    assert lake.read("t")["a"].to_list() == [1]
