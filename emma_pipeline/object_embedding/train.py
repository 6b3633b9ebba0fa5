"""Fit the object autoencoder and embed objects with it; a fitted model is one self-contained artifact file."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from emma_pipeline.object_embedding.autoencoder import (
    AutoencoderConfig,
    ObjectAutoencoder,
    categorical_loss,
    contrastive_loss,
    reconstruction_loss,
    torch,
)
from emma_pipeline.object_embedding.features import FeatureBlocks
from emma_pipeline.object_embedding.standardize import Standardizer
from emma_pipeline.optim import adamw
from emma_pipeline.warehouse.storage import is_remote, storage_path

_EMBED_BATCH = 4096


@dataclass
class FittedEmbedding:
    config: AutoencoderConfig
    standardizer: Standardizer
    cardinalities: dict[str, int]
    network: ObjectAutoencoder
    embedding_mean: np.ndarray  # the bottleneck's per-unit mean and std over the fitted objects:
    embedding_std: np.ndarray  # the published embedding is the standardized activation (paper appendix)
    history: list[float]  # training loss per epoch

    def embed(self, features: FeatureBlocks) -> np.ndarray:
        """The standardized bottleneck activation (n, bottleneck) as float32."""
        hidden = _hidden(self, features)
        return ((hidden - self.embedding_mean) / self.embedding_std).astype(np.float32)

    def reconstruct(self, features: FeatureBlocks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(reconstruction, standardized input, mask), all (n, D)."""
        values, mask, presence = self.standardizer.transform(features)
        out = []
        with torch.no_grad():
            for start in range(0, len(values), _EMBED_BATCH):
                batch = _tensors(self, values, presence, features.categorical, slice(start, start + _EMBED_BATCH))
                out.append(self.network(*batch)[1].cpu().numpy())
        return np.concatenate(out) if out else np.zeros_like(values), values, mask

    def save(self, path: Path | str) -> None:
        """One file, written atomically (a reader never sees half a model); ``path`` may be on S3 (one object
        upload, which is atomic too)."""
        state = {"config": asdict(self.config), "standardizer": self.standardizer.state(),
                 "cardinalities": self.cardinalities, "network": self.network.state_dict(),
                 "embedding_mean": self.embedding_mean, "embedding_std": self.embedding_std,
                 "history": self.history}  # fmt: skip
        path = storage_path(path)
        if is_remote(path):
            buffer = io.BytesIO()
            torch.save(state, buffer)
            path.write_bytes(buffer.getvalue())
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(handle)
        torch.save(state, tmp)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path | str, device: str = "cpu") -> FittedEmbedding:
        path = storage_path(path)
        source = io.BytesIO(path.read_bytes()) if is_remote(path) else path
        state = torch.load(source, map_location=device, weights_only=False)
        config = AutoencoderConfig(**{**state["config"], "device": device})
        standardizer = Standardizer.from_state(state["standardizer"])
        network = _network(standardizer, state["cardinalities"], config)
        network.load_state_dict(state["network"])
        network.eval()
        return cls(config, standardizer, state["cardinalities"], network, state["embedding_mean"],
                   state["embedding_std"], state["history"])  # fmt: skip


def fit_embedding(features: FeatureBlocks, config: AutoencoderConfig = AutoencoderConfig(), progress=None) -> FittedEmbedding:
    """Train on every object in ``features`` (the embedding describes the objects it is fitted on; its
    recoverability is measured on held-out objects by ``probes``)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    standardizer = Standardizer.fit(features)
    values, mask, presence = standardizer.transform(features)
    cardinalities = {k: int(v.max(initial=0)) + 1 for k, v in features.categorical.items()}
    network = _network(standardizer, cardinalities, config)
    optimizer = adamw(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    steps = config.epochs * max(1, -(-len(values) // config.batch_size))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.learning_rate, total_steps=max(steps, 1),
                                                   pct_start=0.1)  # fmt: skip
    fitted = FittedEmbedding(config, standardizer, cardinalities, network, np.zeros(1), np.ones(1), [])
    widths = list(standardizer.widths.values())
    column_weight = None
    if config.balance_blocks:
        column_weight = torch.as_tensor(np.repeat([1.0 / w for w in widths], widths), dtype=torch.float32,
                                        device=config.device)  # fmt: skip
    device = config.device
    view_dropout = np.array([config.view_identity_dropout if name in config.identity_blocks else config.view_dropout
                             for name in standardizer.blocks])  # fmt: skip
    for epoch in range(config.epochs):
        network.train()
        order, total = rng.permutation(len(values)), 0.0
        for start in range(0, len(order), config.batch_size):
            rows = order[start : start + config.batch_size]
            x, p, c = _corrupted(values, presence, features.categorical, rows, widths, rng, config.block_dropout)
            x, p, c = _tensors(fitted, x, p, c, slice(None))
            hidden, recon, logits = network(x, p, c)
            target = torch.as_tensor(values[rows], device=device)
            loss = reconstruction_loss(recon, target, torch.as_tensor(mask[rows], device=device), column_weight)
            targets = {k: torch.as_tensor(v[rows], device=device) for k, v in features.categorical.items()}
            loss = loss + config.categorical_weight * categorical_loss(logits, targets)
            if config.contrastive_weight > 0 and len(rows) > 1:
                view = _corrupted(values, presence, features.categorical, rows, widths, rng, view_dropout,
                                  config.view_noise)  # fmt: skip
                other = network.encode(*_tensors(fitted, *view, slice(None)))
                loss = loss + config.contrastive_weight * contrastive_loss(hidden, other, config.temperature)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(rows)
        fitted.history.append(total / max(len(values), 1))
        if progress:
            progress(epoch + 1, config.epochs, fitted.history[-1])
    network.eval()
    hidden = _hidden(fitted, features)
    fitted.embedding_mean = hidden.mean(axis=0)
    fitted.embedding_std = np.maximum(hidden.std(axis=0), 1e-6)
    return fitted


def _corrupted(values, presence, categorical, rows, widths, rng, dropout, noise: float = 0.0):
    """(values, presence, categoricals) of ``rows`` with whole blocks hidden at ``dropout`` (one rate, or one per
    block), categoricals at the highest of them, and Gaussian ``noise`` on the present values."""
    rates = np.broadcast_to(np.asarray(dropout, dtype=np.float64), (len(widths),))
    kept = presence[rows] * (rng.random((len(rows), len(widths))) >= rates)
    cats = {k: np.where(rng.random(len(rows)) >= rates.max(), v[rows], 0) for k, v in categorical.items()}
    shown = values[rows]
    if noise > 0:
        shown = shown + rng.normal(0.0, noise, shown.shape).astype(np.float32)
    return shown * np.repeat(kept, widths, axis=1), kept, cats


def _network(standardizer: Standardizer, cardinalities: dict[str, int], config: AutoencoderConfig):
    dense = sum(standardizer.widths.values())
    return ObjectAutoencoder(dense, len(standardizer.blocks), cardinalities, config).to(config.device)


def _tensors(fitted: FittedEmbedding, values, presence, categorical, rows):
    device = fitted.config.device
    cats = {}
    for name, ids in categorical.items():
        ids = np.asarray(ids[rows], dtype=np.int64)
        cats[name] = torch.as_tensor(np.where(ids < fitted.cardinalities[name], ids, 0), device=device)  # unseen = unknown
    return (torch.as_tensor(np.ascontiguousarray(values[rows]), device=device),
            torch.as_tensor(np.ascontiguousarray(presence[rows]), device=device), cats)  # fmt: skip


def _hidden(fitted: FittedEmbedding, features: FeatureBlocks) -> np.ndarray:
    values, _, presence = fitted.standardizer.transform(features)
    out = []
    with torch.no_grad():
        for start in range(0, len(values), _EMBED_BATCH):
            x, p, c = _tensors(fitted, values, presence, features.categorical, slice(start, start + _EMBED_BATCH))
            out.append(fitted.network.encode(x, p, c).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, fitted.config.bottleneck), np.float32)


def query_features(fitted: FittedEmbedding, known: dict[str, np.ndarray]) -> FeatureBlocks:
    """Features of queries that state only the ``known`` blocks (e.g. ``{"text": vectors}`` for a text
    search); every other block and categorical is absent."""
    n = len(next(iter(known.values())))
    unknown = set(known) - set(fitted.standardizer.widths)
    if unknown:
        raise ValueError(f"the embedding has no block(s) {sorted(unknown)}")
    dense = {name: np.asarray(known[name], np.float32) if name in known else np.zeros((n, width), np.float32)
             for name, width in fitted.standardizer.widths.items()}  # fmt: skip
    present = {name: np.full(n, name in known) for name in dense}
    categorical = {name: np.zeros(n, dtype=np.int64) for name in fitted.cardinalities}
    return FeatureBlocks([f"query-{i}" for i in range(n)], dense, present, categorical)
