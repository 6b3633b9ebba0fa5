"""Synthetic product photos: the archetype's silhouette filled with the main material's texture, on a white or
light background, with per-view rotation, scale and placement (view 0 is the clean "main" image).

Electronic items get LED dots or a cable, sharp items a bright pointed edge, articulating items a hinge (a pivot
with two arms), transparent items are drawn see-through (pale, with a dark rim and specular streaks) whatever their
material. Rendering is a pure function of (product, view, seed): the same inputs give identical JPEG bytes.
Duplicate listings mostly show an edited copy of their twin's photo (``edit_picture``), as re-uploads do.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import shapes
from .product import Product
from .textures import texture

IMAGE_SIZE = 128
JPEG_QUALITY = 85
_DETAIL_RGB = np.array([45, 45, 50], np.float32)
_LEDS = ((40, 220, 90), (230, 40, 40), (60, 120, 255))


def _object(p: Product, rng: np.random.Generator, size: int) -> Image.Image:
    """The object as an RGBA image (before view transforms)."""
    body, detail = Image.new("L", (size, size)), Image.new("L", (size, size))
    shapes.draw(p.archetype.shape, ImageDraw.Draw(body), ImageDraw.Draw(detail), size)
    kind, fixed = p.look
    rgb = texture(kind, fixed or p.colour_rgb, size, rng)
    b = np.asarray(body, np.float32) / 255
    d = np.asarray(detail, np.float32) / 255
    edges = body.filter(ImageFilter.FIND_EDGES)
    edge = np.asarray(edges, np.float32) / 255
    shade = 1.05 - 0.2 * np.linspace(0, 1, size, dtype=np.float32)[None, :]  # light from the left
    colour = rgb * (shade * (1 - 0.35 * edge))[..., None]
    colour = colour * (1 - d[..., None]) + _DETAIL_RGB * d[..., None]
    see_through = p.prop("transparent")  # clear plastic, acrylic and glass alike; frosted or tinted glass is opaque
    alpha = np.maximum(b * (0.4 if see_through else 1.0), d)
    if see_through:  # what a clear item looks like on a white sweep: pale body, dark rim, specular streaks
        rim = np.asarray(edges.filter(ImageFilter.MaxFilter(3)), np.float32) / 255
        colour = colour * (1 - rim[..., None]) + np.array([90, 110, 130], np.float32) * rim[..., None]
        u = (np.arange(size, dtype=np.float32)[None, :] + np.arange(size, dtype=np.float32)[:, None]) / (2 * size)
        start = rng.uniform(0.3, 0.45)
        streak = b * ((np.abs(u - start) < 0.02) | (np.abs(u - start - 0.07) < 0.01))
        colour = colour * (1 - streak[..., None]) + 255 * streak[..., None]
        alpha = np.maximum(np.maximum(alpha, rim), 0.9 * streak)
    rgba = np.dstack([np.clip(colour, 0, 255), alpha * 255]).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def _mark_properties(img: Image.Image, p: Product, rng: np.random.Generator) -> None:
    """Visual hints of the binary properties, drawn after compositing."""
    draw = ImageDraw.Draw(img)
    s = img.width
    cx, cy = s * rng.uniform(0.4, 0.6), s * rng.uniform(0.4, 0.6)
    if p.prop("electronic"):
        if rng.random() < 0.5:
            for i in range(3):
                x = cx - 0.08 * s + i * 0.08 * s
                draw.ellipse([x, cy, x + 0.04 * s, cy + 0.04 * s], fill=_LEDS[i % 3])
        else:
            pts = [(cx, cy), (s * 0.85, s * 0.8), (s * 0.95, s * 0.95)]
            draw.line(pts, fill=(30, 30, 30), width=max(2, s // 50))
    if p.prop("sharp"):
        tip = (s * rng.uniform(0.05, 0.2), s * rng.uniform(0.4, 0.6))
        draw.polygon([tip, (s * 0.35, tip[1] - 0.04 * s), (s * 0.35, tip[1] + 0.01 * s)], fill=(235, 238, 242))
    if p.prop("articulating"):
        hx, hy, r = s * rng.uniform(0.3, 0.7), s * rng.uniform(0.25, 0.45), s * 0.035
        bend = rng.uniform(0.5, 1.2)
        for side in (-1, 1):
            end = (hx + side * 0.16 * s * np.cos(bend / 2), hy + 0.16 * s * np.sin(bend / 2))
            draw.line([(hx, hy), end], fill=(70, 70, 78), width=max(2, s // 40))
        draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=(150, 150, 160), outline=(40, 40, 45))


def _background(rng: np.random.Generator, view: int, size: int) -> Image.Image:
    if view == 0 or rng.random() < 0.4:
        return Image.new("RGB", (size, size), (255, 255, 255))
    tone = rng.integers(222, 250, 3)
    fade = np.linspace(0, 18, size, dtype=np.float32)[:, None, None]
    return Image.fromarray(np.clip(np.broadcast_to(tone, (size, size, 3)) - fade, 0, 255).astype(np.uint8), "RGB")


def render_view(p: Product, view: int, seed: int, size: int = IMAGE_SIZE) -> bytes:
    """JPEG bytes of view ``view`` of product ``p``."""
    rng = np.random.default_rng([seed, view])
    obj = _object(p, rng, size)
    angle = rng.uniform(-6, 6) if view == 0 else rng.uniform(-35, 35)
    scale = rng.uniform(0.8, 0.95) if view == 0 else rng.uniform(0.55, 1.2)
    side = max(8, int(size * scale))
    obj = obj.rotate(angle, resample=Image.BILINEAR).resize((side, side), Image.BILINEAR)
    img = _background(rng, view, size)
    shift = 0 if view == 0 else int(size * 0.12)
    dx, dy = (int(v) for v in rng.integers(-shift, shift + 1, 2)) if shift else (0, 0)
    img.paste(obj.convert("RGB"), ((size - side) // 2 + dx, (size - side) // 2 + dy), obj.getchannel("A"))
    _mark_properties(img, p, rng)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


EDITS = ("requality", "resize", "crop", "watermark")  # how a copied photo is changed (see ``edit_picture``)
_MARKS = ("SAMPLE", "© shop", "BEST SELLER", "www.shop.example", "NEW")


def edit_picture(data: bytes, edit: str, seed: int) -> bytes:
    """A copy of the JPEG ``data`` as another seller re-uploads it: re-encoded at another quality, resized,
    cropped, or watermarked with a semi-transparent text (each then saved at a random quality)."""
    rng = np.random.default_rng(seed)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    quality = int(rng.integers(60, 96))
    if edit == "requality":
        quality = int(rng.choice((35, 50, 65, 95)))
    elif edit == "resize":
        side = int(rng.choice((80, 100, 160, 200)))
        img = img.resize((side, side), Image.BICUBIC)
    elif edit == "crop":
        w, h = img.size
        left, top = (int(v) for v in rng.integers(0, w // 8, 2))
        right, bottom = (int(v) for v in rng.integers(w - w // 8, w + 1, 2))
        img = img.crop((left, top, right, bottom))
    elif edit == "watermark":
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        x, y = int(rng.integers(2, img.width // 3)), int(rng.integers(img.height // 2, img.height - 14))
        draw.text((x, y), str(rng.choice(_MARKS)), fill=(90, 90, 90, int(rng.integers(90, 170))))
        img = Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")
    else:
        raise ValueError(f"unknown picture edit {edit!r}; expected one of {EDITS}")
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()
