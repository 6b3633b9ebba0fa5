"""Server-rendered pages: the property list and one page per mode (Jinja2, autoescaped: listing text is never HTML)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from emma_pipeline.labeling.presets import PRESETS
from emma_pipeline.labeling.store import LabelStoreError
from emma_pipeline.labeling.web.params import BadRequest, float_param, page_and_size
from emma_pipeline.labeling.workbench import Workbench

# autoescape on for every template: a listing title holding "<script>" renders as text
TEMPLATES = Jinja2Templates(env=Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True))
MODES = {  # url segment -> (title, what the person does there)
    "features": ("Features", "Keyword and regular-expression features: positive iff the listing text matches."),
    "word-search": ("Word search", "Seed the training set: left-click positive, right-click negative, skip the unclear."),
    "active-learning": ("Active learning", "The objects the model is least sure about (probability nearest 0.5)."),
    "correction": ("Correction", "Unlabeled objects whose probability lies in a range: fix false positives or negatives."),
    "review": ("Review", "Your labels, most likely mislabeled first (20-fold cross-validation): confirm or flip."),
    "more-like-this": ("More like this", "Nearest neighbours of chosen objects in the embedding."),
    "verify": ("Verify", "The model's most confident unlabeled positives: accept or reject each."),
    "test-set": ("Test set", "A uniform random sample, held out of training: the honest precision and recall."),
}


def _common(request: Request, bench: Workbench, prop: str, mode: str) -> dict:
    try:
        prop_row = bench.store.get_property(prop)
    except LabelStoreError:
        raise BadRequest(f"unknown property {prop!r}", status=404) from None
    return {"prop": prop_row, "mode": mode, "modes": MODES, "status": bench.status(prop),
            "decisions": bench.store.decisions(prop)[:20], "csrf": request.app.state.security.csrf}  # fmt: skip


def _cards(bench: Workbench, prop: str, rows: list[int], scores: dict[int, float] | None = None) -> list[dict]:
    state = bench.trained(prop)
    f = bench.features
    cards = []
    for r in rows:
        oid = f.object_ids[r]
        label = state.labels.get(oid)
        cards.append({"id": oid, "title": f.titles[r], "p": float(state.p[r]), "has_image": bool(f.images[r]),
                      "label": None if label is None else label[0], "score": (scores or {}).get(r)})  # fmt: skip
    return cards


async def index(request: Request) -> Response:
    bench: Workbench = request.app.state.bench
    props = bench.store.properties()
    return TEMPLATES.TemplateResponse(request, "index.html", {
        "properties": props, "presets": [p for p in PRESETS.values() if p.name not in {q.name for q in props}],
        "csrf": request.app.state.security.csrf, "n_objects": len(bench.features.object_ids),
        "source": bench.features.source,
    })  # fmt: skip


async def property_home(request: Request) -> Response:
    return RedirectResponse(f"/p/{request.path_params['prop']}/word-search", status_code=303)


async def mode_page(request: Request) -> Response:
    bench: Workbench = request.app.state.bench
    prop, mode = request.path_params["prop"], request.path_params["mode"]
    if mode not in MODES:
        raise BadRequest(f"unknown mode {mode!r}; one of {', '.join(MODES)}", status=404)
    ctx = _common(request, bench, prop, mode)
    page, size = page_and_size(request)
    ctx.update(page=page, size=size, total=None, cards=[], query="", low=None, high=None, ids="")
    if mode == "features":
        ctx["features"] = bench.store.features(prop)
        return TEMPLATES.TemplateResponse(request, "features.html", ctx)
    if mode == "word-search":
        query = request.query_params.get("q", "").strip()
        ctx["query"] = query
        if query:
            try:
                rows, ctx["total"] = bench.word_search(prop, query, page, size)
            except ValueError as exc:
                raise BadRequest(str(exc)) from None
            ctx["cards"] = _cards(bench, prop, rows)
    elif mode == "active-learning":
        ctx["cards"] = _cards(bench, prop, bench.active(prop, size, page))
    elif mode == "correction":
        low, high = float_param(request, "low", 0.5), float_param(request, "high", 1.0)
        if low >= high:
            raise BadRequest("low must be below high")
        rows, ctx["total"] = bench.correction(prop, low, high, size, page)
        ctx.update(low=low, high=high, cards=_cards(bench, prop, rows))
    elif mode == "review":
        ranked, ctx["total"] = bench.review(prop, size, page)
        ctx["cards"] = _cards(bench, prop, [r for r, _ in ranked], dict(ranked))
    elif mode == "more-like-this":
        ids = _known_ids(bench, request.query_params.get("ids", ""), prop)
        ctx["ids"] = ",".join(ids)
        ctx["cards"] = _cards(bench, prop, bench.similar(prop, ids, size)) if ids else []
    elif mode == "verify":
        ctx["cards"] = _cards(bench, prop, bench.verify(prop, size))
    elif mode == "test-set":
        ctx["cards"] = _cards(bench, prop, bench.test_set(prop, size))
    return TEMPLATES.TemplateResponse(request, "mode.html", ctx)


def _known_ids(bench: Workbench, raw: str, prop: str) -> list[str]:
    """Object ids from ``ids=a,b``; default: the five latest positives."""
    ids = [i for i in raw.split(",") if i][:50]
    unknown = [i for i in ids if i not in bench.features.row]
    if unknown:
        raise BadRequest(f"unknown object id {unknown[0][:40]!r}", status=404)
    if not ids:
        positives = [o for o, (v, _) in bench.trained(prop).labels.items() if v == 1 and o in bench.features.row]
        ids = positives[-5:]
    return ids


async def listing(request: Request) -> Response:
    bench: Workbench = request.app.state.bench
    oid = request.path_params["object_id"]
    if oid not in bench.features.row:
        raise BadRequest(f"unknown object id {oid[:40]!r}", status=404)
    r = bench.features.row[oid]
    return TEMPLATES.TemplateResponse(request, "listing.html", {
        "id": oid, "title": bench.features.titles[r], "text": bench.features.texts[r],
        "n_images": len(bench.features.images[r]), "csrf": request.app.state.security.csrf,
    })  # fmt: skip
