"""How much of what real sellers write in material fields the mapper understands (target: >= 95 % of occurrences).

The strings come from the real public samples next to the repository (read in place, never copied): scraped
catalog records (``product_details`` entries), ABO listings (``material`` / ``fabric_type``), UCSD 2023 meta
(``details``), UCSD 2018 meta (``details`` and the ``tech1``/``tech2`` HTML tables) and the 2020 product table
(``Material`` / ``Material Type`` inside "Technical Details"). Fields about features, care or "free of" claims
("Material Feature: Vegan", "Material Type Free: BPA Free") are not material fields and are not collected.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from emma_pipeline.materials import default_mapper, unmapped_report

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
TARGET_COVERAGE = 0.95

_ABO_VALUE_RE = re.compile(r"value=(.*?)\}(?=, \{|\]$)")
_TABLE_ROW_RE = re.compile(r"<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")
# "... Item model number 841357 Material Type Paper Number of Items 1 ..." (a flattened spec table).
_TABLE_2020_RE = re.compile(
    r"\b(Material(?: Type)?):? (.+?) (?=Number of Items|Item Package Quantity|Number Of Pieces|Total Recycled"
    r"|Material Type|Shape)"
)


class Occurrence(NamedTuple):
    source: str
    key: str
    value: str
    title: str


def _is_material_key(key: str) -> bool:
    key = key.lower()
    return ("material" in key or "fabric" in key) and not any(w in key for w in ("feature", "free", "care"))


def _scraped() -> Iterator[Occurrence]:
    for path in sorted((REAL / "brightdata_amazon_samples_luminati" / "output_data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for record in data if isinstance(data, list) else [data]:
            details = record.get("product_details") if isinstance(record, dict) else None
            for entry in details or []:
                if isinstance(entry, dict) and _is_material_key(str(entry.get("type"))) and entry.get("value"):
                    yield Occurrence("scraped", entry["type"], str(entry["value"]), record.get("title") or "")


def _abo() -> Iterator[Occurrence]:
    folder = REAL / "abo_samples_aws_smart_product_onboarding"
    record = json.loads((folder / "ABO_record_example_from_code_comment.json").read_text(encoding="utf-8"))
    for key in ("material", "fabric_type"):
        for entry in record.get(key) or []:
            yield Occurrence("abo", key, entry["value"], "")
    for path in sorted(folder.glob("samples/*/metadata.txt")):
        fields = ast.literal_eval(path.read_text(encoding="utf-8"))
        for key in ("material", "fabric_type"):
            for value in _ABO_VALUE_RE.findall(fields.get(key) or ""):
                yield Occurrence("abo", key, value, "")


def _ucsd_details(path: Path, source: str) -> Iterator[Occurrence]:
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        title = record.get("title") or ""
        for key, value in (record.get("details") or {}).items():
            if _is_material_key(key) and value:
                yield Occurrence(source, key.strip(), str(value), title)
        for table in (record.get("tech1") or "", record.get("tech2") or ""):
            for key, cell in _TABLE_ROW_RE.findall(table):
                if _is_material_key(key):
                    value = " ".join(html.unescape(_TAG_RE.sub("", cell)).split())
                    yield Occurrence(source, key.strip(), value, title)


def _ucsd() -> Iterator[Occurrence]:
    yield from _ucsd_details(
        REAL / "ucsd2023_health_personal_care_meta_shalinanvai" / "meta_Health_and_Personal_Care.jsonl", "ucsd2023"
    )
    for path in sorted(REAL.glob("ucsd2018_*/meta_*.json")):
        yield from _ucsd_details(path, "ucsd2018")


def _table_2020() -> Iterator[Occurrence]:
    csv.field_size_limit(1 << 26)
    for path in sorted((REAL / "promptcloud_amazon2020_sample_WSU").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column in ("Product Specification", "Technical Details"):
                    for key, value in _TABLE_2020_RE.findall(row.get(column) or ""):
                        yield Occurrence("table2020", key, value, row.get("Product Name") or "")


@pytest.fixture(scope="module")
def occurrences() -> list[Occurrence]:
    if not REAL.is_dir():
        pytest.skip("../shared/data/real not present (a user's own clone)")
    return [*_scraped(), *_abo(), *_ucsd(), *_table_2020()]


def _is_mapped(occ: Occurrence) -> bool:
    return bool(default_mapper().map(occ.value, context=f"{occ.key} {occ.title}").node_ids)


def test_every_real_source_with_material_fields_contributes_strings(occurrences):
    sources = {occ.source for occ in occurrences}
    assert sources == {"scraped", "abo", "ucsd2023", "ucsd2018", "table2020"}
    assert len(occurrences) > 500


def test_mapper_covers_at_least_95_percent_of_real_material_occurrences(occurrences):
    mapped = [_is_mapped(occ) for occ in occurrences]
    by_value = {occ.value: ok for occ, ok in zip(occurrences, mapped)}
    occurrence_share = sum(mapped) / len(mapped)
    distinct_share = sum(by_value.values()) / len(by_value)
    missed = sorted({occ.value for occ, ok in zip(occurrences, mapped) if not ok})
    print(
        f"\nreal material strings: {len(mapped)} occurrences, {sum(mapped) / len(mapped):.1%} mapped; "
        f"{len(by_value)} distinct, {distinct_share:.1%} mapped; not mapped: {missed}"
    )
    assert occurrence_share >= TARGET_COVERAGE, missed


def test_unmapped_report_on_real_strings_lists_only_parts_the_mapper_could_not_place(occurrences):
    report = unmapped_report(occ.value for occ in occurrences)
    assert report.columns == ["raw", "count"]
    assert report["count"].is_sorted(descending=True)
    mapper = default_mapper()
    for raw in report["raw"]:
        assert not mapper.map(raw).node_ids, raw
