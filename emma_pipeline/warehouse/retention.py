"""Snapshot retention: expire old lake versions and delete the data files only they referenced.

Every rebuild writes new table versions and DuckLake never deletes data by itself (time travel), so without
this every rebuild keeps another copy of every table. A retention policy keeps the newest ``keep_last``
snapshots, those newer than ``keep_days``, the ``pinned`` ids analysts refer to (``AT (VERSION => n)``) and any
``also_keep`` the caller needs (the snapshots Dagster's latest materializations recorded, which downstream
steps read); DuckLake's ``ducklake_expire_snapshots`` drops the rest and ``ducklake_cleanup_old_files`` deletes
the files no remaining snapshot needs. The current state of every table is never affected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from emma_pipeline.warehouse.lake import LAKE_ALIAS, Lake


@dataclass(frozen=True)
class Retention:
    keep_last: int = 20  # newest snapshots kept (at least 1: the current one)
    keep_days: float = 7.0  # snapshots newer than this are kept
    pinned: tuple[int, ...] = ()  # snapshot ids analysts rely on


@dataclass(frozen=True)
class RetentionResult:
    expired: list[int]
    kept: list[int]
    files_deleted: int


def snapshots_to_expire(
    snapshots: list[tuple[int, datetime]], retention: Retention, also_keep: Iterable[int] = (), now: datetime | None = None
) -> list[int]:
    """Ids of ``snapshots`` (id, commit time) the policy lets go, oldest first."""
    now = now or datetime.now(timezone.utc)
    newest_first = sorted(snapshots, key=lambda s: s[0], reverse=True)
    keep = {sid for sid, _ in newest_first[: max(1, retention.keep_last)]}
    keep |= {sid for sid, time in snapshots if now - _utc(time) < timedelta(days=retention.keep_days)}
    keep |= set(retention.pinned) | set(also_keep)
    return sorted(sid for sid, _ in snapshots if sid not in keep)


def apply_retention(
    lake: Lake, retention: Retention, also_keep: Iterable[int] = (), now: datetime | None = None
) -> RetentionResult:
    """Expire what the policy lets go, then delete every file scheduled for deletion."""
    with lake._writer_lock(), lake.connect() as con:  # one writer at a time, as for table writes
        snapshots = con.execute(f"SELECT snapshot_id, snapshot_time FROM {LAKE_ALIAS}.snapshots()").fetchall()
        expire = snapshots_to_expire(snapshots, retention, also_keep, now)
        if expire:
            con.execute(f"CALL ducklake_expire_snapshots('{LAKE_ALIAS}', versions => ?)", [expire])
        deleted = con.execute(f"CALL ducklake_cleanup_old_files('{LAKE_ALIAS}', cleanup_all => true)").fetchall()
    kept = sorted(sid for sid, _ in snapshots if sid not in set(expire))
    return RetentionResult(expired=expire, kept=kept, files_deleted=len(deleted))


def _utc(time: datetime) -> datetime:
    return time if time.tzinfo else time.replace(tzinfo=timezone.utc)
