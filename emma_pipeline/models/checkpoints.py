"""The weights a trained artifact predicts with: the checkpoint ``training.fit`` loaded back at the end (the best
``val/loss`` epoch, else the last), read from the artifact folder (downloaded once when the artifact is remote)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import fsspec
import torch

from emma_pipeline.models import artifacts
from emma_pipeline.warehouse.storage import is_remote

RESOLVED = "config.json"
LAST_CHECKPOINT = "last.ckpt"  # what training resumes from (``training.fit``)


def resolved_config(uri: str) -> dict:
    """The artifact's ``config.json``: the training config plus model name, upstream artifacts and lineage."""
    fs, path = fsspec.core.url_to_fs(uri)
    return json.loads(fs.cat(f"{path}/{RESOLVED}"))


def local_folder(uri: str, cache_dir: Path) -> Path:
    """The artifact as a local folder: the folder itself, or a complete copy of a remote one (downloaded beside
    it and moved into place whole, so an interrupted download is never taken for the artifact)."""
    local = artifacts.work_dir(uri, cache_dir)
    if not is_remote(uri) or (local / artifacts.COMPLETE).exists():
        return local
    fs, path = fsspec.core.url_to_fs(uri)
    partial = local.with_name(local.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    fs.get(f"{path}/", str(partial) + "/", recursive=True)
    if not (partial / artifacts.COMPLETE).exists():
        raise FileNotFoundError(f"model artifact {uri} is incomplete: no {artifacts.COMPLETE} marker")
    shutil.rmtree(local, ignore_errors=True)  # an unfinished work folder of a training here
    partial.rename(local)
    return local


def inference_checkpoint(folder: Path) -> Path:
    """The best checkpoint of one network's training folder (``<folder>/checkpoints``), else its last."""
    checkpoints = Path(folder) / "checkpoints"
    best = sorted(p for p in checkpoints.glob("*.ckpt") if p.name != LAST_CHECKPOINT)
    if len(best) > 1:
        raise ValueError(f"{checkpoints} holds {len(best)} best checkpoints ({', '.join(p.name for p in best)}): which one predicted is unknown")
    found = best[0] if best else checkpoints / LAST_CHECKPOINT
    if not found.exists():
        raise FileNotFoundError(f"no checkpoint in {checkpoints}")
    return found


def load_weights(net: torch.nn.Module, checkpoint: Path) -> torch.nn.Module:
    """Load the network's weights out of a ``MultiTaskModule`` checkpoint (keys ``net.*``), strictly."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)["state_dict"]
    net.load_state_dict({k[len("net.") :]: v for k, v in state.items() if k.startswith("net.")}, strict=True)
    return net.eval()
