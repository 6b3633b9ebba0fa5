"""Material labels rebuilt incrementally equal labels rebuilt from nothing, and only changed inputs are mapped."""

import polars as pl

from emma_pipeline.materials import default_mapper
from emma_pipeline.materials.labels import label_objects


def _objects(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"asin": pl.Utf8, "materials_raw": pl.List(pl.Utf8), "title": pl.Utf8}, orient="row")


FIRST = _objects([
    ("kept", ["stainless steel"], "Travel mug"),
    ("retitled", ["nylon"], "Rain jacket"),
    ("restrung", ["cotton"], "T-shirt"),
    ("emptied", ["glass"], "Vase"),
    ("removed", ["oak wood"], "Table"),
    ("never", None, "No materials stated"),
])  # fmt: skip
SECOND = _objects([
    ("kept", ["stainless steel"], "Travel mug"),
    ("retitled", ["nylon"], "Plastic buckle for a backpack strap"),  # the title is the mapping's context
    ("restrung", ["cotton", "polyester", "zorbium"], "T-shirt"),
    ("emptied", [], "Vase"),
    ("never", None, "No materials stated"),
    ("new", ["ceramic"], "Bowl"),
])  # fmt: skip




def test_an_incremental_rebuild_equals_a_rebuild_from_nothing_and_maps_only_what_changed():
    mapper = default_mapper()
    first = label_objects(FIRST, mapper)
    again = label_objects(SECOND, mapper, previous=first.labels)
    scratch = label_objects(SECOND, mapper)
    assert again.labels.equals(scratch.labels)
    assert again.unmapped.equals(scratch.unmapped) and again.stats == scratch.stats
    assert "zorbium" in again.unmapped["raw"].to_list()
    assert sorted(again.update.rows["asin"]) == ["new", "restrung", "retitled"]
    assert sorted(again.update.deleted) == ["emptied", "removed"]
    assert scratch.update.whole and not again.update.whole  # without a previous table the labels are written whole


def test_unchanged_objects_are_not_mapped_again(monkeypatch):
    mapper = default_mapper()
    first = label_objects(FIRST, mapper)
    titles = []
    original = mapper.map
    monkeypatch.setattr(mapper, "map", lambda text, context=None: titles.append(context) or original(text, context=context))
    label_objects(SECOND, mapper, previous=first.labels)
    assert set(titles) == {"Plastic buckle for a backpack strap", "T-shirt", "Bowl"}
