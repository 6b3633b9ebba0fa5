"""SQLite schema of the label store (created if missing; every statement is idempotent)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS properties (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    preset TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    property TEXT,
    at TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    property TEXT NOT NULL REFERENCES properties(name),
    object_id TEXT NOT NULL,
    value INTEGER CHECK (value IN (0, 1)),
    who TEXT NOT NULL,
    mode TEXT NOT NULL,
    at TEXT NOT NULL,
    request_id TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS labels_by_object ON labels (property, object_id, id);
CREATE TABLE IF NOT EXISTS features (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    property TEXT NOT NULL REFERENCES properties(name),
    kind TEXT NOT NULL CHECK (kind IN ('keyword', 'regex')),
    pattern TEXT NOT NULL,
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    property TEXT NOT NULL REFERENCES properties(name),
    text TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
"""
