"""Bad and unusual photos: every one ends as an RGB image or a reason, never an exception or a wrong picture."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from emma_pipeline.encoders.image_decode import ImageUnavailable, decode_rgb


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels over a few bytes of data: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _reason(data: bytes, **kwargs) -> str:
    with pytest.raises(ImageUnavailable) as caught:
        decode_rgb(data, "photo.jpg", **kwargs)
    return str(caught.value)


def test_zero_byte_file():
    assert _reason(b"") == "empty_file: photo.jpg"


def test_non_image_named_jpg():
    assert _reason(b"<html><body>404 Not Found</body></html>").startswith("not_an_image: photo.jpg")


def test_truncated_jpeg():
    photo = _encoded(Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)), "JPEG")
    assert _reason(photo[: len(photo) // 2]).startswith("truncated_image: photo.jpg")


def test_decompression_bomb_is_an_error_not_a_multi_gigabyte_decode():
    assert _reason(_png_claiming(30_000, 30_000)).startswith("decompression_bomb: photo.jpg")  # PIL's error range
    assert _reason(_png_claiming(10_000, 10_000)).startswith("decompression_bomb: photo.jpg")  # PIL only warns here


def test_decompression_bomb_limit_is_a_parameter():
    photo = _encoded(Image.new("RGB", (40, 30), (10, 20, 30)), "PNG")
    assert decode_rgb(photo, "photo.png", max_pixels=1200).size == (40, 30)
    assert _reason(photo, max_pixels=1199) == "decompression_bomb: photo.jpg: 40x30 pixels exceed the 1,199 limit"


def test_degenerate_aspect_ratio():
    assert _reason(_encoded(Image.new("L", (5000, 2)), "PNG")).startswith("degenerate_image: photo.jpg: 5000x2")


def test_cmyk_jpeg_is_converted_with_its_colours():
    photo = _encoded(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)  # pure red in CMYK
    rgb = np.asarray(decode_rgb(photo, "cmyk.jpg"), dtype=int)
    assert rgb.shape == (32, 32, 3)
    assert rgb[..., 0].mean() > 230 and rgb[..., 1].mean() < 30 and rgb[..., 2].mean() < 30


def test_16_bit_grayscale_is_scaled_not_clipped_to_white():
    levels = np.array([[0, 16384, 32768, 65535]], dtype=np.uint16).repeat(4, axis=0)
    photo = _encoded(Image.fromarray(levels), "PNG")
    assert Image.open(io.BytesIO(photo)).mode.startswith("I")
    rgb = np.asarray(decode_rgb(photo, "gray16.png"), dtype=int)
    np.testing.assert_allclose(rgb[0, :, 0], [0, 64, 128, 255], atol=1)
    assert (rgb[..., 0] == rgb[..., 2]).all()


def test_palette_with_alpha_is_flattened_on_white():
    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([200, 30, 30, 0, 0, 0] + [0] * 762)
    palette.paste(1, (0, 0, 4, 8))  # left half: index 1 (black), made transparent below
    photo = _encoded(palette, "PNG", transparency=1)
    rgb = np.asarray(decode_rgb(photo, "palette.png"), dtype=int)
    assert (rgb[:, :4] == 255).all()  # transparent -> white, not black
    assert (rgb[:, 4:] == [200, 30, 30]).all()


def test_grayscale_with_alpha_and_8_bit_modes_unchanged():
    la = Image.new("LA", (4, 4), (90, 0))
    assert (np.asarray(decode_rgb(_encoded(la, "PNG"), "la.png")) == 255).all()
    gray = Image.new("L", (4, 4), 77)
    assert (np.asarray(decode_rgb(_encoded(gray, "PNG"), "l.png")) == 77).all()
