"""The object embedding's input (paper appendix, "Object Embedding"): per object, named dense blocks with a
presence flag each, plus categorical ids that the autoencoder embeds itself (128-d by default).

Blocks: the text and image embeddings (pretrained now; the fine-tuned models' embeddings join as further blocks
once they exist), log price, log mass, the 182 material nodes (an object's nodes and all their ancestors: "steel"
means "metal" too), and the 1..5 star rating distribution. Categoricals: the leaf category id and the
product-type id (0 = unknown). A value the listing does not state is *absent*, never zero: the autoencoder is told
which blocks are present, and the reconstruction loss ignores absent ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.materials.taxonomy import MaterialTaxonomy


@dataclass(frozen=True)
class FeatureBlocks:
    asins: list[str]
    dense: dict[str, np.ndarray]  # block name -> (n, d) float32
    present: dict[str, np.ndarray]  # block name -> (n,) bool
    categorical: dict[str, np.ndarray]  # name -> (n,) int64 in [0, cardinality); 0 = unknown

    def __len__(self) -> int:
        return len(self.asins)

    def rows(self, index: np.ndarray) -> FeatureBlocks:
        return FeatureBlocks(
            [self.asins[i] for i in index],
            {k: v[index] for k, v in self.dense.items()},
            {k: v[index] for k, v in self.present.items()},
            {k: v[index] for k, v in self.categorical.items()},
        )

    def without(self, *blocks: str) -> FeatureBlocks:
        """The same objects with ``blocks`` marked absent (a query that knows only some attributes)."""
        present = {k: (np.zeros_like(v) if k in blocks else v) for k, v in self.present.items()}
        categorical = {k: (np.zeros_like(v) if k in blocks else v) for k, v in self.categorical.items()}
        return FeatureBlocks(self.asins, self.dense, present, categorical)


def object_blocks(
    objects: pl.DataFrame,
    embeddings: dict[str, tuple[np.ndarray, np.ndarray]],
    taxonomy: MaterialTaxonomy,
) -> FeatureBlocks:
    """``objects``: asin, price_usd, mass_kg, rating_hist, plus ``material_ids`` (list, may be null),
    ``category_ids`` (root-first id path, may be null) and ``product_type_id``; ``embeddings``: block name ->
    (vectors aligned with ``objects``, present flags)."""
    n = objects.height
    dense: dict[str, np.ndarray] = {}
    present: dict[str, np.ndarray] = {}
    for name, (vectors, flags) in embeddings.items():
        if len(vectors) != n:
            raise ValueError(f"embedding block {name!r} has {len(vectors)} rows for {n} objects")
        dense[name], present[name] = np.asarray(vectors, dtype=np.float32), np.asarray(flags, dtype=bool)
    for name in ("price_usd", "mass_kg"):
        values = objects[name].cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
        ok = np.isfinite(values) & (values > 0)
        dense[name] = np.where(ok, np.log(np.where(ok, values, 1.0)), 0.0).astype(np.float32)[:, None]
        present[name] = ok
    dense["materials"], present["materials"] = material_block(objects["material_ids"].to_list(), taxonomy)
    dense["ratings"], present["ratings"] = rating_block(objects["rating_hist"].to_list())
    leaf = [ids[-1] + 1 if ids else 0 for ids in objects["category_ids"].to_list()]  # +1: 0 stays "unknown"
    types = objects["product_type_id"].fill_null(0).to_numpy()
    return FeatureBlocks(objects["asin"].to_list(), dense, present,
                         {"category": np.asarray(leaf, dtype=np.int64), "product_type": types.astype(np.int64)})


def material_block(material_ids: Sequence[Sequence[int] | None], taxonomy: MaterialTaxonomy):
    column = {node_id: j for j, node_id in enumerate(taxonomy.ids)}
    out = np.zeros((len(material_ids), len(column)), dtype=np.float32)
    for row, ids in enumerate(material_ids):
        for node_id in ids or ():
            for node in (node_id, *taxonomy.ancestors(node_id)):
                out[row, column[node]] = 1.0
    return out, out.any(axis=1)


def rating_block(histograms: Sequence[Sequence[int] | None]):
    out = np.zeros((len(histograms), 5), dtype=np.float32)
    present = np.zeros(len(histograms), dtype=bool)
    for row, hist in enumerate(histograms):
        counts = np.asarray(hist if hist is not None and len(hist) == 5 else [0] * 5, dtype=np.float64)
        if counts.sum() > 0:
            out[row], present[row] = counts / counts.sum(), True
    return out, present
