"""`emma export`: write the published dataset (latest or a given lake snapshot) as Parquet plus its card."""

from __future__ import annotations

from pathlib import Path

import click

from emma_pipeline.settings import load_settings


@click.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write (default: EMMA_HOME/export/snapshot-<N>).")
@click.option("--snapshot", "--version", "snapshot", type=int, default=None,
              help="Lake snapshot to export (default: the latest); see `emma sql \"FROM lake.snapshots()\"`.")
@click.option("--images", "with_images", is_flag=True, help="Copy the images too, as images/<aa>/<sha256>.")
@click.option("--image-store", default=None, help="The content-addressed image store (default: <landing>/_images).")
def export_command(out: Path | None, snapshot: int | None, with_images: bool, image_store: str | None) -> None:
    """Write the `dataset` table as data/<split>-*.parquet plus README.md (a Hugging Face dataset card),
    materials.json and categories.json; the same snapshot always gives the same bytes."""
    from emma_pipeline.export import ExportError, export_dataset
    from emma_pipeline.export.lake_read import latest_snapshot
    from emma_pipeline.images.store import ImageStore
    from emma_pipeline.warehouse.lake import Lake

    settings = load_settings()
    store = ImageStore(image_store or settings.landing.rstrip("/") + "/_images")
    lake = Lake(settings.lake_config())
    try:
        snapshot = latest_snapshot(lake) if snapshot is None else snapshot
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    target = out or settings.home / "export" / f"snapshot-{snapshot}"
    try:
        result = export_dataset(lake, target, store, snapshot=snapshot, with_images=with_images)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    counts = ", ".join(f"{split} {len(names)} file{'s' if len(names) > 1 else ''}" for split, names in result.files.items())
    click.echo(f"exported {result.rows:,} objects at lake snapshot {result.snapshot} to {result.out} ({counts})")
    if with_images:
        click.echo(f"copied {result.images_copied:,} new images under {result.out / 'images'}")
    click.echo(f"dataset card: {result.out / 'README.md'}")
