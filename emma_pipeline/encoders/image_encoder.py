"""Pretrained image embeddings (EfficientNet-Lite pooled features) for listing photos.

One bad photo must not stop a batch of thousands: a missing, unreadable or corrupt image gets a zero row and a
reason string (decoding and its reasons: ``image_decode``), and a listing's vector is the sum over its readable
images (as in the paper's vision model).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm.auto import tqdm

from emma_pipeline.encoders.efficientnet_weights import load_efficientnet_lite
from emma_pipeline.encoders.image_decode import ImageUnavailable, decode_rgb
from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable

_REMOTE_PREFIXES = ("http://", "https://")


_ImageUnavailable = ImageUnavailable


def has_embedding(listing_reason: str | None) -> bool:
    """Whether an ``encode_listings`` row holds features (all or some images read) rather than zeros."""
    return listing_reason is None or listing_reason.startswith("partial_images")


class ImageEncoder:
    """Embeds image files into the backbone's pooled feature space; the model loads on first use."""

    def __init__(
        self, arch: str = "tf_efficientnet_lite0", batch_size: int = 16, weights_file: str | Path | None = None
    ) -> None:
        self.arch = arch
        self.batch_size = batch_size
        self.weights_file = weights_file
        self._model: torch.nn.Module | None = None
        self._transform = None

    @property
    def name(self) -> str:
        return self.arch

    @property
    def model(self) -> torch.nn.Module:
        """The timm model with its ImageNet classifier kept (``model.get_classifier()``) for sanity checks."""
        return self._loaded()[0]

    @property
    def dim(self) -> int:
        return int(self.model.num_features)

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """The model's own eval transform: resize, center crop, normalize (timm's resolved data config)."""
        return self._loaded()[1](image)

    def _loaded(self) -> tuple[torch.nn.Module, Callable[[Image.Image], torch.Tensor]]:
        if self._model is None:
            ensure_torchvision_importable()
            from timm.data import create_transform, resolve_data_config

            model = load_efficientnet_lite(self.arch, self.weights_file)

            self._transform = create_transform(**resolve_data_config({}, model=model))
            self._model = model.to(memory_format=torch.channels_last)
        return self._model, self._transform

    def embed_tensors(self, batch: torch.Tensor) -> np.ndarray:
        """Pooled features (n, dim) of preprocessed images, before the classifier."""
        with torch.inference_mode():
            features = self.model.forward_features(batch.contiguous(memory_format=torch.channels_last))
            pooled = self.model.forward_head(features, pre_logits=True)
        return pooled.float().numpy()

    def encode_files(self, paths: list[str], progress: bool = False) -> tuple[np.ndarray, list[str | None]]:
        """Features per path (float32, zero rows where unreadable) and a reason per path (None when embedded)."""
        features = np.zeros((len(paths), self.dim), dtype=np.float32)
        reasons: list[str | None] = [None] * len(paths)
        with tqdm(total=len(paths), unit="img", disable=not progress, desc=f"embedding images ({self.arch})") as bar:
            for start in range(0, len(paths), self.batch_size):
                rows, tensors = [], []
                for row in range(start, min(start + self.batch_size, len(paths))):
                    try:
                        image = _read_rgb(paths[row])
                    except _ImageUnavailable as unavailable:
                        reasons[row] = str(unavailable)
                        continue
                    try:
                        tensors.append(self.preprocess(image))
                    except Exception as exc:  # a decoded image the transform rejects is that image's failure only
                        reasons[row] = f"preprocess_error: {paths[row]}: {type(exc).__name__}: {exc}"
                        continue
                    rows.append(row)
                if tensors:
                    features[rows] = self.embed_tensors(torch.stack(tensors))
                bar.update(min(self.batch_size, len(paths) - start))
        return features, reasons

    def encode_listings(
        self, image_lists: list[list[str] | None], progress: bool = False
    ) -> tuple[np.ndarray, list[str | None]]:
        """Per listing, the sum of its images' features, from one batched pass over all images.

        Reasons: None when every image was embedded; ``partial_images: ...`` when some were (the vector sums
        those); ``no_images`` (empty or null list) or ``no_readable_image: ...`` with a zero vector otherwise
        (see ``has_embedding``).
        """
        image_lists = [images or [] for images in image_lists]
        flat = [path for images in image_lists for path in images]
        image_features, image_reasons = self.encode_files(flat, progress=progress)
        sums = np.zeros((len(image_lists), self.dim), dtype=np.float32)
        reasons: list[str | None] = []
        offset = 0
        for listing, images in enumerate(image_lists):
            span = range(offset, offset + len(images))
            offset += len(images)
            ok = [i for i in span if image_reasons[i] is None]
            failed = [image_reasons[i] for i in span if image_reasons[i] is not None]
            if ok:
                sums[listing] = image_features[ok].sum(axis=0)
            reasons.append(_listing_reason(len(images), len(ok), failed))
        return sums, reasons


def _listing_reason(n_images: int, n_ok: int, failed: list[str]) -> str | None:
    if n_images == 0:
        return "no_images"
    if n_ok == 0:
        return f"no_readable_image: {failed[0]}"
    if failed:
        return f"partial_images: {n_ok}/{n_images} embedded; {failed[0]}"
    return None


def _read_rgb(path: str) -> Image.Image:
    """Decode one image (local path or fsspec URL) to RGB, or raise _ImageUnavailable with the reason."""
    if not isinstance(path, str) or not path.strip():
        raise _ImageUnavailable(f"missing_file: empty image path {path!r}")
    if path.lower().startswith(_REMOTE_PREFIXES):
        raise _ImageUnavailable(f"remote_image_unavailable: {path}")
    import fsspec

    try:
        with fsspec.open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise _ImageUnavailable(f"missing_file: {path}") from None
    except Exception as exc:  # permissions, directories, unknown protocols, storage errors
        raise _ImageUnavailable(f"unreadable_file: {path}: {type(exc).__name__}: {exc}") from None
    return decode_rgb(data, path)
