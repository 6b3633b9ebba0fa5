"""Input validation for the labeling server: every bad input becomes a 4xx with a message saying what is wrong."""

from __future__ import annotations

import json

from starlette.requests import Request

MAX_BODY = 64 * 1024
MAX_PAGE = 100_000
MAX_SIZE = 96
DEFAULT_SIZE = 24


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def float_param(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number between 0 and 1, not {raw[:40]!r}") from None
    if not 0.0 <= value <= 1.0:
        raise BadRequest(f"{name} must be between 0 and 1")
    return value


def page_and_size(request: Request) -> tuple[int, int]:
    return int_param(request, "page", 0, 0, MAX_PAGE), int_param(request, "size", DEFAULT_SIZE, 1, MAX_SIZE)


async def json_body(request: Request, required: dict[str, type | tuple]) -> dict:
    """A JSON object with (at least) the ``required`` keys of the given types."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BadRequest(f"request body over {MAX_BODY} bytes", status=413)
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    for key, kind in required.items():
        if key not in body:
            raise BadRequest(f"missing field {key!r}")
        if not isinstance(body[key], kind) or (isinstance(body[key], bool) and bool not in _as_tuple(kind)):
            raise BadRequest(f"field {key!r} has the wrong type")
    return body


def _as_tuple(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)
