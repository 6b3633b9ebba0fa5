"""The rows a user receives: the ``dataset`` table with the listing text and the images' content hashes.

``dataset`` holds the attributes and their provenance; the text a model or a person reads (title, features, ...)
comes from ``objects`` at the same lake snapshot, the images from ``hash_images``. A column ``dataset`` already
has is never replaced by the one of ``objects``.
"""

from __future__ import annotations

import polars as pl

TEXT_FIELDS = ("title", "brand", "features", "description", "product_type", "dimensions_cm", "review_count")
IMAGE_COLUMN = "image_sha256"
SPLIT_ORDER = ("train", "val", "test", "calibration")


def check_dataset(dataset: pl.DataFrame) -> None:
    """One row per object, each with an asin and a split: what the published files are cut along."""
    missing = [c for c in ("asin", "split") if c not in dataset.columns]
    if missing:
        raise ValueError(f"the dataset table has no column {', '.join(missing)}: it does not follow the fill-in contract")
    repeated = dataset.filter(pl.col("asin").is_duplicated())["asin"].unique().sort()
    if repeated.len():
        raise ValueError(f"the dataset table has {repeated.len()} ASINs on more than one row, e.g. {repeated.head(5).to_list()}")
    for column in ("asin", "split"):
        if dataset[column].null_count():
            raise ValueError(f"{dataset[column].null_count()} rows of the dataset table have no {column}")


def published_frame(dataset: pl.DataFrame, objects: pl.DataFrame | None, images: pl.DataFrame | None) -> pl.DataFrame:
    """``images``: asin, image_sha256 (list of hex digests). Rows sorted by split (train, val, test, calibration,
    then others by name) and asin; columns: asin, split, the text fields, image_sha256, then the rest of
    ``dataset`` in its own order."""
    check_dataset(dataset)
    frame = dataset
    added: list[str] = []
    if objects is not None:
        text = [c for c in TEXT_FIELDS if c in objects.columns and c not in dataset.columns]
        frame = frame.join(objects.select("asin", *text), on="asin", how="left")
        added += text
    if images is not None and IMAGE_COLUMN not in dataset.columns:
        frame = frame.join(images.select("asin", IMAGE_COLUMN), on="asin", how="left")
        added.append(IMAGE_COLUMN)
    rest = [c for c in dataset.columns if c not in ("asin", "split")]
    rank = pl.col("split").replace_strict({s: i for i, s in enumerate(SPLIT_ORDER)}, default=len(SPLIT_ORDER), return_dtype=pl.Int64)
    return frame.select("asin", "split", *added, *rest).sort(rank, "split", "asin")


def ordered_splits(splits: list[str]) -> list[str]:
    known = [s for s in SPLIT_ORDER if s in splits]
    return known + sorted(s for s in splits if s not in SPLIT_ORDER)
