"""Malformed lines injected into the raw files, as real dumps contain them.

Each malformed line is an *extra* line derived from a real record next to it (a truncated copy, the record
without its ASIN, ...), so no listing of the ground truth is lost; the parsers must quarantine every one of
them. ``corrupt`` returns the bad line for one of the kinds below.
"""

from __future__ import annotations

import csv
import io
import random

import orjson

P_MALFORMED = 0.005  # per written record
JSON_KINDS = ("truncated_json", "not_an_object", "missing_asin", "invalid_utf8")
CSV_KINDS = ("too_few_fields", "missing_asin", "invalid_utf8")
_BAD_BYTE = b"\xe9"  # a latin-1 "é": not valid UTF-8 on its own


def _invalid_utf8(line: bytes, marker: bytes) -> bytes:
    """Insert a stray latin-1 byte inside a string value (after the first ``marker``)."""
    at = line.find(marker)
    at = len(line) // 2 if at < 0 else at + len(marker)
    return line[:at] + _BAD_BYTE + line[at:]


def _corrupt_json(line: bytes, kind: str, rng: random.Random) -> bytes:
    if kind == "truncated_json":
        return line[: rng.randint(10, max(11, len(line) - 2))]
    if kind == "not_an_object":
        record = orjson.loads(line)
        return orjson.dumps([record.get("asin"), record.get("title") or record.get("summary")])
    if kind == "missing_asin":
        record = orjson.loads(line)
        record.pop("asin", None)
        return orjson.dumps(record)
    return _invalid_utf8(line, b'":"')


def _corrupt_csv(line: bytes, kind: str, rng: random.Random) -> bytes:
    row = next(csv.reader([line.decode("utf-8")]))
    if kind == "too_few_fields":
        row = row[: rng.randint(1, 3)]
    elif kind == "missing_asin":
        row[0] = ""
    else:
        return _invalid_utf8(line, b",")
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue().encode("utf-8")


def corrupt(line: bytes, kind: str, fmt: str, rng: random.Random) -> bytes:
    """A malformed line of ``kind`` derived from the valid ``line`` of a "json" or "csv" file."""
    return _corrupt_json(line, kind, rng) if fmt == "json" else _corrupt_csv(line, kind, rng)
