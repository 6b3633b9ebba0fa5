"""image2mass raw listing rows: ``asin,title,weight,dimensions,image_url``.

The image2mass crawl kept what mass estimation needs: a (often truncated) title, the shipping-page weight as
the seller wrote it, dimensions and exactly one image. No description, category, price or ratings.
"""

from __future__ import annotations

import csv
import io
import random

from . import formats
from .listing import Listing

HEADER = ("asin", "title", "weight", "dimensions", "image_url")


def row(lst: Listing, refs: list[str], rng: random.Random) -> list[str]:
    p, t = lst.described("image2mass")
    f = lst.fields["image2mass"]
    weight = formats.weight_text(p.mass_kg, rng) if "mass" in f and p.mass_kg else ""
    dims = formats.dims_text(p.dims_cm, rng) if "dims" in f and p.dims_cm else ""
    return [lst.asin, t.i2m_title, weight, dims, refs[0] if refs else ""]


def csv_line(values: list[str] | tuple[str, ...]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue().encode("utf-8")
