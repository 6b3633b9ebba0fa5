"""The hidden ground-truth table: one row per ASIN written in a batch, streamed to Parquet in chunks.

It records what each listing really is (archetype, category, true mass, price, materials, properties) and
every defect injected into it, so each pipeline stage can be scored. It is written beside the landing folder,
never inside it: no pipeline stage may read it.

``listed_*`` say whether a source that really describes the product (not a hijacking one) lists the item mass,
a price, seller material strings, or a category path; only UCSD records carry category paths (ASPA items only
name their browse node). ``missing_image`` means no genuine source shows an image.

How hard each defect was made: ``hijack_kind`` / ``mismatch_kind`` say what the other product is (``same_kind``,
``same_category``, ``other``); a duplicate twin's ``image_edit`` says how its pictures derive from its twin's
(``identical`` bytes, ``own_photo``, or an edited copy: ``requality``, ``resize``, ``crop``, ``watermark``) and a
near-duplicate's ``title_edit`` how its title was changed (``colour``, ``units``, ``reorder``, ``marketing``,
joined by "+").
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .listing import Listing
from .world import PROPERTIES

_STR_LIST = pa.list_(pa.string())
SCHEMA = pa.schema(
    [("asin", pa.string()), ("batch", pa.string()), ("product_id", pa.int64()), ("dup_group", pa.int64()),
     ("is_exact_dup", pa.bool_()), ("is_near_dup", pa.bool_()), ("hijacked", pa.bool_()),
     ("hijack_source", pa.string()), ("hijack_kind", pa.string()), ("image_edit", pa.string()),
     ("title_edit", pa.string()), ("mismatch_kind", pa.string()), ("non_physical", pa.bool_()), ("missing_title", pa.bool_()),
     ("missing_image", pa.bool_()), ("text_image_mismatch", pa.bool_()), ("relisted", pa.bool_()),
     ("relist_changed", pa.bool_()), ("archetype", pa.string()), ("shown_archetype", pa.string()),
     ("title", pa.string()), ("brand", pa.string()), ("colour", pa.string()), ("category_path", _STR_LIST),
     ("product_type", pa.string()), ("mass_kg", pa.float64()), ("price_usd", pa.float64()),
     ("dims_cm", pa.list_(pa.float64())), ("materials", _STR_LIST), ("material_strings", _STR_LIST)]
    + [(name, pa.bool_()) for name in PROPERTIES]
    + [("quality", pa.float64()), ("sources", _STR_LIST), ("n_images", pa.int32()), ("n_reviews", pa.int32()),
       ("listed_mass", pa.bool_()), ("listed_price", pa.bool_()), ("listed_materials", pa.bool_()),
       ("listed_category", pa.bool_())]
)


def truth_row(lst: Listing, batch: str, n_images: int) -> dict:
    p = lst.product
    row = {
        "asin": lst.asin, "batch": batch, "product_id": p.product_id, "dup_group": lst.dup_group,
        "is_exact_dup": lst.is_exact_dup, "is_near_dup": lst.is_near_dup, "hijacked": lst.hijack_source is not None,
        "hijack_source": lst.hijack_source, "hijack_kind": lst.hijack_kind, "image_edit": lst.image_edit,
        "title_edit": lst.title_edit, "mismatch_kind": lst.mismatch_kind, "non_physical": not p.archetype.physical,
        "missing_title": lst.missing_title, "missing_image": n_images == 0,
        "text_image_mismatch": lst.text_image_mismatch, "relisted": lst.relisted,
        "relist_changed": lst.relist_changed, "archetype": p.archetype.key, "shown_archetype": lst.shown.archetype.key,
        "title": lst.text.title or None, "brand": p.brand, "colour": p.colour,
        "category_path": list(p.archetype.category_path), "product_type": p.archetype.product_type,
        "mass_kg": p.mass_kg, "price_usd": p.price_usd, "dims_cm": list(p.dims_cm) if p.dims_cm else None,
        "materials": list(p.materials), "material_strings": list(p.material_strings),
        "quality": round(p.quality, 4), "sources": list(lst.sources), "n_images": n_images,
        "n_reviews": lst.n_reviews,
        "listed_mass": lst.listed("mass"), "listed_price": lst.listed("price"),
        "listed_materials": lst.listed("materials"), "listed_category": lst.listed("category"),
    }
    row.update(zip(PROPERTIES, p.props))
    return row


class TruthWriter:
    """Buffers rows and appends them to one Parquet file as row groups (bounded memory)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        self._rows: list[dict] = []
        self.rows = 0

    def add(self, row: dict) -> None:
        self._rows.append(row)

    def flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=SCHEMA))
            self.rows += len(self._rows)
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()
