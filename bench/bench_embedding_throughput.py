"""Embedding throughput: the pipeline encoders against the bare libraries, measured in one run on the same inputs.

Text: ``TextEncoder.encode`` vs ``SentenceTransformer.encode`` on the same loaded model. Images:
``ImageEncoder.encode_files`` vs the bare timm forward on pre-decoded tensors, and vs a bare decode + forward
loop. Inputs are synthetic titles and small generated JPEGs in a temporary directory. Prints items/s and the
pipeline-overhead ratios (pipeline time / bare time; 1.00 means no overhead). Best of ``--rounds`` interleaved runs.
Ends with ``RESULT text_per_s=... image_per_s=... text_overhead=... image_overhead_forward=...
image_overhead_decode_forward=...`` (pipeline items/s and the three ratios).

    python -m bench.bench_embedding_throughput --titles 512 --images 128
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from emma_pipeline.encoders import ImageEncoder, TextEncoder

TEXT_BARE = "text  SentenceTransformer.encode (bare)"
TEXT_PIPELINE = "text  TextEncoder.encode"
IMAGE_FORWARD = "image timm forward on pre-decoded tensors"
IMAGE_DECODE_FORWARD = "image bare PIL decode + forward"
IMAGE_PIPELINE = "image ImageEncoder.encode_files"

_BRANDS = ["AmazonBasics", "Solimo", "Starter", "Rivet", "Pinzon", "Stone & Beam", "Umi", "Wickedly Prime"]
_ADJECTIVES = ["stainless steel", "cotton", "heavy duty", "compact", "cordless", "non-stick", "wooden", "LED"]
_NOUNS = ["chef knife", "yoga mat bag", "light bulb", "frying pan", "drill driver", "bath towel", "desk lamp",
          "storage box", "water bottle", "phone case", "backpack", "coffee mug"]
_EXTRAS = ["pack of 2", "8 inch", "black", "for kitchen", "with charger", "BPA free", "large", "set of 6"]


def synthetic_titles(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        f"{rng.choice(_BRANDS)} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}, "
        f"{rng.choice(_EXTRAS)}, {rng.choice(_EXTRAS)}"
        for _ in range(n)
    ]


def synthetic_jpegs(n: int, folder: Path, seed: int, size: int = 320) -> list[str]:
    """Product-like photos: a few coloured shapes on white, JPEG quality 90."""
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        image = Image.new("RGB", (size, size + rng.randrange(-60, 61)), "white")
        draw = ImageDraw.Draw(image)
        for _ in range(3):
            box = sorted(rng.sample(range(size), 2))
            colour = tuple(rng.randrange(256) for _ in range(3))
            draw.ellipse((box[0], box[0] // 2, box[1], box[1]), fill=colour)
        path = folder / f"img_{i:05d}.jpg"
        image.save(path, quality=90)
        paths.append(str(path))
    return paths


def interleaved_best(variants: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Best wall time per variant, running the variants in turn each round (order flipped every other
    round) so that load from other processes on a shared machine hits all of them alike."""
    best = {name: float("inf") for name in variants}
    for round_index in range(rounds):
        order = list(variants) if round_index % 2 == 0 else list(reversed(variants))
        for name in order:
            start = time.perf_counter()
            variants[name]()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def bench_text(titles: list[str], batch_size: int, rounds: int) -> dict[str, float]:
    encoder = TextEncoder(batch_size=batch_size)
    model = encoder.model
    encoder.encode(titles[:batch_size])  # warm-up: first calls pay one-off allocation costs

    def bare() -> np.ndarray:
        return model.encode(titles, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)

    diff = float(np.abs(encoder.encode(titles) - bare()).max())
    print(f"text: {encoder.name}, dim {encoder.dim}, batch {batch_size}, max |pipeline - bare| = {diff:.2e}")
    return interleaved_best({TEXT_BARE: bare, TEXT_PIPELINE: lambda: encoder.encode(titles)}, rounds)


def bench_images(paths: list[str], batch_size: int, rounds: int) -> dict[str, float]:
    encoder = ImageEncoder(batch_size=batch_size)
    encoder.encode_files(paths[:batch_size])  # warm-up

    def decode_one(path: str) -> torch.Tensor:
        with Image.open(path) as image:
            return encoder.preprocess(image.convert("RGB"))

    def forward(tensors: list[torch.Tensor]) -> None:
        for start in range(0, len(tensors), batch_size):
            encoder.embed_tensors(torch.stack(tensors[start : start + batch_size]))

    decoded = [decode_one(p) for p in paths]
    print(f"images: {encoder.arch}, dim {encoder.dim}, input {tuple(decoded[0].shape)}, batch {batch_size}")
    variants = {
        IMAGE_FORWARD: lambda: forward(decoded),
        IMAGE_DECODE_FORWARD: lambda: forward([decode_one(p) for p in paths]),
        IMAGE_PIPELINE: lambda: encoder.encode_files(paths),
    }
    return interleaved_best(variants, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=512, help="number of synthetic titles")
    parser.add_argument("--images", type=int, default=128, help="number of generated JPEGs")
    parser.add_argument("--text-batch", type=int, default=64)
    parser.add_argument("--image-batch", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per variant; the best is reported")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    print(f"torch threads: {torch.get_num_threads()}")
    seconds = bench_text(synthetic_titles(args.titles, args.seed), args.text_batch, args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        paths = synthetic_jpegs(args.images, Path(folder), args.seed)
        seconds |= bench_images(paths, args.image_batch, args.rounds)

    print(f"\n{'variant':<45} {'items':>6} {'seconds':>8} {'items/s':>9}")
    for name, elapsed in seconds.items():
        n = args.titles if name.startswith("text") else args.images
        print(f"{name:<45} {n:>6} {elapsed:>8.2f} {n / elapsed:>9.1f}")
    print("\npipeline overhead (pipeline time / bare time; 1.00 = none):")
    print(f"  text : TextEncoder.encode / SentenceTransformer.encode  "
          f"{seconds[TEXT_PIPELINE] / seconds[TEXT_BARE]:.2f}")
    print(f"  image: encode_files / forward on decoded tensors       "
          f"{seconds[IMAGE_PIPELINE] / seconds[IMAGE_FORWARD]:.2f}")
    print(f"  image: encode_files / bare decode + forward            "
          f"{seconds[IMAGE_PIPELINE] / seconds[IMAGE_DECODE_FORWARD]:.2f}")
    print(f"RESULT titles={args.titles} images={args.images} "
          f"text_per_s={args.titles / seconds[TEXT_PIPELINE]:.1f} text_bare_per_s={args.titles / seconds[TEXT_BARE]:.1f} "
          f"image_per_s={args.images / seconds[IMAGE_PIPELINE]:.1f} "
          f"image_forward_per_s={args.images / seconds[IMAGE_FORWARD]:.1f} "
          f"text_overhead={seconds[TEXT_PIPELINE] / seconds[TEXT_BARE]:.2f} "
          f"image_overhead_forward={seconds[IMAGE_PIPELINE] / seconds[IMAGE_FORWARD]:.2f} "
          f"image_overhead_decode_forward={seconds[IMAGE_PIPELINE] / seconds[IMAGE_DECODE_FORWARD]:.2f}")


if __name__ == "__main__":
    main()
