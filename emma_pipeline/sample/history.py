"""What earlier batches of the same sample world already wrote (read from their ground truth, which only the
generator itself may read): the products a new batch may re-list, and the product range it must not reuse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow.compute as pc
import pyarrow.parquet as pq


@dataclass(frozen=True)
class History:
    ranges: tuple[tuple[str, int, int], ...]  # (batch, first product, next product) of each earlier batch
    products: tuple[int, ...]  # products whose main listing an earlier batch wrote, ascending

    def overlap(self, first: int, n_products: int) -> tuple[str, int, int] | None:
        """An earlier batch whose product range meets [first, first + n_products), if any."""
        return next((r for r in self.ranges if first < r[2] and r[1] < first + n_products), None)


def earlier_batches(truth_dir: Path, seed: int, batch: str) -> History:
    ranges, products = [], set()
    for summary_path in sorted(truth_dir.glob("*_summary.json")):
        summary = orjson.loads(summary_path.read_bytes())
        if summary.get("seed") != seed or summary.get("batch") == batch:
            continue
        ranges.append((summary["batch"], summary["first_product"], summary["next_product"]))
        table = pq.read_table(truth_dir / f"{summary['batch']}.parquet",
                              columns=["product_id", "is_exact_dup", "is_near_dup", "relisted"])
        mains = pc.invert(pc.or_(pc.or_(table["is_exact_dup"], table["is_near_dup"]), table["relisted"]))
        products.update(table.filter(mains)["product_id"].to_pylist())
    return History(tuple(ranges), tuple(sorted(products)))
