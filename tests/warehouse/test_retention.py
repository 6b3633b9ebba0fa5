"""Snapshot retention: old versions and their files go; pinned, recent and still-needed versions stay queryable."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from emma_pipeline.warehouse.lake import Lake, LakeConfig
from emma_pipeline.warehouse.retention import Retention, apply_retention, snapshots_to_expire

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_policy_keeps_newest_recent_pinned_and_needed_snapshots():
    snapshots = [(i, NOW - timedelta(days=9 - i, hours=1)) for i in range(10)]  # snapshot i is 9 - i days old
    policy = Retention(keep_last=1, keep_days=3, pinned=(1,))  # keeps 9; 7, 8 (recent); 1 (pinned); 4 (needed)
    assert snapshots_to_expire(snapshots, policy, also_keep=[4], now=NOW) == [0, 2, 3, 5, 6]
    assert snapshots_to_expire(snapshots, Retention(keep_last=0, keep_days=0), now=NOW) == list(range(9))


def _files(home: Path) -> set[str]:
    return {str(p) for p in (home / "lake" / "data").rglob("*.parquet")}


def test_expired_versions_lose_their_files_and_pinned_versions_stay_queryable(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path))
    rows = 5_000  # above DuckLake's inlining limit: every version is a Parquet file
    versions, files = [], []
    for v in range(4):
        before = _files(tmp_path)
        versions.append(lake.write_table("objects", pl.DataFrame({"asin": [f"A{i}" for i in range(rows)], "v": v})))
        files.append(_files(tmp_path) - before)
    assert all(files)
    result = apply_retention(lake, Retention(keep_last=1, keep_days=0, pinned=(versions[1],)))
    assert set(versions[:1] + versions[2:3]) <= set(result.expired) and result.files_deleted >= 2
    remaining = _files(tmp_path)
    assert not (files[0] | files[2]) & remaining and (files[1] | files[3]) <= remaining
    assert lake.read("objects", version=versions[1])["v"].unique().to_list() == [1]
    assert lake.read("objects")["v"].unique().to_list() == [3]
    with pytest.raises(Exception, match="No snapshot found"):
        lake.read("objects", version=versions[0])
