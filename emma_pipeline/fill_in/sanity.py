"""The paper's synthetic-label sanity check as a page a person can look through: random objects whose category or
materials were filled in, each with its title, first image, and the filled values with their confidence."""

from __future__ import annotations

import base64
import html
import io

import polars as pl

from emma_pipeline.models.inputs import read_image


def _thumbnail(paths: list[str] | None, size: int = 128) -> str:
    for path in paths or []:
        image = read_image(path)
        if image is not None:
            image.thumbnail((size, size))
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=80)
            return f'<img src="data:image/jpeg;base64,{base64.b64encode(buffer.getvalue()).decode()}">'
    return "<i>no readable image</i>"


def sanity_sample(dataset: pl.DataFrame, n: int = 100, seed: int = 0) -> pl.DataFrame:
    """Up to ``n`` random objects with a synthetic category or synthetic materials."""
    filled = dataset.filter((pl.col("category_source") != "original") | (pl.col("materials_source") != "original"))
    return filled.sample(min(n, filled.height), seed=seed, shuffle=True) if filled.height else filled


def sanity_sample_html(dataset: pl.DataFrame, objects: pl.DataFrame, taxonomy: pl.DataFrame, tree: pl.DataFrame,
                       n: int = 100, seed: int = 0) -> str:  # fmt: skip
    sample = sanity_sample(dataset, n, seed).join(objects.select("asin", "title", "image_urls"), on="asin", how="left")
    material_name = dict(zip(taxonomy["id"].to_list(), taxonomy["name"].to_list()))
    category_name = dict(zip(tree["id"].to_list(), tree["name"].to_list()))
    rows = []
    for r in sample.iter_rows(named=True):
        category = " &gt; ".join(html.escape(str(category_name.get(i, i))) for i in r["category_path"] or [])
        materials = ", ".join(html.escape(material_name.get(i, str(i))) for i in r["materials"] or [])

        def cell(attr: str, text: str) -> str:
            if r[f"{attr}_source"] == "original":
                return f"<td class=original>{text}<br><small>original</small></td>"
            verdict = "passes" if r[f"{attr}_passes_threshold"] else "below threshold"
            return f"<td>{text}<br><small>{r[f'{attr}_source']}, confidence {r[f'{attr}_confidence']:.2f}, {verdict}</small></td>"

        rows.append(f"<tr><td>{_thumbnail(r['image_urls'])}</td><td>{html.escape(r['title'] or '')}<br><small>{r['asin']}</small></td>"
                    f"{cell('category', category)}{cell('materials', materials)}<td class=verdict></td></tr>")  # fmt: skip
    return ("<!doctype html><meta charset=utf-8><title>Synthetic label sanity sample</title><style>"
            "body{font-family:sans-serif}td{vertical-align:top;padding:4px;border-bottom:1px solid #ddd}"
            ".original{color:#888}img{max-width:128px}</style>"
            f"<h1>Synthetic label sanity sample</h1><p>{sample.height} random objects with a filled category or "
            "materials (seed " f"{seed}). Judge each: is the filled value a good description of the product?</p>"
            "<table><tr><th>image</th><th>title</th><th>category</th><th>materials</th><th>good?</th></tr>"
            + "".join(rows) + "</table>")  # fmt: skip
