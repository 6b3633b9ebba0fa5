"""Recall per planted defect kind, on literal frames with each case named."""

import polars as pl

from emma_pipeline.evaluation.breakdown import recall_by_kind
from emma_pipeline.removals import removals_frame


def _truth(rows):
    base = {"hijacked": False, "hijack_kind": None, "text_image_mismatch": False, "mismatch_kind": None,
            "non_physical": False, "archetype": "mug", "dup_group": None, "is_exact_dup": False, "is_near_dup": False,
            "image_edit": None, "title_edit": None}
    return pl.DataFrame([base | r for r in rows])


def test_recall_is_split_by_how_hard_each_defect_was():
    truth = _truth([
        {"asin": "H1", "hijacked": True, "hijack_kind": "same_kind"},  # caught
        {"asin": "H2", "hijacked": True, "hijack_kind": "same_kind"},  # missed
        {"asin": "H3", "hijacked": True, "hijack_kind": "other"},  # caught
        {"asin": "M1", "text_image_mismatch": True, "mismatch_kind": "same_kind"},  # removed for another reason
        {"asin": "D0", "dup_group": 1}, {"asin": "D1", "dup_group": 1, "is_exact_dup": True, "image_edit": "crop"},
        {"asin": "E0", "dup_group": 2}, {"asin": "E1", "dup_group": 2, "is_near_dup": True, "image_edit": "crop",
                                         "title_edit": "units"},  # wrongly paired with D0: not caught
        {"asin": "N1", "non_physical": True, "archetype": "license_key"},  # removed as no_core_attributes
    ])
    removals = removals_frame([
        {"asin": "H1", "stage": "join", "reason": "hijacked"}, {"asin": "H3", "stage": "join", "reason": "hijacked"},
        {"asin": "M1", "stage": "filters", "reason": "no_image"},
        {"asin": "D1", "stage": "dedup", "reason": "near_duplicate", "kept_twin": "D0"},
        {"asin": "E1", "stage": "dedup", "reason": "near_duplicate", "kept_twin": "D0"},
        {"asin": "N1", "stage": "filters", "reason": "no_core_attributes"},
    ])
    joined = ["M1", "D0", "D1", "E0", "E1", "N1"]
    out = recall_by_kind(truth, removals, joined)
    assert out["hijack_same_kind_recall (n=2)"] == 0.5 and out["hijack_other_recall (n=1)"] == 1.0
    assert out["mismatch_same_kind_recall (n=1)"] == 0.0
    assert out["twin_image_edit_crop_recall (n=2)"] == 0.5 and out["twin_title_edit_units_recall (n=1)"] == 0.0
    assert out["non_physical_any_license_key_recall (n=1)"] == 1.0
    assert out["non_physical_license_key_recall (n=1)"] == 0.0
