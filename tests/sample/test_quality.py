"""Product quality (what star ratings are drawn from): brand and kind effects from streams of their own."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys

import orjson
import polars as pl
from scipy import stats

from emma_pipeline.sample.asin import AsinCodec
from emma_pipeline.sample.listing import plan_product
from emma_pipeline.sample.product import brand_effect, kind_effect

# sha256 of the fields below for products 0..399 of seed 5, computed on the generator before quality had a brand
# and a kind effect: drawing those from the product's own stream would move every later draw and this digest.
PLANS_BEFORE_QUALITY_EFFECTS = "7ec3197ae6ad5e9265f3d1670bd4bfd1e9cd3d2724b129c9cea0d61b654c8cbc"


def _plans_digest(seed: int, n_products: int) -> str:
    digest, codec = hashlib.sha256(), AsinCodec(seed)
    for index in range(n_products):
        for lst in plan_product(seed, index, codec):
            p, t = lst.product, lst.text
            digest.update(orjson.dumps([
                lst.asin, t.title, t.aspa_title, list(t.features), list(t.description), p.brand, p.price_usd,
                p.mass_kg, list(p.materials), p.colour, lst.n_reviews, lst.record_seed, lst.image_seed,
                lst.hijacker.brand if lst.hijacker else None]))
    return digest.hexdigest()


def test_quality_effects_changed_no_other_draw_of_the_generator():
    assert _plans_digest(5, 400) == PLANS_BEFORE_QUALITY_EFFECTS


def test_brand_effects_are_a_function_of_brand_and_seed_alone():
    code = "from emma_pipeline.sample.product import brand_effect; print(repr(brand_effect('Vorex', 3)))"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env=os.environ | {"PYTHONHASHSEED": salt}).stdout for salt in ("1", "2")}
    assert runs == {repr(brand_effect("Vorex", 3)) + "\n"}  # not Python's salted hash
    assert brand_effect("VOREX", 3) == brand_effect("Vorex", 3)  # one maker, however its name is cased
    assert brand_effect("Vorex", 4) != brand_effect("Vorex", 3) != brand_effect("Kelora", 3)
    assert kind_effect("coffee_mug", 3) == kind_effect("coffee_mug", 3) != kind_effect("coffee_mug", 4)


def _listing_mean_stars(landing) -> pl.DataFrame:
    stars: dict[str, list[float]] = {}
    for path in (landing / "ucsd").glob("*.json.gz"):
        if path.name.startswith("meta_"):
            continue
        for line in gzip.open(path).read().splitlines():
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # an injected malformed line
            if isinstance(rec, dict) and "asin" in rec:
                stars.setdefault(rec["asin"], []).append(rec["overall"])
    return pl.DataFrame({"asin": list(stars), "stars": [sum(s) / len(s) for s in stars.values()]})


def test_ratings_written_depend_on_the_brand(coverage_sample):
    """Between-brand variance of listings' mean stars is far above within-brand (it is not if brand is ignored)."""
    truth = coverage_sample.truth.filter(~pl.col("is_exact_dup") & ~pl.col("is_near_dup") & ~pl.col("hijacked"))
    rated = _listing_mean_stars(coverage_sample.landing).join(
        truth.select("asin", brand=pl.col("brand").str.to_lowercase()), on="asin")
    groups = [g["stars"].to_numpy() for g in rated.partition_by("brand") if g.height >= 2]
    assert len(groups) >= 100
    assert stats.f_oneway(*groups).pvalue < 1e-6
