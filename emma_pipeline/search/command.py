"""`emma search`: the objects most like an ASIN or a free-text description, with optional filters."""

from __future__ import annotations

import click

from emma_pipeline.settings import load_settings


@click.command("search")
@click.argument("query")
@click.option("--k", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--category", default=None, help="A category name or root-first path ('Home > Kitchen').")
@click.option("--material", default=None, help="A material taxonomy node; its sub-materials match too.")
@click.option("--min-price", type=float, default=None)
@click.option("--max-price", type=float, default=None)
def search_command(query: str, k: int, category: str | None, material: str | None, min_price, max_price) -> None:
    """Objects nearest to QUERY (an indexed ASIN, else free text) in the object embedding."""
    import polars as pl

    from emma_pipeline.search.product_search import ProductSearch, SearchFilter
    from emma_pipeline.warehouse.lake import Lake

    settings = load_settings()
    try:
        search = ProductSearch.load(settings.index_dir / "search")
    except FileNotFoundError as exc:
        raise click.ClickException(f"{exc}: run `emma build` first") from exc
    lake = Lake(settings.lake_config())
    where = SearchFilter(_category_id(lake, category), _material_ids(material), min_price, max_price)
    asin = query.strip().upper()
    if search.index.contains(asin):
        vector, exclude = search.vectors_of([asin])[0], (asin,)
        click.echo(f"objects like {asin}:")
    else:
        vector, exclude = _text_vector(settings, search.model_version, query), ()
        click.echo(f"objects matching the text {query!r}:")
    hits = search.search(vector, k, where, exclude=exclude)
    if not hits:
        raise click.ClickException("no object passes the filters")
    found = pl.DataFrame({"rank": range(1, len(hits) + 1), "asin": [a for a, _ in hits],
                          "similarity": [round(s, 3) for _, s in hits]})  # fmt: skip
    details = lake.query("SELECT asin, title, price_usd FROM objects")
    with pl.Config(tbl_rows=k, fmt_str_lengths=70, tbl_hide_dataframe_shape=True):
        click.echo(found.join(details, on="asin", how="left", maintain_order="left"))


def _text_vector(settings, model_version: str, text: str):
    from emma_pipeline.encoders.text_encoder import TextEncoder
    from emma_pipeline.object_embedding.store import model_path
    from emma_pipeline.object_embedding.train import FittedEmbedding, query_features

    fitted = FittedEmbedding.load(model_path(settings.object_models_dir, model_version))
    encoded = TextEncoder(settings.text_model).encode([text])
    return fitted.embed(query_features(fitted, {"text": encoded}))[0]


def _category_id(lake, category: str | None) -> int | None:
    if category is None:
        return None
    tree = lake.read("category_tree")
    wanted = [part.strip().lower() for part in category.split(">")]
    matches = [i for i, path in zip(tree["id"], tree["path"]) if [p.lower() for p in path[-len(wanted):]] == wanted]
    if not matches:
        raise click.BadParameter(f"no category named {category!r}", param_hint="--category")
    if len(matches) > 1:
        raise click.BadParameter(f"{category!r} names {len(matches)} categories: give more of its path",
                                 param_hint="--category")  # fmt: skip
    return int(matches[0])


def _material_ids(material: str | None) -> tuple[int, ...]:
    if material is None:
        return ()
    from emma_pipeline.materials import load_taxonomy

    taxonomy = load_taxonomy()
    try:
        node = taxonomy.id_of(material.strip().lower())
    except KeyError:
        raise click.BadParameter(f"{material!r} is not a node of the material taxonomy", param_hint="--material") from None
    return (node, *taxonomy.descendants(node))
