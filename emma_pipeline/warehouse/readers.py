"""One attached read-only DuckDB session per lake and process, shared by every read.

Attaching a lake (loading the extensions, opening the catalog, DuckLake reading its metadata) costs a few hundred
milliseconds on a large catalog, and a build reads hundreds of times: loading each step's inputs, the previous
version of its outputs, the checks. Reads therefore take a cursor of one session that stays attached. DuckLake
looks up the newest snapshot at the start of every transaction, so a long-lived session sees what other
connections and processes commit (``tests/warehouse/test_readers.py``); each read gets its own cursor, so threads
do not share one. Keyed by process (a forked child attaches anew), by the lake's settings, and for a local
catalog by the file's identity (a lake deleted and created again at the same path is a new lake). Writes keep
their own short-lived connection.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import duckdb

_MAX_SESSIONS = 8  # lakes one process reads (tests make many); the least recently used is dropped
_sessions: OrderedDict[Hashable, duckdb.DuckDBPyConnection] = OrderedDict()
_lock = threading.Lock()


def reader_cursor(key: Hashable, attach: Callable[[], duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    """A new cursor of the session for ``key``, attaching it with ``attach()`` on first use. Close the cursor
    after use; ``forget(key)`` after an error that may have broken the session."""
    key = (os.getpid(), key)
    with _lock:
        session = _sessions.get(key)
        if session is not None:
            _sessions.move_to_end(key)
    if session is None:
        session = attach()
        with _lock:
            _sessions[key] = session
            while len(_sessions) > _MAX_SESSIONS:
                _sessions.popitem(last=False)  # closed when its last cursor is
    return session.cursor()


def forget(key: Hashable) -> None:
    """Drop the session for ``key``: the next read attaches again."""
    with _lock:
        _sessions.pop((os.getpid(), key), None)


def forget_all() -> None:
    with _lock:
        _sessions.clear()
