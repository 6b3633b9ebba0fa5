"""What the labeling model sees of each object, behind one interface (``FeatureSet``).

The paper trains on its object embedding plus keyword features. Until the object embedding table exists in the
lake, the pretrained text and image embeddings serve: each is L2-normalized, the two are concatenated with equal
weight and projected onto their top principal components (a linear map, so a linear model loses little, and
re-ranking 100k candidates or scoring a million objects stays fast). When ``object_embeddings`` lands,
``load_feature_set`` uses it through the same projection, and nothing downstream changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.decomposition import PCA

from emma_pipeline.embeddings import vector_matrix

MAX_COMPONENTS = 256
_PCA_FIT_ROWS = 20_000


@dataclass(frozen=True)
class FeatureSet:
    """Rows aligned with ``object_ids``. ``embedding``: float32 (n, k); ``texts``: listing text for keyword
    features and search; ``titles`` and ``images`` (local image paths or URLs) for display."""

    object_ids: list[str]
    titles: list[str]
    texts: pl.Series
    images: list[list[str]]
    embedding: np.ndarray
    source: str
    row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.object_ids)
        if not (len(self.titles) == self.texts.len() == len(self.images) == self.embedding.shape[0] == n):
            raise ValueError("FeatureSet columns must all have one row per object")
        self.row.update({oid: i for i, oid in enumerate(self.object_ids)})
        if len(self.row) != n:
            raise ValueError("object ids must be unique")

    def rows(self, object_ids: list[str]) -> np.ndarray:
        return np.array([self.row[o] for o in object_ids], dtype=np.int64)


def project(vectors: np.ndarray, n_components: int = MAX_COMPONENTS, seed: int = 0) -> np.ndarray:
    """Top principal components, scaled so the first has unit variance (later ones keep their smaller spread,
    which acts as a prior toward the directions that vary most)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    k = min(n_components, vectors.shape[0], vectors.shape[1])
    if k < 1:
        return np.zeros((vectors.shape[0], 0), dtype=np.float32)
    rng = np.random.default_rng(seed)
    fit_rows = vectors if len(vectors) <= _PCA_FIT_ROWS else vectors[rng.choice(len(vectors), _PCA_FIT_ROWS, replace=False)]
    pca = PCA(n_components=k, svd_solver="randomized" if k < min(fit_rows.shape) // 2 else "full", random_state=seed)
    pca.fit(fit_rows)
    scale = float(np.sqrt(max(pca.explained_variance_[0], 1e-12)))
    return (pca.transform(vectors) / scale).astype(np.float32)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def pretrained_feature_set(objects: pl.DataFrame, text_embeddings: pl.DataFrame, image_embeddings: pl.DataFrame,
                           n_components: int = MAX_COMPONENTS) -> FeatureSet:  # fmt: skip
    """Objects (asin, title, text, image_urls) with their text and image embeddings; an object missing either
    embedding gets zeros for it (it stays labelable; the other modality and keywords still inform the model)."""
    frame = objects.select("asin", "title", "text", "image_urls")
    parts, used = [], []
    for name, table in (("text", text_embeddings), ("image", image_embeddings)):
        joined = frame.select("asin").join(table.select("asin", pl.col("embedding").alias(name)), on="asin", how="left")
        present = joined[name].is_not_null().to_numpy()
        if not present.any():
            continue
        dense = vector_matrix(joined[name].filter(joined[name].is_not_null()))
        matrix = np.zeros((frame.height, dense.shape[1]), dtype=np.float32)
        matrix[present] = _unit_rows(dense)
        parts.append(matrix)
        used.append(name)
    combined = np.hstack(parts) if parts else np.zeros((frame.height, 0), dtype=np.float32)
    return FeatureSet(
        object_ids=frame["asin"].to_list(), titles=frame["title"].fill_null("").to_list(),
        texts=frame["text"].fill_null(""), images=[list(u or []) for u in frame["image_urls"].to_list()],
        embedding=project(combined, n_components), source=f"pretrained {' + '.join(used) or 'no'} embeddings",
    )  # fmt: skip


def object_embedding_feature_set(objects: pl.DataFrame, object_embeddings: pl.DataFrame,
                                 n_components: int = MAX_COMPONENTS) -> FeatureSet:  # fmt: skip
    """The paper's input: the object embedding (``object_embeddings``: asin, embedding), same projection."""
    joined = objects.select("asin", "title", "text", "image_urls").join(
        object_embeddings.select("asin", "embedding"), on="asin", how="inner"
    )
    return FeatureSet(
        object_ids=joined["asin"].to_list(), titles=joined["title"].fill_null("").to_list(),
        texts=joined["text"].fill_null(""), images=[list(u or []) for u in joined["image_urls"].to_list()],
        embedding=project(vector_matrix(joined["embedding"]), n_components), source="object embedding",
    )  # fmt: skip


def load_feature_set(read_table, has_table) -> FeatureSet:
    """The best features the lake has: ``object_embeddings`` once it exists, else the pretrained embeddings.
    ``read_table(name) -> DataFrame`` and ``has_table(name) -> bool`` come from the caller's lake handle."""
    if not has_table("objects"):
        raise FileNotFoundError("the lake has no 'objects' table yet: run `emma build` first")
    objects = read_table("objects")
    if has_table("object_embeddings"):
        return object_embedding_feature_set(objects, read_table("object_embeddings"))
    return pretrained_feature_set(objects, read_table("text_embeddings"), read_table("image_embeddings"))
