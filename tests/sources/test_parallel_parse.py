"""The batch parser (files in worker processes, JSON-lines files in chunks) gives exactly the rows, quarantine rows
and counts of each file's own parser, in the same order: on damaged and odd JSON lines, on a generated batch and on
the real public samples."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal

from emma_pipeline.sample import generate_sample
from emma_pipeline.sources.batch import SOURCES, iter_source_batch, source_files
from emma_pipeline.sources.file_tasks import PARSERS
from emma_pipeline.sources.records import ParseResult
from tests.sources.strategies import aspa_item, json_file, ucsd_meta

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"


def _per_file(source: str, batch: Path) -> ParseResult:
    """The reference: each file's parser on the whole file, relabelled as the batch labels it."""
    results = []
    for path in source_files(source, batch):
        label = str(Path(path).relative_to(batch.parent))
        r = PARSERS[source](path, None)
        results.append(ParseResult(r.listings.with_columns(file=pl.lit(label)),
                                   r.quarantine.with_columns(file=pl.lit(label)), r.records_in, r.records_ok))
    return ParseResult.concat(results)


def _assert_same(source: str, batch: Path, **kwargs) -> ParseResult:
    expected = _per_file(source, batch)
    chunks = list(iter_source_batch(source, batch, progress=False, **kwargs))
    got = ParseResult.concat(chunks)
    assert_frame_equal(got.listings, expected.listings)
    assert_frame_equal(got.quarantine, expected.quarantine)
    assert (got.records_in, got.records_ok) == (expected.records_in, expected.records_ok)
    return got


def _write(batch: Path, source: str, name: str, data: bytes) -> None:
    folder = batch / source
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_chunks_cut_anywhere_keep_lines_offsets_bom_blank_lines_and_the_damaged_tail(tmp_path):
    lines = [b'{"asin": "B000000001", "title": "a"}', b"", b"  ", b'{"asin": "B000000002", "price": "$5"}\r',
             b"{not json", b'{"asin": "b000000003", "details": {"Item Weight:": "2 lb"}}', b"[1, 2]",
             b"{'asin': '0000031852', 'imUrl': 'http://x/y.jpg', 'categories': [['Toys']]}"]  # a 2014 literal
    data = b"\xef\xbb\xbf" + b"\n".join(lines * 30) + b"\n" + lines[0]
    batch = tmp_path / "b1"
    _write(batch, "ucsd", "meta_A.json", data)
    _write(batch, "ucsd", "meta_B.json.gz", gzip.compress(data * 3)[:-30])  # damaged: cut short
    _write(batch, "aspa", "items.jsonl", data)
    for chunk_bytes in (7, 64, 1000, 1 << 20):
        got = _assert_same("ucsd", batch, workers=1, chunk_bytes=chunk_bytes)
        _assert_same("aspa", batch, workers=1, chunk_bytes=chunk_bytes)
    assert got.quarantine["reason"].str.starts_with("truncated_gzip").sum() == 1


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(json_file(ucsd_meta), json_file(aspa_item))
def test_chunked_parse_equals_whole_file_parse_on_any_file(tmp_path_factory, meta, items):
    batch = tmp_path_factory.mktemp("b") / "b1"
    _write(batch, "ucsd", "meta_Toys.json" + meta[0], meta[1])
    _write(batch, "aspa", "catalog_items.jsonl" + items[0], items[1])
    for source in ("ucsd", "aspa"):
        _assert_same(source, batch, workers=1, chunk_bytes=50)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate_sample(root, n_listings=300, seed=3, batch="b1", images=False)
    return root / "landing" / "b1"


@pytest.mark.parametrize("source", SOURCES)
def test_generated_batch_in_two_worker_processes_equals_per_file_parse(generated, source):
    _assert_same(source, generated, workers=2, chunk_bytes=32 << 10)


def test_real_samples_chunked_equal_per_file_parse(tmp_path):
    if not REAL.is_dir():
        pytest.skip("../shared/data/real not present (a user's own clone)")
    batch = tmp_path / "real"
    for folder, source in (("ucsd2018_appliances_sample_CR3A7OR", "ucsd"), ("ucsd2018_gift_cards_full_ncloud50", "ucsd"),
                           ("ucsd2023_health_personal_care_meta_shalinanvai", "ucsd"),
                           ("ucsd2018_appliances_5core_Miggy070498", "ucsd"),
                           ("promptcloud_amazon2020_sample_WSU", "image2mass"),
                           ("brightdata_amazon_samples_luminati", "aspa"),
                           ("abo_samples_aws_smart_product_onboarding", "aspa")):
        for path in [*(REAL / folder).rglob("*.json*"), *(REAL / folder).glob("*.csv")]:
            if path.parent.name != "samples":  # read in place, through links named as a batch names them
                (batch / source).mkdir(parents=True, exist_ok=True)
                name = path.name if path.name.startswith("meta_") else f"{folder}_{path.name}"
                (batch / source / name).symlink_to(path.resolve())
    for source in SOURCES:
        got = _assert_same(source, batch, workers=1, chunk_bytes=256 << 10)
        assert got.records_in > 0
