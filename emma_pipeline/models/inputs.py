"""Model inputs from the objects table: token ids for the text model, decoded images (or cached frozen-trunk
features) for the vision model. An unreadable image is masked out and counted, never a silent zero image."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import torch
from tqdm.auto import tqdm

from emma_pipeline.models.text_net import TextNet
from emma_pipeline.models.vision_net import VisionNet, preprocess


def tokenize(texts: list[str | None], tokenizer, max_len: int) -> dict[str, np.ndarray]:
    encoded = tokenizer([t or "" for t in texts], max_length=max_len, truncation=True, padding="max_length",
                        return_tensors="np")  # fmt: skip
    return {"input_ids": encoded["input_ids"].astype(np.int64), "attention_mask": encoded["attention_mask"].astype(np.int64)}


def cached_text_trunk(net: TextNet, tokens: dict[str, np.ndarray], batch_size: int = 64) -> dict[str, np.ndarray]:
    """The frozen text trunk's outputs for every row once: ``hidden`` ((n, L, H) float16) and ``attention_mask``,
    with L cut to the longest text (padding every row to ``max_seq_len`` would only add masked work)."""
    ids, mask = tokens["input_ids"], tokens["attention_mask"]
    length = max(int(mask.sum(axis=1).max(initial=1)), 1)
    ids, mask = ids[:, :length], mask[:, :length]
    was_training = net.training
    net.eval()
    hidden = np.zeros((len(ids), length, net.dim), dtype=np.float16)
    for start in range(0, len(ids), batch_size):
        stop = start + batch_size
        out = net.trunk_features(torch.as_tensor(ids[start:stop]), torch.as_tensor(mask[start:stop]))
        hidden[start:stop] = out.numpy().astype(np.float16)
    net.train(was_training)
    return {"hidden": hidden, "attention_mask": mask}


def read_image(path: str):
    """PIL RGB image, or None when the path is missing, remote-only or not decodable."""
    import fsspec
    from PIL import Image

    if not isinstance(path, str) or not path or path.lower().startswith(("http://", "https://")):
        return None
    try:
        with fsspec.open(path, "rb") as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.convert("RGB")
    except Exception:  # missing file, permissions, corrupt data: all mean "no image here"
        return None


def listing_pixels(paths: list[str] | None, size: int, max_images: int) -> tuple[np.ndarray, np.ndarray]:
    """(max_images, 3, size, size) pixels of a listing's first readable images and their (max_images,) mask."""
    pixels = np.zeros((max_images, 3, size, size), dtype=np.float32)
    mask = np.zeros(max_images, dtype=np.float32)
    slot = 0
    for path in paths or []:
        if slot == max_images:
            break
        image = read_image(path)
        if image is not None:
            pixels[slot], mask[slot] = preprocess(image, size), 1.0
            slot += 1
    return pixels, mask


def cached_trunk_features(net: VisionNet, image_lists: list[list[str] | None], size: int, max_images: int,
                          batch_size: int = 16, progress: bool = False) -> tuple[np.ndarray, np.ndarray, Counter]:
    """The frozen trunk's outputs for every listing once: ((n, I, C, h, w) float16, (n, I) mask, counts)."""
    net.eval()
    shape = net.trunk_features(torch.zeros(1, 3, size, size)).shape[1:]
    features = np.zeros((len(image_lists), max_images, *shape), dtype=np.float16)
    masks = np.zeros((len(image_lists), max_images), dtype=np.float32)
    counts: Counter = Counter()
    for start in tqdm(range(0, len(image_lists), batch_size), disable=not progress, desc="vision trunk features"):
        rows = range(start, min(start + batch_size, len(image_lists)))
        loaded = [listing_pixels(image_lists[r], size, max_images) for r in rows]
        pixels = torch.as_tensor(np.stack([p for p, _ in loaded]))
        mask = np.stack([m for _, m in loaded])
        valid = torch.as_tensor(mask > 0)
        if valid.any():
            out = net.trunk_features(pixels[valid]).numpy().astype(np.float16)
            block = np.zeros((len(rows), max_images, *shape), dtype=np.float16)
            block[valid.numpy()] = out
            features[start : start + len(rows)] = block
        masks[start : start + len(rows)] = mask
        counts["listings_without_readable_image"] += int((mask.sum(axis=1) == 0).sum())
    return features, masks, counts
