"""JSON endpoints (state changes carry a client-generated request id, so a retry never doubles a label) and images."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from emma_pipeline.labeling.presets import PRESETS
from emma_pipeline.labeling.web.params import BadRequest, json_body
from emma_pipeline.labeling.web.security import check_csrf
from emma_pipeline.labeling.workbench import Workbench

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif"}


def _guard(request: Request) -> JSONResponse | None:
    return check_csrf(request, request.app.state.security)


def _bench(request: Request) -> Workbench:
    return request.app.state.bench


async def create_property(request: Request) -> Response:
    if (refused := _guard(request)) is not None:
        return refused
    body = await json_body(request, {"request_id": str})
    store, rid = _bench(request).store, body["request_id"]
    if "preset" in body:
        preset = PRESETS.get(body["preset"]) if isinstance(body["preset"], str) else None
        if preset is None:
            raise BadRequest(f"unknown preset; one of {', '.join(PRESETS)}")
        store.create_property(rid, preset.name, preset.definition, preset.notes, preset=preset.name)
        features = [("keyword", k) for k in preset.keywords] + [("regex", r) for r in preset.regexes]
        for i, (kind, pattern) in enumerate(features):  # derived ids: replaying the whole request is a no-op
            store.add_feature(f"{rid}:f{i}", preset.name, kind, pattern)
        return JSONResponse({"property": preset.name}, status_code=201)
    body = await json_body(request, {"request_id": str, "name": str, "definition": str})
    notes = body.get("notes", "")
    if not isinstance(notes, str) or len(notes) > 5000 or len(body["definition"]) > 2000:
        raise BadRequest("definition is at most 2000 characters and notes at most 5000")
    store.create_property(rid, body["name"], body["definition"], notes)
    return JSONResponse({"property": body["name"]}, status_code=201)


async def update_property(request: Request) -> Response:
    if (refused := _guard(request)) is not None:
        return refused
    body = await json_body(request, {"request_id": str, "definition": str, "notes": str})
    if len(body["notes"]) > 5000 or len(body["definition"]) > 2000:
        raise BadRequest("definition is at most 2000 characters and notes at most 5000")
    return JSONResponse(_bench(request).store.update_property(body["request_id"], request.path_params["prop"],
                                                                body["definition"], body["notes"]))  # fmt: skip


async def add_label(request: Request) -> Response:
    if (refused := _guard(request)) is not None:
        return refused
    body = await json_body(request, {"request_id": str, "object_id": str, "mode": str})
    bench = _bench(request)
    value = body.get("value", "missing")
    if value not in (0, 1, None) or isinstance(value, bool):
        raise BadRequest("value must be 1 (positive), 0 (negative) or null (clear)")
    if body["object_id"] not in bench.features.row:
        raise BadRequest(f"unknown object id {body['object_id'][:40]!r}", status=404)
    result = bench.store.add_label(body["request_id"], request.path_params["prop"], body["object_id"], value, body["mode"])
    return JSONResponse({**result, **_counts(bench, request.path_params["prop"])})


async def add_feature(request: Request) -> Response:
    if (refused := _guard(request)) is not None:
        return refused
    body = await json_body(request, {"request_id": str, "kind": str, "pattern": str})
    replaces = body.get("replaces")
    if replaces is not None and (not isinstance(replaces, int) or isinstance(replaces, bool)):
        raise BadRequest("replaces must be a feature id")
    store = _bench(request).store
    result = store.add_feature(body["request_id"], request.path_params["prop"], body["kind"], body["pattern"], replaces)
    return JSONResponse(result, status_code=201)


async def remove_feature(request: Request) -> Response:
    if (refused := _guard(request)) is not None:
        return refused
    body = await json_body(request, {"request_id": str, "feature_id": int})
    return JSONResponse(_bench(request).store.remove_feature(body["request_id"], request.path_params["prop"], body["feature_id"]))


async def add_decision(request: Request) -> Response:
    if (refused := _guard(request)) is not None:
        return refused
    body = await json_body(request, {"request_id": str, "text": str})
    return JSONResponse(_bench(request).store.add_decision(body["request_id"], request.path_params["prop"], body["text"]),
                        status_code=201)  # fmt: skip


def _counts(bench: Workbench, prop: str) -> dict:
    values = [v for v, mode in bench.store.current_labels(prop).values() if mode != "test-set"]
    return {"positives": sum(values), "negatives": len(values) - sum(values)}


async def status(request: Request) -> Response:
    """Live figures; ``?light=1`` returns only the label counts (no retrain: that happens when a page advances)."""
    bench, prop = _bench(request), request.path_params["prop"]
    bench.store.get_property(prop)
    if request.query_params.get("light") == "1":
        return JSONResponse(_counts(bench, prop))
    return JSONResponse(bench.status(prop))


async def image(request: Request) -> Response:
    """The n-th image of a known object, only if it is a local image file: nothing is served by path."""
    bench = _bench(request)
    oid = request.path_params["object_id"]
    if oid not in bench.features.row:
        raise BadRequest(f"unknown object id {oid[:40]!r}", status=404)
    images = bench.features.images[bench.features.row[oid]]
    n = request.path_params["n"]
    if n >= len(images):
        raise BadRequest(f"object {oid} has {len(images)} image(s)", status=404)
    path = Path(images[n])
    media = IMAGE_TYPES.get(path.suffix.lower())
    if "://" in images[n] or media is None or not path.is_file():
        raise BadRequest("this image is not available as a local file", status=404)
    return FileResponse(path, media_type=media, headers={"cache-control": "private, max-age=3600"})
