"""Damaged raw files: everything readable before the damage is kept, the unreadable tail is one quarantine row with
its byte offset, and the independent record tally agrees with the parsers instead of raising."""

from __future__ import annotations

import gzip
import random
import zlib

import orjson
import pytest

from emma_pipeline.sources.aspa import parse_aspa_file
from emma_pipeline.sources.batch import parse_source_batch
from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.record_count import count_batch_records, count_file_records
from emma_pipeline.sources.ucsd import parse_ucsd_file

N = 5000


def _meta_lines(n: int = N) -> bytes:
    rng = random.Random(0)  # incompressible titles, so damage lands in a deflate block, not in repeated text
    return b"".join(
        orjson.dumps({"asin": f"B{i:09d}", "title": f"Mug {rng.random():.12f}", "price": "$1.00"}) + b"\n"
        for i in range(n)
    )


def _damaged_in_the_middle(data: bytes) -> bytes:
    """``data`` gzipped with a deflate block of invalid type in the middle: zlib raises ``invalid block type``.

    A full flush ends the first half on a byte boundary, so the next block header is the next byte; BTYPE=11 is
    reserved, which every zlib rejects (random noise often decodes to garbage and only fails the CRC).
    """
    half = data.rfind(b"\n", 0, len(data) // 2) + 1
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = compressor.compress(data[:half]) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(data[half:]) + compressor.flush()
    return head + bytes([0x07]) + tail[1:]


def _accounted(result, path) -> None:
    assert result.records_in == result.records_ok + result.quarantine.height
    assert count_file_records(str(path)) == result.records_in


def test_gzip_damaged_in_the_middle_keeps_the_records_before_and_is_counted(tmp_path):
    path = tmp_path / "meta_Mid.json.gz"
    path.write_bytes(_damaged_in_the_middle(_meta_lines()))
    with pytest.raises(Exception, match="invalid block type"):  # the damage is of the kind that made zlib.error escape
        gzip.decompress(path.read_bytes())

    result = parse_ucsd_file(path)

    _accounted(result, path)
    assert N * 0.4 < result.records_ok < N * 0.6
    tail = result.quarantine.filter(result.quarantine["reason"].str.starts_with("corrupt_gzip"))
    assert tail.height == 1
    assert tail["offset"][0] > 0 and tail["line"][0] > result.records_ok
    # every listing kept is one of the records as written (decoded before the damage, not garbage)
    assert result.listings["asin"].to_list() == [f"B{i:09d}" for i in range(result.listings.height)]


def test_gzip_missing_its_last_20_bytes_keeps_every_decoded_record(tmp_path):
    lines = _meta_lines()
    path = tmp_path / "meta_Trunc.json.gz"
    path.write_bytes(gzip.compress(lines, mtime=0)[:-20])

    result = parse_ucsd_file(path)

    _accounted(result, path)
    assert result.listings.height >= N - 1
    assert result.quarantine.height == 1
    tail = result.quarantine.row(0, named=True)
    assert tail["reason"].startswith("truncated_gzip: ")
    assert lines[tail["offset"] :].startswith(tail["raw"].encode())  # its offset points at it in the true file
    assert tail["line"] == result.listings.height + 1


def test_batch_with_damaged_gzip_parses_and_counts_without_raising(tmp_path):
    ucsd = tmp_path / "batch-0001" / "ucsd"
    ucsd.mkdir(parents=True)
    (ucsd / "meta_Mid.json.gz").write_bytes(_damaged_in_the_middle(_meta_lines()))
    (ucsd / "meta_Trunc.json.gz").write_bytes(gzip.compress(_meta_lines(50), mtime=0)[:-20])

    result = parse_source_batch("ucsd", tmp_path / "batch-0001", progress=False)

    assert count_batch_records("ucsd", tmp_path / "batch-0001") == result.records_ok + result.quarantine.height
    assert result.records_ok > N * 0.4 + 40


def test_not_gzip_is_one_row_with_a_reason(tmp_path):
    path = tmp_path / "items.jsonl.gz"
    path.write_bytes(b"this is not gzip")
    result = parse_aspa_file(path)
    _accounted(result, path)
    assert result.quarantine["reason"].to_list() == [
        "not_gzip: the file does not start with the gzip signature (stored byte 0)"
    ]


def test_multi_member_gzip_with_zero_padding_reads_like_gzip(tmp_path):
    path = tmp_path / "meta_Multi.json.gz"
    first, second = _meta_lines(3), orjson.dumps({"asin": "B999999999"}) + b"\n"
    path.write_bytes(gzip.compress(first) + gzip.compress(second) + b"\x00" * 8)
    result = parse_ucsd_file(path)
    _accounted(result, path)
    assert result.listings.height == 4 and result.quarantine.height == 0


def _items(n: int) -> list[dict]:
    return [{"asin": f"B{i:09d}", "attributes": {"item_name": [{"value": f"Pan {i}"}]}} for i in range(n)]


@pytest.mark.parametrize("indent", [False, True], ids=["one_line", "pretty_printed"])
def test_json_array_cut_short_keeps_every_complete_item(tmp_path, indent):
    data = orjson.dumps(_items(300), option=orjson.OPT_INDENT_2 if indent else 0)
    cut = data.index(b"B000000250") + 3  # inside item 251
    path = tmp_path / "catalog.json"
    path.write_bytes(data[:cut])

    result = parse_aspa_file(path)

    _accounted(result, path)
    assert result.listings["asin"].to_list() == [f"B{i:09d}" for i in range(250)]
    tail = result.quarantine.row(0, named=True)
    assert result.quarantine.height == 1 and tail["line"] == 251
    assert tail["reason"] == "truncated_json: the file ends inside the array, in item 251"
    assert data[tail["offset"] :].startswith(b"{") and tail["raw"].encode() == data[tail["offset"] : cut]


def test_json_array_with_a_broken_item_quarantines_that_item_only(tmp_path):
    good = orjson.dumps(_items(3))
    broken = good.replace(b'"B000000001"', b"B000000001", 1)  # item 2 alone is invalid JSON
    path = tmp_path / "catalog.json"
    path.write_bytes(broken)
    result = parse_aspa_file(path)
    _accounted(result, path)
    assert result.listings["asin"].to_list() == ["B000000000", "B000000002"]
    assert result.quarantine["line"].to_list() == [2]
    assert result.quarantine["reason"][0].startswith("invalid_json")


def test_gzipped_json_array_cut_short_keeps_decoded_items(tmp_path):
    data = orjson.dumps(_items(2000))
    path = tmp_path / "catalog.json.gz"
    path.write_bytes(gzip.compress(data, mtime=0)[:-20])
    result = parse_aspa_file(path)
    _accounted(result, path)
    assert result.records_ok >= 1990  # the last 20 stored bytes hold a few items
    assert result.quarantine["reason"].str.starts_with("truncated_gzip").to_list() == [True]


CSV_HEADER = "asin,title,weight,dimensions,image_url\n"


def _csv_rows(n: int) -> str:
    return "".join(f'B{i:09d},"Mug {i},\nblue",{i + 1} oz,,x.jpg\n' for i in range(n))  # quoted newlines


def test_gzipped_csv_cut_short_keeps_rows_before_and_never_keeps_a_cut_row(tmp_path):
    text = (CSV_HEADER + _csv_rows(3000)).encode()
    stored = gzip.compress(text, mtime=0)
    path = tmp_path / "listings.csv.gz"
    path.write_bytes(stored[:-20])

    result = parse_image2mass_file(path)

    _accounted(result, path)
    assert result.records_ok >= 2990  # the last 20 stored bytes hold a few rows of such repetitive text
    assert result.listings["title"].to_list() == [f"Mug {i}, blue" for i in range(result.records_ok)]
    tail = result.quarantine.row(0, named=True)
    assert result.quarantine.height == 1 and tail["reason"].startswith("truncated_gzip: ")
    assert text[tail["offset"] :].startswith(tail["raw"].encode())
    assert text[tail["offset"] :].startswith(f"B{result.records_ok:09d}".encode())


def test_csv_cut_inside_a_quoted_field_is_the_tail_not_a_listing(tmp_path):
    text = (CSV_HEADER + _csv_rows(3)).encode()
    cut = text.index(b"Mug 2,") + 6  # inside the quoted title of the last row
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    stored = compressor.compress(text[:cut]) + compressor.flush(zlib.Z_SYNC_FLUSH)  # all of it decodable, no end
    path = tmp_path / "listings.csv.gz"
    path.write_bytes(stored)
    result = parse_image2mass_file(path)
    _accounted(result, path)
    assert result.listings["asin"].to_list() == ["B000000000", "B000000001"]
    assert result.quarantine["raw"].to_list() == [text[text.index(b"B000000002") : cut].decode()]
    assert result.quarantine["line"].to_list() == [6]
