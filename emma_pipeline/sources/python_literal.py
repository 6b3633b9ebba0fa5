"""Lines of the UCSD 2014 dumps (``metadata.json.gz``, ``meta_<Category>.json.gz`` of McAuley et al. 2014), which
hold one Python dict literal per line (``{'asin': '0000031852', 'salesRank': {'Toys & Games': 211836}}``), not
JSON: their own loader was ``eval``. A line orjson rejects that opens like a dict is read here instead, with
``ast.literal_eval`` (literals only: it evaluates no names, calls or operators beyond a number's sign), and kept
only when it holds what JSON can hold (a tuple becomes a list); anything else stays the JSON error it was.
"""

from __future__ import annotations

import ast

_MAX_LINE = 16 << 20  # a literal this long is not a listing; parsing it would only cost memory


def python_literal(body: bytes) -> dict | None:
    """The dict a Python-literal line holds, or None when it is not one (the caller keeps its JSON error)."""
    if not body.lstrip()[:1] == b"{" or len(body) > _MAX_LINE:
        return None
    try:
        value = ast.literal_eval(body.decode("utf-8"))
    except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError, TypeError):
        return None
    try:
        return _json_like(value) if isinstance(value, dict) else None
    except _NotJson:
        return None


class _NotJson(Exception):
    pass


def _json_like(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotJson
        return value
    if isinstance(value, list | tuple):
        return [_json_like(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise _NotJson
        return {k: _json_like(v) for k, v in value.items()}
    raise _NotJson  # bytes, sets, complex numbers: nothing a listing field means
