"""Re-joining only the ASINs whose source records changed, and replacing their rows, equals a full join."""

import polars as pl

from emma_pipeline.join.asin_join import join_listings
from emma_pipeline.join.incremental import source_hashes, touched_asins
from emma_pipeline.sources.records import listings_frame
from emma_pipeline.warehouse.keyed_update import KeyedUpdate


def _rows(batch, rows):
    return listings_frame([{"file": f"{batch}/aspa/items.jsonl", "line": i + 1, "source": "aspa", **r}
                           for i, r in enumerate(rows)]).with_columns(pl.lit(batch).alias("batch"))  # fmt: skip


FIRST = _rows("b1", [
    {"asin": "B00KEEP001", "title": "Garden Hose 50 ft", "price_usd": 20.0},
    {"asin": "B00UPDATE1", "title": "Chef Knife 8 inch", "price_usd": 30.0},
])  # fmt: skip
SECOND = _rows("b2", [
    {"asin": "B00UPDATE1", "title": "Chef Knife 8 inch, Stainless", "price_usd": 35.0},  # same ASIN, new values
    {"asin": "B00NEW0001", "title": "Cotton T-Shirt", "price_usd": 9.0},
])  # fmt: skip


def test_only_new_and_changed_asins_are_joined_again_and_the_result_equals_a_full_join():
    before = join_listings(FIRST).objects
    state = source_hashes(FIRST)
    both = pl.concat([FIRST, SECOND])
    todo, gone = touched_asins(source_hashes(both), state)
    assert sorted(todo) == ["B00NEW0001", "B00UPDATE1"] and gone == []
    rejoined = join_listings(both.filter(pl.col("asin").is_in(todo))).objects
    after = KeyedUpdate(rejoined).apply_to(before).sort("asin")
    assert after.equals(join_listings(both).objects)
    updated = after.filter(pl.col("asin") == "B00UPDATE1")
    assert updated.height == 1 and updated["price_usd"].to_list() == [35.0]  # a new version, not a second row


def test_an_asin_whose_records_are_gone_is_reported_and_an_unchanged_input_touches_nothing():
    state = source_hashes(pl.concat([FIRST, SECOND]))
    assert touched_asins(source_hashes(pl.concat([FIRST, SECOND])), state) == ([], [])
    todo, gone = touched_asins(source_hashes(FIRST.filter(pl.col("asin") == "B00KEEP001")), state)
    assert todo == [] and sorted(gone) == ["B00NEW0001", "B00UPDATE1"]
    assert sorted(touched_asins(state, None)[0]) == ["B00KEEP001", "B00NEW0001", "B00UPDATE1"]
