"""`emma`: build the dataset on the embedded sample, generate samples, query the lake, open the UI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from emma_pipeline.export.command import export_command
from emma_pipeline.instance import INSTANCE_FOLDER, use_instance
from emma_pipeline.search.command import search_command
from emma_pipeline.settings import Settings, load_settings, project_root
from emma_pipeline.warehouse.lake import Lake
from emma_pipeline.warehouse.session import session_init_sql

READY_MARKER = "_SUCCESS"


@click.group()
def main() -> None:
    """EMMa pipeline: marketplace listings to a clean multimodal multi-task object dataset."""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Output folder (default: EMMA_HOME).")
@click.option("--n", "n_listings", type=int, default=3000, show_default=True, help="Distinct ASINs to generate.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batch", default="batch-0001", show_default=True, help="Ingest batch (landing folder) name.")
@click.option("--first-product", type=int, default=0, help="Index of the first product (for later batches).")
@click.option("--relist-fraction", type=float, default=0.0, help="Share of earlier products listed again.")
@click.option("--images/--no-images", default=True, help="Render product images (off for million-row benchmarks).")
def sample(out, n_listings, seed, batch, first_product, relist_fraction, images) -> None:
    """Write a generated sample marketplace (UCSD, image2mass, ASPA raw formats + images) as a landing batch."""
    from emma_pipeline.sample import generate_sample

    out = out or load_settings().home
    summary = generate_sample(
        out, n_listings=n_listings, seed=seed, batch=batch, images=images, first_product=first_product,
        relist_fraction=relist_fraction,
    )  # fmt: skip
    (Path(out) / "landing" / batch / READY_MARKER).touch()
    counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items() if v)
    click.echo(f"wrote batch {batch} under {Path(out) / 'landing' / batch}: {counts}; "
               f"malformed lines {summary['malformed_total']}; next --first-product {summary['next_product']}")


@main.command()
@click.option("--n", "n_listings", type=int, default=3000, show_default=True, help="Sample size if none exists.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--reingest", is_flag=True, help="Parse every batch again, not only new ones.")
@click.option("--retrain", is_flag=True,
              help="Train the models again; without it new objects are scored with models younger than EMMA_RETRAIN_AFTER_DAYS.")
def build(n_listings: int, seed: int, reingest: bool, retrain: bool) -> None:
    """Generate the embedded sample if the landing zone is empty, ingest new batches, rebuild everything."""
    from emma_pipeline.build import BuildFailed, run_build

    if retrain:
        os.environ["EMMA_RETRAIN_AFTER_DAYS"] = "0"  # read with the other settings when the definitions load below
    settings = load_settings()
    use_instance(settings.home)
    landing = Path(settings.landing)
    if "://" not in settings.landing and not any(p.is_dir() for p in landing.glob("*")):
        click.echo(f"no listings under {landing}: generating the embedded sample ({n_listings:,} ASINs, seed {seed})")
        from emma_pipeline.sample import generate_sample

        generate_sample(settings.home, n_listings=n_listings, seed=seed, batch="batch-0001")
        (landing / "batch-0001" / READY_MARKER).touch()
    try:
        times = run_build(settings, reingest=reingest, echo=click.echo)
    except BuildFailed as failed:
        _print_times(failed.times, settings)
        raise click.ClickException(str(failed)) from failed
    _print_summary(settings)
    _print_times(times, settings)


def _print_times(times, settings: Settings) -> None:
    """The per-stage time table (from the runs' step events), also written for benches to read."""
    path = times.write(settings.reports_dir)
    click.echo(f"\nTime per stage (wall seconds, from the runs' step events; also in {path}):")
    click.echo(times.table())


def _print_summary(settings: Settings) -> None:
    lake = Lake(settings.lake_config())
    click.echo("\nTables in the lake (latest version):")
    for table in lake.tables():
        rows = lake.query(f'SELECT count(*) AS n FROM "{table}"')["n"][0]
        click.echo(f"  {table:<28} {rows:>10,} rows")
    click.echo(f"\nLake catalog: {settings.lake_catalog}\nLake data:    {settings.lake_data}")
    click.echo(f"Figures:      {settings.reports_dir}")
    root = project_root()
    instance = os.environ.get("DAGSTER_HOME", "")
    if root and Path(instance).resolve() == (root / ".emma" / INSTANCE_FOLDER).resolve():
        ui = "dagster dev"  # the checkout's dagster.yaml is this instance
    else:
        ui = f"EMMA_HOME={settings.home} DAGSTER_HOME={instance} dagster dev" + ("" if root else " -m emma_pipeline.definitions")
    click.echo(f"Run history:  {instance}")
    click.echo("\nQuery in DuckDB:   emma sql          (or: emma sql \"SELECT * FROM joined_listings LIMIT 5\")")
    click.echo(f"Open the Dagster UI: {ui}    (from {root or os.getcwd()})")


@main.command()
@click.argument("query", required=False)
@click.option("--print-init", is_flag=True, help="Print the SQL that attaches the lake, for any DuckDB client.")
def sql(query: str | None, print_init: bool) -> None:
    """Open a DuckDB shell on the lake (read-only), or run one QUERY and print the result."""
    settings = load_settings()
    config = settings.lake_config()
    init = session_init_sql(config)
    if print_init:
        click.echo(init, nl=False)
        return
    if query:
        import polars as pl

        try:
            result = Lake(config).query(query)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from exc
        with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60):
            click.echo(result)
        return
    shell = shutil.which("duckdb")
    if shell is None:
        raise click.ClickException("the duckdb shell is not installed: pip install 'duckdb-cli==1.5.5'")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(init)
    click.echo("Attached the EMMa lake read-only. Try: SHOW TABLES; FROM lake.snapshots();")
    try:
        code = subprocess.call([shell, "-init", handle.name])
    finally:
        os.unlink(handle.name)
    sys.exit(code)


main.add_command(search_command)
main.add_command(export_command)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; beyond loopback a token is required.")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--token", default=None, help="Access token (one is generated when binding beyond loopback).")
def label(host: str, port: int, token: str | None) -> None:
    """Start the Smart Labeling web tool on the lake's objects and print its address."""
    from emma_pipeline.labeling.serve import serve

    try:
        serve(load_settings(), host=host, port=port, token=token, echo=click.echo)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
