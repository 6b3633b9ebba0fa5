"""Write one batch of the sample marketplace: raw UCSD, ASPA and image2mass files, images, hidden ground truth.

Layout under ``out_dir`` (a user could have downloaded the landing files)::

    landing/<batch>/ucsd/meta_<Category>.json.gz, landing/<batch>/ucsd/<Category>.json.gz (reviews)
    landing/<batch>/image2mass/listings.csv
    landing/<batch>/aspa/catalog_items.jsonl
    landing/<batch>/images/<sha256>.jpg        (named by content; records refer to ../images/<sha256>.jpg)
    ground_truth/<batch>.parquet, ground_truth/<batch>_summary.json   (never read by the pipeline)

Everything streams in chunks (bounded memory). The batch folder appears atomically: it is written under a
hidden ``.<batch>.partial`` name and renamed when complete, so a sensor never sees half a dump.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import orjson
from tqdm import tqdm

from . import aspa_writer, image2mass_writer, ucsd_writer
from .asin import AsinCodec
from .history import earlier_batches
from .images import EDITS, edit_picture, render_view
from .listing import Listing, plan_product, relist
from .reviews import review_records
from .sink import LineSink
from .truth import TruthWriter, truth_row

CHUNK = 5000  # listings per flush
IMAGE_NAME_CHARS = 20  # hex digits of the sha256 of a picture's bytes: its file name (80 bits, no collisions)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _listings(seed: int, codec: AsinCodec, first: int, n_new: int, relists: list[int], batch: str
              ) -> Iterator[tuple[int, Listing]]:
    """(product index, listing) for ``n_new`` new ASINs, with re-listed earlier ASINs spread evenly among them."""
    rng = random.Random(f"{seed}:{batch}:relist")
    count, done_relists, index = 0, 0, first
    while count < n_new:
        plans = plan_product(seed, index, codec)[: n_new - count]
        if len(plans) == 1:
            plans[0].dup_group = None  # its twins did not fit into this batch
        for lst in plans:
            yield index, lst
        count, index = count + len(plans), index + 1
        while done_relists < len(relists) * count // n_new:
            yield relists[done_relists], relist(seed, relists[done_relists], codec, rng)
            done_relists += 1


class _Batch:
    """The open files of one batch and the per-listing routing into them."""

    def __init__(self, root: Path, seed: int, batch: str, images: bool) -> None:
        self.root, self.seed, self.batch, self.images = root, seed, batch, images
        self.sinks: dict[str, LineSink] = {}
        self.images_written = 0
        self.pictures: set[str] = set()  # content names written so far
        if images:
            (root / "images").mkdir(parents=True, exist_ok=True)

    def sink(self, rel: str, fmt: str = "json", header: bytes | None = None) -> LineSink:
        if rel not in self.sinks:
            self.sinks[rel] = LineSink(self.root / rel, fmt, f"{self.seed}:{self.batch}:{rel}", header)
        return self.sinks[rel]

    def _refs(self, lst: Listing, source: str, done: dict[tuple[bool, int], str]) -> list[str]:
        """The image references of ``source``'s record; pictures are named by content, never by ASIN or defect."""
        if "images" not in lst.fields[source]:
            return []
        hijacked = source == lst.hijack_source
        refs = []
        for view in range(lst.n_views if source == "ucsd" else 1):
            if (hijacked, view) not in done:
                done[hijacked, view] = self._picture(lst, hijacked, view)
            refs.append(done[hijacked, view])
        return refs

    def _picture(self, lst: Listing, hijacked: bool, view: int) -> str:
        edited = lst.image_edit in EDITS and not hijacked
        if not self.images:  # a hosted picture: one id per distinct picture (identical copies share it)
            what = f"{lst.image_seed}:{view}:{hijacked}:{lst.image_edit if edited else ''}:{lst.asin if edited else ''}"
            return f"https://images-na.ssl-images-amazon.com/images/I/{_digest(what.encode())[:11].upper()}.jpg"
        shown = lst.hijacker if hijacked and lst.hijacker else lst.shown
        data = render_view(shown, view, lst.image_seed + hijacked)
        if edited:
            data = edit_picture(data, lst.image_edit, int(_digest(f"{lst.asin}:{view}".encode())[:12], 16))
        name = _digest(data)[:IMAGE_NAME_CHARS]
        if name not in self.pictures:  # content-addressed: a byte-identical copy is stored once
            (self.root / "images" / f"{name}.jpg").write_bytes(data)
            self.pictures.add(name)
            self.images_written += 1
        return f"../images/{name}.jpg"

    def write(self, lst: Listing) -> int:
        """Route one listing into the source files; returns its number of distinct images."""
        genuine: set[str] = set()
        done: dict[tuple[bool, int], str] = {}
        rng = random.Random(lst.record_seed)  # same seed, same records: how exact duplicates stay identical
        for source in lst.sources:
            refs = self._refs(lst, source, done)
            if source != lst.hijack_source:
                genuine.update(refs)
            top = lst.described(source)[0].archetype.top
            if source == "ucsd":
                line = orjson.dumps(ucsd_writer.meta_record(lst, refs, rng))
                self.sink(f"ucsd/meta_{top.ucsd_file}.json.gz").add(line)
            elif source == "aspa":
                self.sink("aspa/catalog_items.jsonl").add(orjson.dumps(aspa_writer.catalog_item(lst, refs, rng)))
            else:
                header = ",".join(image2mass_writer.HEADER).encode()
                sink = self.sink("image2mass/listings.csv", "csv", header)
                sink.add(image2mass_writer.csv_line(image2mass_writer.row(lst, refs, rng)))
        if lst.n_reviews:
            # reviews sit in the category file of the ASIN's UCSD page (a hijacked page's too, as crawls file them)
            top = lst.described("ucsd")[0].archetype.top if "ucsd" in lst.fields else lst.product.archetype.top
            reviews = self.sink(f"ucsd/{top.ucsd_file}.json.gz")
            # a re-listed ASIN brings new reviews, not the ones of its earlier batch
            review_rng = random.Random(f"{lst.record_seed}:{self.batch}") if lst.relisted else rng
            for rec in review_records(lst, review_rng):
                reviews.add(orjson.dumps(rec))
        return len(genuine)

    def flush(self) -> None:
        for sink in self.sinks.values():
            sink.flush()

    def close(self) -> dict:
        for sink in self.sinks.values():
            sink.close()
        return {rel: self.sinks[rel].summary() for rel in sorted(self.sinks)}


_COUNTED = ("is_exact_dup", "is_near_dup", "hijacked", "non_physical", "missing_title", "missing_image",
            "text_image_mismatch", "relisted", "relist_changed")


def _write_all(files: _Batch, truth: TruthWriter, listings: Iterator[tuple[int, Listing]], n_listings: int,
               progress: bool) -> tuple[dict[str, int], int]:
    """Stream every listing into the files and the ground truth; returns defect counts and the next free product."""
    counts = dict.fromkeys(("listings", *_COUNTED, "in_dup_group", "reviews"), 0)
    next_product = 0
    with tqdm(total=n_listings, disable=not progress, unit="listing", desc=f"sample {files.batch}") as bar:
        for index, lst in listings:
            row = truth_row(lst, files.batch, files.write(lst))
            truth.add(row)
            for key in _COUNTED:
                counts[key] += row[key]
            counts["in_dup_group"] += row["dup_group"] is not None
            counts["reviews"] += row["n_reviews"]
            counts["listings"] += 1
            if not lst.relisted:
                next_product = index + 1
            bar.update()
            if counts["listings"] % CHUNK == 0:
                files.flush()
                truth.flush()
    return counts, next_product


def _check_batch_name(batch: str) -> None:
    if not batch or batch.startswith(".") or "/" in batch or "\\" in batch:
        raise ValueError(f"invalid batch name {batch!r}: use a plain folder name like 'batch-0002'")


def generate_sample(out_dir: Path, n_listings: int = 3000, seed: int = 0, batch: str = "batch-0001",
                    images: bool = True, first_product: int = 0, progress: bool = True,
                    relist_fraction: float = 0.0, overwrite: bool = False) -> dict:
    """Write one seeded batch of ``n_listings`` distinct ASINs; returns (and saves) a summary of what was written.

    A later batch uses another ``batch`` name and ``first_product`` >= the previous summary's
    ``next_product``; ``relist_fraction`` of its ASINs are then products of earlier batches listed again
    (about half of them changed). Raises ValueError on a product range that would reuse earlier ASINs and
    FileExistsError on an existing batch unless ``overwrite``.
    """
    if n_listings < 1 or seed < 0 or first_product < 0 or not 0.0 <= relist_fraction < 1.0:
        raise ValueError("need n_listings >= 1, seed >= 0, first_product >= 0 and 0 <= relist_fraction < 1")
    _check_batch_name(batch)
    out_dir = Path(out_dir)
    final, truth_path = out_dir / "landing" / batch, out_dir / "ground_truth" / f"{batch}.parquet"
    if (final.exists() or truth_path.exists()) and not overwrite:
        raise FileExistsError(f"batch {batch!r} already exists under {out_dir}; pick a new batch name or pass "
                              "overwrite=True")
    history = earlier_batches(truth_path.parent, seed, batch)
    clash = history.overlap(first_product, n_listings)
    if clash:
        raise ValueError(f"products {first_product}.. would reuse the ASINs of batch {clash[0]!r} (products "
                         f"{clash[1]}..{clash[2] - 1}, seed {seed}); start at first_product={clash[2]} or later")
    n_relist = min(round(relist_fraction * n_listings), len(history.products), n_listings - 1)
    relists = random.Random(f"{seed}:{batch}:pick").sample(history.products, k=n_relist)

    partial = out_dir / "landing" / f".{batch}.partial"
    shutil.rmtree(partial, ignore_errors=True)  # left over from a killed run
    files = _Batch(partial, seed, batch, images)
    truth_tmp = truth_path.with_name(f".{truth_path.name}.partial")
    truth = TruthWriter(truth_tmp)
    listings = _listings(seed, AsinCodec(seed), first_product, n_listings - n_relist, relists, batch)
    counts, next_product = _write_all(files, truth, listings, n_listings, progress)
    file_summary = files.close()
    truth.close()
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    truth_tmp.replace(truth_path)
    summary = {"batch": batch, "seed": seed, "images": images, "first_product": first_product,
               "next_product": max(next_product, first_product),
               "counts": counts | {"images_written": files.images_written},
               "malformed_total": sum(f["malformed_total"] for f in file_summary.values()), "files": file_summary}
    truth_path.with_name(f"{batch}_summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary
