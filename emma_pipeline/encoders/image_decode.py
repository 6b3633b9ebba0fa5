"""Decode one stored photo to an RGB image, or say in one reason why it cannot be used.

Reasons start with a code: ``empty_file``, ``not_an_image`` (bytes PIL does not recognise, e.g. an HTML error page
saved as ``.jpg``), ``truncated_image``, ``decompression_bomb`` (more pixels than ``max_pixels``: decoding would take
gigabytes; PIL's own warning is treated as this error too), ``degenerate_image`` (an aspect ratio no photo has,
which resizing would blow up) and ``decode_error`` (anything else PIL rejects).

Modes PIL can convert are converted, not failed: CMYK (Adobe-inverted JPEGs are handled by PIL's decoder), 16-bit and
32-bit grayscale (scaled to 8 bits by their range, where PIL's own conversion clips everything above 255 to white),
palette and grayscale with alpha (transparent areas on white, as product cut-outs are shot).
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 89_478_485  # PIL's default decompression-bomb limit (~ 0.25 GB as RGB); no product photo is larger
MAX_ASPECT = 100  # a 100:1 strip still resizes to a few megapixels; beyond it, a resize to 256 px would not
_WHITE = (255, 255, 255)
_ALPHA_MODES = ("RGBA", "LA", "La", "RGBa", "PA")


class ImageUnavailable(Exception):
    """Carries the reason one image cannot be embedded."""


def decode_rgb(data: bytes, label: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """``data`` (an encoded image named ``label`` in reasons) as an RGB image, or raise ``ImageUnavailable``."""
    if not data:
        raise ImageUnavailable(f"empty_file: {label}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                _check_size(image, label, max_pixels)
                image.load()
                return _to_rgb(image)
        except ImageUnavailable:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageUnavailable(f"decompression_bomb: {label}: {exc}") from None
        except UnidentifiedImageError:
            raise ImageUnavailable(f"not_an_image: {label}: not a format PIL can read") from None
        except Exception as exc:  # PIL signals corrupt data with many exception types
            code = "truncated_image" if "truncated" in str(exc) else "decode_error"
            raise ImageUnavailable(f"{code}: {label}: {type(exc).__name__}: {exc}") from None


def _check_size(image: Image.Image, label: str, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise ImageUnavailable(f"decompression_bomb: {label}: {width}x{height} pixels exceed the {max_pixels:,} limit")
    if min(width, height) < 1 or max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageUnavailable(f"degenerate_image: {label}: {width}x{height} pixels")


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB, with transparent areas on white and high-bit-depth grayscale scaled (not clipped) to 8 bits."""
    if image.mode.startswith(("I", "F")):
        return _scaled_gray(image).convert("RGB")
    if image.mode in _ALPHA_MODES or (image.mode in ("P", "L", "RGB") and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, _WHITE)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def _scaled_gray(image: Image.Image) -> Image.Image:
    """``I;16*`` by 65535; ``I`` and ``F`` (which keep no bit depth) by the smallest of 1, 255 and 65535 that holds
    their maximum, so an 8-bit-valued ``I`` image is unchanged and a 16-bit one is not stretched."""
    pixels = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(pixels.max()) if pixels.size else 0.0
    if image.mode.startswith("I;16"):
        top = 65535.0
    else:
        top = next((t for t in (1.0, 255.0, 65535.0) if peak <= t), peak)
    scaled = np.clip(pixels / top, 0.0, 1.0) * 255.0 + 0.5
    return Image.fromarray(scaled.astype(np.uint8), mode="L")
