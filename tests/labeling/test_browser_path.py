"""A person's path through the real server in headless Chromium: new property, word search, active learning,
correction, review, then the materialized smart_labels. Needs Debian's chromium (``.ci/run`` installs it); in CI
a missing browser fails the test instead of skipping it."""

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetSpec, DagsterInstance, materialize
from PIL import Image, ImageDraw

from assets.smart_labels import smart_label_assets, smart_label_properties
from emma_pipeline.labeling.store import LabelStore
from emma_pipeline.labeling.web.app import LabelServer
from emma_pipeline.labeling.workbench import Workbench

from .conftest import SCRIPT_TITLE, tiny_features
from .test_smart_label_assets import resources_for, write_tiny_lake

CHROMIUM = os.environ.get("EMMA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        message = f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does this)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright  # a test dependency: missing means a broken install, not a skip

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def _images(tmp_path, feats):
    for oid, images in zip(feats.object_ids, feats.images):
        path = tmp_path / f"{oid}.png"
        img = Image.new("RGB", (96, 96), "white")
        draw = ImageDraw.Draw(img)
        if oid.startswith("B"):
            draw.rounded_rectangle((14, 34, 82, 84), 10, fill=(176, 122, 64))
            draw.arc((26, 8, 70, 60), 180, 360, fill=(120, 80, 40), width=5)
        else:
            draw.polygon([(10, 60), (70, 40), (86, 44), (30, 66)], fill=(170, 175, 185))
            draw.rectangle((4, 58, 22, 70), fill=(40, 40, 40))
        img.save(path)
        images.append(str(path))


def _label_cards(page, n, button):
    cards = page.locator(".grid .card")
    for i in range(min(n, cards.count())):
        card = cards.nth(i)
        card.click(button=button)
        page.wait_for_function("c => c.classList.contains('labeled-pos') || c.classList.contains('labeled-neg')", arg=card.element_handle())


def test_a_person_labels_is_container_from_scratch_to_smart_labels(browser, tmp_path):
    feats = tiny_features(n_per_kind=16)
    _images(tmp_path, feats)
    store = LabelStore(tmp_path / "labels.sqlite")
    server = LabelServer(Workbench(store, feats), port=0).start()
    dialogs = []
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server.url)
        page.fill("#property-form [name=name]", "is_container")
        page.fill("#property-form [name=definition]", "Objects made to hold other things inside them.")
        page.click("#property-form button")
        page.wait_for_url("**/p/is_container/features")
        page.fill("#feature-form [name=pattern]", "basket")
        page.click("#feature-form button")
        page.wait_for_selector("table.features tr[data-feature]")
        assert page.locator("table.features .edit-pattern").input_value() == "basket"

        page.goto(server.url + "p/is_container/word-search")
        page.fill("input[name=q]", "basket")
        page.press("input[name=q]", "Enter")
        page.wait_for_selector(".grid .card")
        assert "16 matching" in page.inner_text("#total")
        _label_cards(page, 5, "left")
        with context.expect_page() as opened:  # middle-click opens the listing in a new tab
            page.locator(".grid .card").nth(6).click(button="middle")
        listing = opened.value
        listing.wait_for_load_state()
        assert "/listing/B" in listing.url
        listing.close()
        page.goto(server.url + "p/is_container/word-search?q=knife")
        _label_cards(page, 4, "right")
        page.locator(".grid .card").nth(4).focus()
        page.keyboard.press("n")  # keyboard shortcut: negative
        page.wait_for_selector(".grid .card:nth-child(5).labeled-neg")
        assert page.inner_text("#n-pos") == "5" and page.inner_text("#n-neg") == "5"

        page.goto(server.url + "p/is_container/active-learning")
        page.wait_for_selector(".grid .card")
        for card in page.locator(".grid .card").all()[:6]:
            card.click(button="left" if card.get_attribute("data-id").startswith("B") else "right")
        page.click("#next-page")  # the page advances: the model retrains on the new labels
        page.wait_for_selector("aside >> text=F1")
        assert "F1" in page.inner_text("aside") and "needs 2 labels" not in page.inner_text("aside")

        page.goto(server.url + "p/is_container/correction?low=0.5&high=1")
        cards = page.locator(".grid .card")
        assert cards.count() > 0 and all(c.get_attribute("data-id").startswith("B") for c in cards.all())
        cards.first.click()
        page.fill("#decision-form input", "a wicker basket without a bottom is still a container")
        page.click("#decision-form button")
        page.wait_for_selector("ul.decisions >> text=without a bottom")

        page.goto(server.url + "p/is_container/review")
        page.wait_for_selector(".grid .card .meta >> text=suspicion")
        first = page.locator(".grid .card").first
        first.click(button="left" if first.get_attribute("data-id").startswith("B") else "right")  # confirm
        page.goto(server.url + "p/is_container/word-search?q=basket&size=96")
        script_card = page.locator(".card[data-id=B0000] .title")
        assert script_card.inner_text() == SCRIPT_TITLE  # shown as text, never run
        page.screenshot(path=str(tmp_path / "word-search.png"), full_page=True)
        assert dialogs == []
    finally:
        server.stop()

    modes = set(store.label_history("is_container")["mode"].to_list())
    assert {"word-search", "active-learning", "correction", "review"} <= modes
    lake = write_tiny_lake(tmp_path, feats)
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(smart_label_properties.name, ["is_container"])
        upstream = [AssetSpec(n).with_io_manager_key("io_manager") for n in ("objects", "text_embeddings", "image_embeddings")]
        assert materialize([*upstream, *smart_label_assets], partition_key="is_container", instance=instance,
                           resources=resources_for(lake, store.path, tmp_path / "no_truth")).success  # fmt: skip
    smart = lake.lake().read("smart_labels")
    assert smart.height == len(feats.object_ids)
    wrong = smart.filter((pl.col("probability") >= 0.5) != pl.col("object_id").str.starts_with("B"))
    assert wrong.height == 0, wrong
