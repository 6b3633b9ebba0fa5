"""``emma build`` prints every check's verdict, failures first, with what a failed check compared."""

from dagster import AssetCheckEvaluation, AssetCheckSeverity, AssetKey, MetadataValue

from emma_pipeline.build import check_lines


def _evaluation(asset, name, passed, severity=AssetCheckSeverity.ERROR, **metadata):
    return AssetCheckEvaluation(asset_key=AssetKey(asset), check_name=name, passed=passed, severity=severity,
                                metadata=metadata)  # fmt: skip


def test_failures_come_first_with_their_counts_and_sample_then_warnings_then_passes():
    lines = check_lines([
        _evaluation("splits", "covers_objects", True),
        _evaluation("cleaning_evaluation", "meets_targets", False, AssetCheckSeverity.WARN,
                    missed=MetadataValue.text("dedup_precision >= 0.98"), dedup_precision=MetadataValue.float(0.97123)),
        _evaluation("joined_listings", "asins_accounted_for", False, keys_in=MetadataValue.int(300),
                    missing=MetadataValue.int(2), repeated=MetadataValue.int(0),
                    **{"sample/missing": MetadataValue.md("`A1`, `A2`"), "sample/repeated": MetadataValue.md("_none_")}),
    ])  # fmt: skip
    assert lines[0].split() == ["check", "joined_listings:asins_accounted_for", "FAILED"]
    assert lines[1].strip() == "keys_in=300, missing=2, sample/missing=`A1`, `A2`"
    assert lines[2].split()[-1] == "warning" and lines[3].strip() == "missed=dedup_precision >= 0.98, dedup_precision=0.971"
    assert lines[4].split() == ["check", "splits:covers_objects", "passed"] and len(lines) == 5
