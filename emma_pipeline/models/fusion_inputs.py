"""The fusion model's inputs: the fine-tuned text and image embeddings, standardized on the training split, and
every other attribute with an explicit missing-value mask (a 0 that means "unknown" is always paired with a 0 mask).
The standardization statistics are kept (``Scaler``) and stored with the model, so objects of a later batch are
scaled exactly as the objects it trained on."""

from __future__ import annotations

import numpy as np

from emma_pipeline.models.prepare import Prepared


class Scaler:
    """Standardization statistics by input name: fitted on the valid training rows the first time a name is
    scaled, or given (a stored model's, ``from_state``), in which case they are applied as they are."""

    PREFIX = "scale."

    def __init__(self, stats: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        self.stats = dict(stats or {})
        self.frozen = stats is not None

    def __call__(self, name: str, x: np.ndarray, train_rows: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        """(x − mean) / std with train statistics (over valid train rows); invalid rows become 0."""
        valid = np.ones(len(x), dtype=bool) if valid is None else valid
        if name not in self.stats:
            if self.frozen:
                raise KeyError(f"no stored scaling statistics for input {name!r}: the model was trained on other inputs")
            fit_rows = train_rows[valid[train_rows]]
            self.stats[name] = (x[fit_rows].mean(axis=0), x[fit_rows].std(axis=0) + 1e-6)
        mean, std = self.stats[name]
        return np.where(valid[:, None], (x - mean) / std, 0.0).astype(np.float32)

    def state(self) -> dict[str, np.ndarray]:
        out = {}
        for name, (mean, std) in self.stats.items():
            out[f"{self.PREFIX}{name}.mean"], out[f"{self.PREFIX}{name}.std"] = np.asarray(mean), np.asarray(std)
        return out

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Scaler:
        names = {key[len(cls.PREFIX) :].rsplit(".", 1)[0] for key in state if key.startswith(cls.PREFIX)}
        return cls({n: (state[f"{cls.PREFIX}{n}.mean"], state[f"{cls.PREFIX}{n}.std"]) for n in names})


def _log_column(values: list, train_rows: np.ndarray, scaler: Scaler, name: str) -> tuple[np.ndarray, np.ndarray]:
    raw = np.array([v if v is not None and v > 0 else np.nan for v in values], dtype=np.float64)
    known = np.isfinite(raw)
    logged = np.log(np.where(known, raw, 1.0))[:, None]
    return scaler(name, logged, train_rows, known)[:, 0], known.astype(np.float32)


def tabular_features(prepared: Prepared, inputs: tuple[str, ...], scaler: Scaler | None = None) -> np.ndarray:
    """(n, A) values and masks of the scalar / vector attributes named in ``inputs``."""
    objects, targets, train = prepared.objects, prepared.targets, prepared.rows("train")
    scaler = scaler if scaler is not None else Scaler()
    columns: list[np.ndarray] = []
    scalar = {"price": "price_usd", "mass": "mass_kg", "package_weight": "package_weight_kg"}
    for name, column in scalar.items():
        if name in inputs and column in objects.columns:
            value, mask = _log_column(objects[column].to_list(), train, scaler, name)
            columns += [value, mask]
    if "dimensions" in inputs and "dimensions_cm" in objects.columns:
        dims = [sorted(d, reverse=True)[:3] if d is not None and len(d) >= 3 and min(d) > 0 else None
                for d in objects["dimensions_cm"].to_list()]  # fmt: skip
        for k in range(3):
            value, mask = _log_column([d[k] if d else None for d in dims], train, scaler, f"dimension_{k}")
            columns.append(value)
        columns.append(mask)
    if "materials" in inputs:
        labeled = (targets.materials_mask.sum(axis=1) > 0).astype(np.float32)
        columns += list((targets.materials * targets.materials_mask).T) + [labeled]
    if "ratings" in inputs:
        known = np.isfinite(targets.ratings).all(axis=1)
        columns += list(np.where(known[:, None], np.nan_to_num(targets.ratings), 0.0).T)
        columns += [np.log1p(targets.review_count) * known, known.astype(np.float32)]
    if not columns:
        return np.zeros((len(prepared.asins), 0), dtype=np.float32)
    return np.stack(columns, axis=1).astype(np.float32)


def id_inputs(prepared: Prepared, inputs: tuple[str, ...], n_product_types: int | None = None,
              n_category_nodes: int | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """Product-type ids and each object's deepest category node (+1; 0 = none). ``n_product_types`` /
    ``n_category_nodes``: the vocabularies of a stored model; a type added after it was trained counts as unknown
    (0), and a category path is cut above its first node added after it (new nodes have the highest indexes)."""
    out = {}
    if "product_type" in inputs and "product_type_id" in prepared.objects.columns:
        ids = prepared.objects["product_type_id"].fill_null(0).to_numpy().astype(np.int64)
        out["product_type"] = ids if n_product_types is None else np.where(ids < n_product_types, ids, 0)
    if "category" in inputs:
        paths = prepared.targets.category
        known = (paths >= 0) & (paths < (prepared.hierarchy.size if n_category_nodes is None else n_category_nodes))
        depth = np.cumprod(known, axis=1).sum(axis=1)
        deepest = np.where(depth > 0, paths[np.arange(len(paths)), np.maximum(depth - 1, 0)] + 1, 0)
        out["category_node"] = deepest.astype(np.int64)
    return out
