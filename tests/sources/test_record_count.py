"""The independent record tally behind the ingestion check agrees with the parsers, edge rows included."""

import gzip

import orjson

from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.record_count import count_file_records
from emma_pipeline.sources.ucsd import parse_ucsd_file


def test_csv_rows_with_quoted_newlines_and_blank_lines(tmp_path):
    path = tmp_path / "listings.csv"
    path.write_text('asin,title,weight,dimensions,image_url\nB000000001,"Mug,\nblue",1 lb,,x.jpg\n\nB000000002,Cup\n')
    result = parse_image2mass_file(path)
    assert count_file_records(str(path)) == 2 == result.records_ok + result.quarantine.height


def test_json_lines_gz_with_blank_and_broken_lines(tmp_path):
    path = tmp_path / "meta_X.json.gz"
    lines = [orjson.dumps({"asin": "B000000001", "title": "Mug"}), b"", b'{"asin": "B0000', b"[1, 2]"]
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    result = parse_ucsd_file(path)
    assert count_file_records(str(path)) == 3 == result.records_ok + result.quarantine.height


def test_json_array_file_counts_items(tmp_path):
    path = tmp_path / "items.json"
    path.write_bytes(orjson.dumps([{"asin": "B000000001"}, {"asin": "B000000002"}, "not an object"]))
    assert count_file_records(str(path)) == 3


def test_corrupt_gz_counts_as_one_record(tmp_path):
    path = tmp_path / "meta_Y.json.gz"
    path.write_bytes(b"not gzip at all")
    assert count_file_records(str(path)) == 1
