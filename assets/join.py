"""The ASIN join (one object row per ASIN, hijacked ASINs removed) and the union of all quarantine tables.

The join is incremental: only the ASINs whose source records changed since the last join (``join_state``) are
joined again, and their rows replace the old ones by ASIN; the other ASINs keep their rows untouched.
"""


import polars as pl
from dagster import AssetCheckExecutionContext, AssetIn, AssetOut, MetadataValue, Output, asset, asset_check, multi_asset

from assets.check_results import check_result, committed, committed_asins
from assets.metadata import counts_markdown, png_markdown, save_png
from emma_pipeline.checks import accounted_for, rows_carried_over
from emma_pipeline.join.asin_join import join_listings
from emma_pipeline.join.incremental import source_hashes, touched_asins
from emma_pipeline.reports.coverage import coverage
from emma_pipeline.reports.figures import log_mass_histogram, price_histogram
from emma_pipeline.warehouse.keyed_update import KeyedUpdate
from resources.folders import OutputFolders
from resources.lake import LakeResource

JOIN_CHECK = "asins_accounted_for"
QUARANTINE_CHECK = "rows_accounted_for"
LISTINGS = ("ucsd_listings", "image2mass_listings", "aspa_listings")
QUARANTINES = ("ucsd_quarantine", "image2mass_quarantine", "aspa_quarantine")


@multi_asset(
    outs={
        "joined_listings": AssetOut(
            group_name="join",
            kinds={"polars", "duckdb"},
            description="One row per ASIN across UCSD, image2mass and ASPA, with per-field provenance; price is the "
            "median across sources.",
        ),
        "join_removals": AssetOut(
            group_name="join",
            kinds={"duckdb"},
            description="ASINs discarded by the join (hijacked listings: sources describe different products).",
        ),
        "join_state": AssetOut(
            group_name="join",
            kinds={"duckdb"},
            description="Per ASIN, the hash of all its source records the join last saw: unchanged ASINs are not "
            "joined again.",
        ),
    },
    ins={name: AssetIn(name) for name in LISTINGS},
)
def asin_join(
    context, ucsd_listings: pl.DataFrame, image2mass_listings: pl.DataFrame, aspa_listings: pl.DataFrame,
    folders: OutputFolders, lake: LakeResource,
):  # fmt: skip
    listings = pl.concat([ucsd_listings, image2mass_listings, aspa_listings], how="diagonal_relaxed")
    hashes = source_hashes(listings)
    previous = {name: lake.latest(name) for name in ("join_state", "joined_listings", "join_removals")}
    if previous["joined_listings"] is None or previous["join_removals"] is None:
        previous["join_state"] = None  # a lost output table: join everything again
    todo, gone = touched_asins(hashes, previous["join_state"])
    touched = listings.filter(pl.col("asin").is_in(todo))
    context.log.info(f"joining {touched.height:,} source records of {len(todo):,} new or changed ASINs "
                     f"({len(gone):,} ASINs gone, {hashes.height - len(todo):,} unchanged)")  # fmt: skip
    result = join_listings(touched)
    rejoined = [*todo, *gone]  # every row of these ASINs is replaced by what this join made of them (or dropped)
    updates = {
        "joined_listings": KeyedUpdate(result.objects, _not_in(rejoined, result.objects)),
        "join_removals": KeyedUpdate(result.removals, _not_in(rejoined, result.removals)),
        "join_state": KeyedUpdate(hashes.filter(pl.col("asin").is_in(todo)), gone),
    }
    objects = updates["joined_listings"].apply_to(previous["joined_listings"])
    removals = updates["join_removals"].apply_to(previous["join_removals"])
    figures = folders.reports_dir
    price_png = price_histogram(objects["price_usd"].drop_nulls().to_numpy())
    mass_png = log_mass_histogram(objects["mass_kg"].drop_nulls().to_numpy())
    metadata = {
        "source_records": listings.height,
        "distinct_asins_in": hashes.height,
        "asins_joined": len(todo),
        "asins_gone": len(gone),
        "objects": objects.height,
        "hijacked_removed": removals.height,
        **{f"coverage/{k}": MetadataValue.float(v) for k, v in coverage(objects).items()},
        "price_histogram": png_markdown(price_png, "price histogram"),
        "log_mass_histogram": png_markdown(mass_png, "log-mass histogram"),
        "price_histogram_file": save_png(price_png, figures, "price_histogram.png"),
        "log_mass_histogram_file": save_png(mass_png, figures, "log_mass_histogram.png"),
    }
    yield Output(updates["joined_listings"], output_name="joined_listings", metadata=metadata)
    yield Output(updates["join_removals"], output_name="join_removals", metadata={"reasons": counts_markdown(removals, "reason")})
    # last: a run that dies before this leaves the old state, so the next run joins these ASINs again
    yield Output(updates["join_state"], output_name="join_state")


def _not_in(asins: list[str], rows: pl.DataFrame) -> list[str]:
    """The ASINs of ``asins`` that ``rows`` does not bring back (to delete from the table)."""
    present = set(rows["asin"].to_list())
    return [a for a in asins if a not in present]


@asset_check(
    asset="joined_listings", name=JOIN_CHECK, blocking=True, additional_deps=[*LISTINGS, "join_removals"],
    description="As committed: the distinct ASINs of ucsd/image2mass/aspa_listings = the ASINs of joined_listings "
    "and join_removals, each ASIN in exactly one row of one of them.",
)  # fmt: skip
def joined_asins_accounted_for(context: AssetCheckExecutionContext, lake: LakeResource):
    listed = [asin for table in LISTINGS for asin in committed_asins(context, lake, table, read_by="joined_listings")]
    outputs = {table: committed_asins(context, lake, table) for table in ("joined_listings", "join_removals")}
    return check_result(accounted_for(listed, outputs))


@asset(group_name="quarantine", kinds={"duckdb"}, ins={name: AssetIn(name) for name in QUARANTINES})
def quarantine(ucsd_quarantine: pl.DataFrame, image2mass_quarantine: pl.DataFrame, aspa_quarantine: pl.DataFrame):
    """Every input record of every source and batch that could not be parsed, with its reason."""
    rows = pl.concat([ucsd_quarantine, image2mass_quarantine, aspa_quarantine], how="diagonal_relaxed")
    codes = rows.with_columns(pl.col("reason").str.split(":").list.first().alias("reason_code"))
    return Output(rows, metadata={"by_reason": counts_markdown(codes, "reason_code"), "by_source": counts_markdown(rows, "source")})


@asset_check(
    asset="quarantine", name=QUARANTINE_CHECK, blocking=True, additional_deps=list(QUARANTINES),
    description="As committed: every row of each source's quarantine table is in quarantine once per "
    "(source, file, line), and quarantine holds no other row.",
)  # fmt: skip
def quarantine_rows_accounted_for(context: AssetCheckExecutionContext, lake: LakeResource):
    key = ("source", "file", "line")
    parts = {table: committed(context, lake, table, list(key), read_by="quarantine") for table in QUARANTINES}
    return check_result(rows_carried_over(parts, committed(context, lake, "quarantine", list(key)), key))


join_checks = [joined_asins_accounted_for, quarantine_rows_accounted_for]
