"""generate_sample end to end: determinism, coverage levels, injected defects, batches, bounded memory."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import polars as pl
import pytest

from emma_pipeline.sample import generate_sample, generator


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files_and_progress_does_not_matter(tmp_path):
    a = generate_sample(tmp_path / "a", n_listings=80, seed=3, progress=False)
    b = generate_sample(tmp_path / "b", n_listings=80, seed=3, progress=True)
    c = generate_sample(tmp_path / "c", n_listings=80, seed=4, progress=False)
    assert a == b
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a") != _digests(tmp_path / "c")


def test_layout_and_ground_truth_beside_not_inside_landing(with_images):
    root, landing = with_images.root, with_images.landing
    assert (landing / "aspa" / "catalog_items.jsonl").is_file()
    assert (landing / "image2mass" / "listings.csv").is_file()
    assert list((landing / "ucsd").glob("meta_*.json.gz")) and list((landing / "images").glob("*.jpg"))
    assert (root / "ground_truth" / "batch-0001.parquet").is_file()
    assert (root / "ground_truth" / "batch-0001_summary.json").is_file()
    assert not [p for p in (root / "landing").rglob("*") if "truth" in p.name or p.suffix == ".parquet"]
    assert not list((root / "landing").glob(".*"))  # the partial folder was renamed away


def test_n_listings_counts_distinct_asins(coverage_sample):
    truth = coverage_sample.truth
    assert truth.height == 2000 == truth["asin"].n_unique()
    assert truth["asin"].str.contains(r"^B0[0-9A-Z]{8}$").all()


def test_coverage_of_distinct_physical_products_matches_the_paper(coverage_sample):
    truth = coverage_sample.truth.filter(~pl.col("non_physical") & ~pl.col("is_exact_dup") & ~pl.col("is_near_dup"))
    measured = truth.select(
        mass=pl.col("listed_mass").mean(), price=pl.col("listed_price").mean(),
        materials=pl.col("listed_materials").mean(), category=pl.col("listed_category").mean(),
        reviews=(pl.col("n_reviews") > 0).mean(),
    ).row(0, named=True)
    paper = {"mass": 0.77, "price": 0.69, "materials": 0.30, "category": 0.70, "reviews": 0.75}
    for key, target in paper.items():
        assert measured[key] == pytest.approx(target, abs=0.04), key


def test_source_mix_overlaps(coverage_sample):
    sources = coverage_sample.truth["sources"]
    share = {s: sources.list.contains(s).mean() for s in ("ucsd", "aspa", "image2mass")}
    assert share["ucsd"] == pytest.approx(0.75, abs=0.05)
    assert share["aspa"] == pytest.approx(0.47, abs=0.05)
    assert share["image2mass"] == pytest.approx(0.35, abs=0.05)
    assert (sources.list.len() >= 2).mean() > 0.35


def test_value_distributions_span_the_paper_ranges(coverage_sample):
    truth = coverage_sample.truth
    price, mass = truth["price_usd"], truth["mass_kg"].drop_nulls()
    assert (price > 200).mean() == pytest.approx(0.09, abs=0.035)
    assert price.min() < 5 and price.max() > 1000
    assert mass.min() < 0.01 and mass.max() > 45
    assert truth["category_path"].list.len().is_between(2, 6).all()
    assert truth["category_path"].list.first().n_unique() >= 8


def test_every_defect_kind_is_injected_at_its_rate(coverage_sample):
    truth, n = coverage_sample.truth, coverage_sample.truth.height
    rate = {c: truth[c].mean() for c in ("hijacked", "non_physical", "missing_title", "missing_image",
                                          "text_image_mismatch", "is_exact_dup", "is_near_dup")}
    assert 0.01 <= rate["hijacked"] <= 0.03 and 0.015 <= rate["non_physical"] <= 0.035
    assert 0.01 <= rate["text_image_mismatch"] <= 0.025
    assert all(rate[k] > 0 for k in ("missing_title", "missing_image", "is_exact_dup", "is_near_dup"))
    in_groups = truth["dup_group"].is_not_null().sum() / n
    assert 0.05 <= in_groups <= 0.08
    sizes = truth.filter(pl.col("dup_group").is_not_null()).group_by("dup_group").len()["len"]
    assert sizes.is_between(2, 3).all()
    hijacked = truth.filter(pl.col("hijacked"))
    assert (hijacked["sources"].list.len() >= 2).all() and hijacked["hijack_source"].is_not_null().all()
    kinds = {k for f in coverage_sample.summary["files"].values() for k in f["malformed"]}
    assert kinds == {"truncated_json", "not_an_object", "missing_asin", "invalid_utf8", "too_few_fields"}


def test_summary_counts_match_the_ground_truth(coverage_sample):
    counts, truth = coverage_sample.summary["counts"], coverage_sample.truth
    assert counts["listings"] == truth.height
    for key in ("hijacked", "non_physical", "missing_title", "missing_image", "is_exact_dup", "is_near_dup"):
        assert counts[key] == truth[key].sum(), key
    assert counts["reviews"] == truth["n_reviews"].sum()


def test_later_batch_adds_new_products_and_relists_earlier_ones(tmp_path):
    first = generate_sample(tmp_path, n_listings=150, seed=1, progress=False)
    with pytest.raises(ValueError, match="first_product="):
        generate_sample(tmp_path, n_listings=50, seed=1, batch="batch-0002", first_product=10, progress=False)
    with pytest.raises(FileExistsError):
        generate_sample(tmp_path, n_listings=50, seed=1, progress=False)
    second = generate_sample(tmp_path, n_listings=100, seed=1, batch="batch-0002",
                             first_product=first["next_product"], relist_fraction=0.2, progress=False)
    t1 = pl.read_parquet(tmp_path / "ground_truth" / "batch-0001.parquet")
    t2 = pl.read_parquet(tmp_path / "ground_truth" / "batch-0002.parquet")
    relisted = t2.filter(pl.col("relisted"))
    assert second["counts"]["relisted"] == relisted.height == 20
    assert relisted["asin"].is_in(t1["asin"].implode()).all()
    assert relisted["relist_changed"].any() and not relisted["relist_changed"].all()
    assert not t2.filter(~pl.col("relisted"))["asin"].is_in(t1["asin"].implode()).any()
    assert t2.height == 100 == t2["asin"].n_unique()


@pytest.mark.parametrize("bad", [dict(n_listings=0), dict(relist_fraction=1.0), dict(batch="../x"),
                                 dict(batch=".hidden")])
def test_bad_arguments_are_clear_errors(tmp_path, bad):
    with pytest.raises(ValueError):
        generate_sample(tmp_path, **{"n_listings": 5, "progress": False, "images": False} | bad)


def _peak_bytes(root: Path, n: int) -> int:
    tracemalloc.start()
    generate_sample(root, n_listings=n, seed=2, images=False, progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_streaming_memory_does_not_grow_with_the_number_of_listings(tmp_path, monkeypatch):
    monkeypatch.setattr(generator, "CHUNK", 50)
    generate_sample(tmp_path / "warm-up", n_listings=20, seed=2, images=False, progress=False)  # lazy imports
    small, large = _peak_bytes(tmp_path / "small", 300), _peak_bytes(tmp_path / "large", 1500)
    assert large < 1.3 * small  # buffering all 1,500 listings instead of 50 would almost triple the peak
