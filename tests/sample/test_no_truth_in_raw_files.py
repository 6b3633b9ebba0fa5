"""Nothing the generator writes for the pipeline encodes a planted defect: not the file names or paths, not the
image references inside records, not which file a record is filed in, not the order of records."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import orjson
import pytest

from emma_pipeline.sample.world import TOP_CATEGORIES


@pytest.fixture(scope="module")
def sample(with_images):
    truth = with_images.truth
    assert truth["hijacked"].sum() and truth["dup_group"].drop_nulls().len() and truth["non_physical"].sum()
    assert truth["text_image_mismatch"].sum()  # the sample plants every defect the checks below are about
    return with_images.landing, truth


_WORDS = re.compile(r"hijack|dup|twin|non.?phys|mismatch|truth|defect|fake|clean|_h\d", re.I)
_ALLOWED = re.compile(r"images/[0-9a-f]{20}\.jpg|ucsd/(?:meta_)?[A-Z][A-Za-z_]+\.json\.gz|aspa/catalog_items\.jsonl"
                      r"|image2mass/listings\.csv")


def test_file_names_and_paths_encode_no_defect(sample):
    landing, truth = sample
    asins = set(truth["asin"].to_list())
    paths = [str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()]
    assert [p for p in paths if not _ALLOWED.fullmatch(p)] == []
    assert [p for p in paths if _WORDS.search(p) or any(a in p for a in re.findall(r"B0[0-9A-Z]{8}", p))] == []
    assert not asins & {w for p in paths for w in re.split(r"[/_.]", p)}


def test_pictures_are_named_by_their_content_and_stored_once(sample):
    landing, _ = sample
    pictures = sorted((landing / "images").iterdir())
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in pictures]
    assert all(d.startswith(p.stem) for d, p in zip(digests, pictures))
    assert len(set(digests)) == len(digests)


def _records(landing: Path) -> dict[str, list[dict]]:
    out = {}
    for path in sorted((landing / "ucsd").glob("*.json.gz")) + [landing / "aspa" / "catalog_items.jsonl"]:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            rows = []
            for line in handle:
                try:
                    rows.append(orjson.loads(line))
                except orjson.JSONDecodeError:
                    continue  # the injected malformed lines
            out[str(path.relative_to(landing))] = [r for r in rows if isinstance(r, dict)]
    return out


def test_image_references_in_records_carry_no_asin_or_view_suffix(sample):
    landing, _ = sample
    text = b"".join((landing / rel).read_bytes() for rel in ("aspa/catalog_items.jsonl", "image2mass/listings.csv"))
    assert not re.search(rb"B0[0-9A-Z]{8}_", text)
    assert re.search(rb"\.\./images/[0-9a-f]{20}\.jpg", text)


def test_each_record_is_filed_by_its_own_content_and_duplicates_are_not_neighbours(sample):
    landing, truth = sample
    records = _records(landing)
    meta_file_of = {}
    for rel, rows in records.items():
        if rel.startswith("ucsd/meta_"):
            for r in rows:
                if r.get("asin"):
                    meta_file_of[r["asin"]] = rel
                    if r.get("category"):  # the file is the record's own department, nothing hidden
                        assert rel == f"ucsd/meta_{TOP_CATEGORIES[r['category'][0]].ucsd_file}.json.gz", r["asin"]
    for rel, rows in records.items():
        if rel.startswith("ucsd/") and not rel.startswith("ucsd/meta_"):
            for r in rows:  # reviews sit beside the page they review, a hijacked page's too
                if r.get("asin") in meta_file_of:
                    assert meta_file_of[r["asin"]] == rel.replace("ucsd/", "ucsd/meta_"), r["asin"]
    order = [r.get("asin") for r in records["aspa/catalog_items.jsonl"]]
    group = dict(truth.select("asin", "dup_group").drop_nulls().iter_rows())
    neighbours = sum(group.get(a) is not None and group.get(a) == group.get(b) for a, b in zip(order, order[1:]))
    in_groups = sum(a in group for a in order)
    assert in_groups >= 6 and neighbours <= max(1, in_groups // 6)
