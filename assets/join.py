"""The ASIN join (one object row per ASIN, hijacked ASINs removed) and the union of all quarantine tables."""


import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetIn,
    AssetOut,
    AutomationCondition,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from assets.metadata import counts_markdown, png_markdown, save_png
from emma_pipeline.join.asin_join import join_listings
from emma_pipeline.reports.coverage import coverage
from emma_pipeline.reports.figures import log_mass_histogram, price_histogram
from resources.folders import OutputFolders

JOIN_CHECK = "asins_accounted_for"


@multi_asset(
    outs={
        "joined_listings": AssetOut(
            group_name="join",
            kinds={"polars", "duckdb"},
            description="One row per ASIN across UCSD, image2mass and ASPA, with per-field provenance; price is the "
            "median across sources.",
            automation_condition=AutomationCondition.eager(),
        ),
        "join_removals": AssetOut(
            group_name="join",
            kinds={"duckdb"},
            description="ASINs discarded by the join (hijacked listings: sources describe different products).",
            automation_condition=AutomationCondition.eager(),
        ),
    },
    ins={name: AssetIn(name) for name in ("ucsd_listings", "image2mass_listings", "aspa_listings")},
    check_specs=[
        AssetCheckSpec(JOIN_CHECK, asset="joined_listings", description="distinct ASINs in = objects out + removed")
    ],
)
def asin_join(
    context, ucsd_listings: pl.DataFrame, image2mass_listings: pl.DataFrame, aspa_listings: pl.DataFrame,
    folders: OutputFolders,
):  # fmt: skip
    listings = pl.concat([ucsd_listings, image2mass_listings, aspa_listings], how="diagonal_relaxed")
    context.log.info(f"joining {listings.height:,} source records")
    result = join_listings(listings)
    objects = result.objects
    figures = folders.reports_dir
    price_png = price_histogram(objects["price_usd"].drop_nulls().to_numpy())
    mass_png = log_mass_histogram(objects["mass_kg"].drop_nulls().to_numpy())
    metadata = {
        "source_records": listings.height,
        "distinct_asins_in": result.asins_in,
        "objects": objects.height,
        "hijacked_removed": result.removals.height,
        **{f"coverage/{k}": MetadataValue.float(v) for k, v in coverage(objects).items()},
        "price_histogram": png_markdown(price_png, "price histogram"),
        "log_mass_histogram": png_markdown(mass_png, "log-mass histogram"),
        "price_histogram_file": save_png(price_png, figures, "price_histogram.png"),
        "log_mass_histogram_file": save_png(mass_png, figures, "log_mass_histogram.png"),
    }
    yield Output(objects, output_name="joined_listings", metadata=metadata)
    yield Output(result.removals, output_name="join_removals", metadata={"reasons": counts_markdown(result.removals, "reason")})
    yield AssetCheckResult(
        asset_key="joined_listings",
        check_name=JOIN_CHECK,
        passed=result.asins_in == objects.height + result.removals.height,
        metadata={"asins_in": result.asins_in, "objects": objects.height, "removed": result.removals.height},
    )


@asset(
    group_name="quarantine",
    kinds={"duckdb"},
    automation_condition=AutomationCondition.eager(),
    ins={name: AssetIn(name) for name in ("ucsd_quarantine", "image2mass_quarantine", "aspa_quarantine")},
)
def quarantine(ucsd_quarantine: pl.DataFrame, image2mass_quarantine: pl.DataFrame, aspa_quarantine: pl.DataFrame):
    """Every input record of every source and batch that could not be parsed, with its reason."""
    rows = pl.concat([ucsd_quarantine, image2mass_quarantine, aspa_quarantine], how="diagonal_relaxed")
    codes = rows.with_columns(pl.col("reason").str.split(":").list.first().alias("reason_code"))
    return Output(rows, metadata={"by_reason": counts_markdown(codes, "reason_code"), "by_source": counts_markdown(rows, "source")})
