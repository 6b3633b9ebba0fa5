"""A person adds ``is_container`` in the real tool, in headless Chromium, on the lake under EMMA_HOME: the README's
walkthrough screenshots, and the wall time from a click on "Next page" to the next page shown.

The person is simulated from the sample's hidden properties (like ``bench_smart_labeling``): start from the preset,
word-search a few of its keywords, label active-learning pages, then correction and review. Labels go to a fresh
store in a temporary folder (the lake's own label store is not touched).

    python -m bench.smart_labeling_walkthrough [--out docs] [--pages 6]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from PIL import Image

from emma_pipeline.labeling.features import load_feature_set
from emma_pipeline.labeling.store import LabelStore
from emma_pipeline.labeling.web.app import LabelServer
from emma_pipeline.labeling.workbench import Workbench
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import Lake

CHROMIUM = os.environ.get("EMMA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
PROP = "is_container"
WIDTH = 800  # screenshots are scaled to this width and a 64-colour palette: small enough to keep in the repo


def truth_of(object_ids: list[str]) -> dict[str, bool]:
    settings = load_settings()
    truth = pl.concat([pl.read_parquet(f) for f in sorted(settings.ground_truth_dir.glob("*.parquet"))], how="diagonal_relaxed")
    truth = truth.unique("asin", keep="first").select("asin", PROP)
    known = dict(zip(truth["asin"].to_list(), truth[PROP].fill_null(False).to_list()))
    return {o: bool(known.get(o, False)) for o in object_ids}


def shoot(page, out: Path, name: str) -> None:
    path = out / f"smart-labeling-{name}.png"
    page.evaluate("window.scrollTo(0, 0)")  # labeling moves the focus (and the view) down the grid
    page.screenshot(path=str(path))
    img = Image.open(path).convert("RGB")
    img = img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def label_page(page, truth: dict[str, bool], limit: int = 100) -> int:
    """Click every unlabeled card of the page (left = positive, right = negative), waiting for each to be stored."""
    ids = page.eval_on_selector_all(".grid .card:not(.labeled-pos):not(.labeled-neg)", "cs => cs.map(c => c.dataset.id)")
    for oid in ids[:limit]:
        card = page.locator(f'.grid .card[data-id="{oid}"]')
        card.click(button="left" if truth[oid] else "right")
        page.wait_for_selector(f'.grid .card[data-id="{oid}"]:is(.labeled-pos, .labeled-neg)')
    return len(ids[:limit])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("docs"))
    ap.add_argument("--pages", type=int, default=6, help="active-learning pages to label")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    lake = Lake(load_settings().lake_config())
    feats = load_feature_set(lake.read, lambda name: name in set(lake.tables()))
    truth = truth_of(feats.object_ids)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = LabelServer(Workbench(LabelStore(Path(tmp) / "labels.sqlite"), feats), port=0).start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url)
            shoot(page, args.out, "1-start")
            page.click(f"button.preset[data-preset={PROP}]")
            page.wait_for_url(f"**/p/{PROP}/features")
            shoot(page, args.out, "2-features")
            for word in ("mug", "box", "container"):  # preset keywords (the sample sells no baskets)
                page.goto(server.url + f"p/{PROP}/word-search?q={word}")
                label_page(page, truth, limit=16)
                if word == "box":
                    shoot(page, args.out, "3-word-search")
            page.goto(server.url + f"p/{PROP}/active-learning")
            waits = []
            for _ in range(args.pages):
                label_page(page, truth)
                t0 = time.perf_counter()
                page.click("#next-page")
                page.wait_for_load_state("load")
                waits.append(time.perf_counter() - t0)
            page.fill("#decision-form input", "a phone case holds a phone: not a container (it is worn by the phone)")
            page.click("#decision-form button")
            page.wait_for_selector("ul.decisions >> text=phone case")
            shoot(page, args.out, "4-active-learning")
            page.goto(server.url + f"p/{PROP}/correction?low=0.5&high=1")
            shoot(page, args.out, "5-correction")
            page.goto(server.url + f"p/{PROP}/review")
            shoot(page, args.out, "6-review")
        finally:
            browser.close()
            server.stop()
    print(f"{len(feats.object_ids)} objects ({feats.source}); next page after a click, in Chromium: "
          f"median {np.median(waits):.2f} s, max {max(waits):.2f} s over {len(waits)} pages")
    print(f"RESULT next_page_browser_s={np.median(waits):.3f} next_page_browser_max_s={max(waits):.3f} objects={len(feats.object_ids)}")


if __name__ == "__main__":
    main()
