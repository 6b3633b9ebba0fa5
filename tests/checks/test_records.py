"""Ingestion: records counted in each raw file = parsed rows + quarantine rows of that file, no (file, line) twice;
the quarantine union holds every source's quarantine rows once."""

import polars as pl

from emma_pipeline.checks import records_accounted_for, rows_carried_over

META, REVIEWS = "b1/ucsd/meta_x.json", "b1/ucsd/reviews_x.json"


def _listings(rows):
    return pl.DataFrame(rows, schema={"file": pl.Utf8, "line": pl.Int64, "rating_hist": pl.List(pl.Int64)}, orient="row")


def _quarantine(rows):
    return pl.DataFrame(rows, schema={"file": pl.Utf8, "line": pl.Int64}, orient="row")


LISTINGS = _listings([(META, 1, None), (META, 2, None), (REVIEWS, 1, [0, 0, 1, 2, 0])])  # 3 reviews in one row
QUARANTINE = _quarantine([(META, 3), (REVIEWS, 4)])


def test_parsed_plus_quarantined_per_file_passes_with_review_rows_standing_for_their_reviews():
    result = records_accounted_for({META: 3, REVIEWS: 4}, LISTINGS, QUARANTINE)
    assert result.passed, result.describe()
    assert result.counts["parsed"] == 5 and result.counts["quarantined"] == 2


def test_a_record_lost_between_parsing_and_the_lake_fails_naming_the_file():
    result = records_accounted_for({META: 4, REVIEWS: 4}, LISTINGS, QUARANTINE)
    assert not result.passed
    assert result.samples["files_miscounted"] == [f"{META} (4 counted, 3 written)"]


def test_a_record_both_parsed_and_quarantined_fails_even_when_the_totals_agree():
    quarantine = _quarantine([(META, 2), (REVIEWS, 4)])  # line 2 is also a listing
    result = records_accounted_for({META: 3, REVIEWS: 4}, LISTINGS, quarantine)
    assert not result.passed and result.samples["records_twice"] == [f"{META}:2"]


def test_rows_of_a_file_nobody_counted_fail():
    result = records_accounted_for({META: 3}, LISTINGS, QUARANTINE)
    assert not result.passed and result.samples["files_unexpected"] == [REVIEWS]


def test_an_unreadable_file_is_one_quarantine_row_without_a_line():
    result = records_accounted_for({"b1/ucsd/bad.gz": 1}, _listings([]), _quarantine([("b1/ucsd/bad.gz", None)]))
    assert result.passed


KEY = ("source", "file", "line")


def _rows(source, *lines):
    return pl.DataFrame({"source": source, "file": f"{source}.json", "line": list(lines)},
                        schema={"source": pl.Utf8, "file": pl.Utf8, "line": pl.Int64})  # fmt: skip


def test_the_quarantine_union_holds_every_row_once():
    parts = {"ucsd_quarantine": _rows("ucsd", 1, None), "aspa_quarantine": _rows("aspa", 4)}
    assert rows_carried_over(parts, pl.concat(parts.values()), KEY).passed


def test_a_row_dropped_or_doubled_in_the_union_fails():
    parts = {"ucsd_quarantine": _rows("ucsd", 1, 2), "aspa_quarantine": _rows("aspa", 4)}
    dropped = rows_carried_over(parts, pl.concat([_rows("ucsd", 1), _rows("aspa", 4)]), KEY)
    doubled = rows_carried_over(parts, pl.concat([*parts.values(), _rows("aspa", 4)]), KEY)
    assert not dropped.passed and dropped.samples["keys_miscounted"] == ["ucsd:ucsd.json:2"]
    assert not doubled.passed and doubled.samples["keys_miscounted"] == ["aspa:aspa.json:4"]
