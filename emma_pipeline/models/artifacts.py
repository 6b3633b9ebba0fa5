"""A trained model as a versioned artifact beside the lake: ``<root>/<name>/<version>/`` holding the checkpoint,
the resolved config, metrics, the lake snapshots of the tables it trained on, and its outputs for every object.
The version is a hash of config + input snapshots, so an unchanged rebuild reuses the artifact, and an
interrupted one resumes from the checkpoint left in the same folder. ``root`` may be ``s3://``: training then
runs in a local work folder and the finished folder is uploaded."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

import fsspec
import numpy as np

from emma_pipeline.models.predictions import Predictions
from emma_pipeline.models.trained import TrainedModel
from emma_pipeline.warehouse.storage import is_remote

COMPLETE = "COMPLETE"
OUTPUTS = "outputs.npz"


def artifact_uri(root: str, name: str, version: str) -> str:
    return f"{root.rstrip('/')}/{name}/{version}"


def work_dir(uri: str, cache_dir: Path) -> Path:
    """Where training writes (the artifact folder itself when local)."""
    if is_remote(uri):
        return cache_dir / "models" / uri.split("://", 1)[1]
    return Path(uri)


def _predictions_arrays(prefix: str, p: Predictions) -> dict[str, np.ndarray]:
    out = {}
    for f in fields(p):
        value = getattr(p, f.name)
        if value is not None:
            out[f"{prefix}{f.name}"] = np.asarray(value)
    return out


def _predictions_from(arrays: dict[str, np.ndarray], prefix: str) -> Predictions:
    values = {f.name: arrays.get(f"{prefix}{f.name}") for f in fields(Predictions)}
    for f in fields(Predictions):  # scalars are stored as 0-d arrays; an older artifact lacks the newer ones
        if isinstance(f.default, float):
            values[f.name] = float(values[f.name]) if values[f.name] is not None else f.default
    return Predictions(**values)


def save(model: TrainedModel, asins: list[str], uri: str, local: Path, config: dict, snapshots: dict) -> None:
    """Write the artifact files into ``local`` (then upload to ``uri`` if remote) and mark it complete last."""
    local.mkdir(parents=True, exist_ok=True)
    arrays = {"asins": np.asarray(asins), **_predictions_arrays("p.", model.predictions)}
    if model.embedding is not None:
        arrays["embedding"] = model.embedding.astype(np.float32)
    for variant, p in model.variants.items():
        arrays.update(_predictions_arrays(f"v.{variant}.", p))
    arrays.update({f"s.{key}": np.asarray(value) for key, value in model.state.items()})
    info = {k: v for k, v in model.info.items() if not isinstance(v, np.ndarray)}
    np.savez_compressed(local / OUTPUTS, **arrays)
    meta = {"name": model.name, "modality": model.modality, "merger": model.merger, "info": info}
    (local / "model.json").write_text(json.dumps(meta, indent=2, default=str))
    (local / "config.json").write_text(json.dumps(config, indent=2, default=str))
    (local / "snapshots.json").write_text(json.dumps(snapshots, indent=2))
    (local / "metrics.json").write_text(json.dumps({"model": model.metrics, "baseline": model.baseline}, indent=2))
    if is_remote(uri):
        fs, path = fsspec.core.url_to_fs(uri)
        fs.put(str(local) + "/", path, recursive=True)
        fs.pipe(f"{path}/{COMPLETE}", b"")
        (local / COMPLETE).touch()  # the local copy is the artifact too (``checkpoints.local_folder``)
    else:
        (local / COMPLETE).touch()


def exists(uri: str) -> bool:
    fs, path = fsspec.core.url_to_fs(uri)
    return fs.exists(f"{path}/{COMPLETE}")


def load(uri: str) -> tuple[TrainedModel, list[str]]:
    """The model's outputs and metrics as written by ``save`` (no network weights needed)."""
    fs, path = fsspec.core.url_to_fs(uri)
    if not fs.exists(f"{path}/{COMPLETE}"):
        raise FileNotFoundError(f"model artifact {uri} is incomplete or missing: re-materialize the model asset")
    with fs.open(f"{path}/{OUTPUTS}", "rb") as handle:
        arrays = dict(np.load(handle, allow_pickle=False))
    meta = json.loads(fs.cat(f"{path}/model.json"))
    metrics = json.loads(fs.cat(f"{path}/metrics.json"))
    variants = {key.split(".")[1] for key in arrays if key.startswith("v.")}
    model = TrainedModel(
        meta["name"], meta["modality"], meta["merger"], _predictions_from(arrays, "p."), arrays.get("embedding"),
        metrics["model"], metrics["baseline"], meta["info"], {v: _predictions_from(arrays, f"v.{v}.") for v in variants},
        {key[2:]: value for key, value in arrays.items() if key.startswith("s.")},
    )  # fmt: skip
    return model, [str(a) for a in arrays["asins"]]


def discard_work(local: Path) -> None:
    shutil.rmtree(local, ignore_errors=True)
