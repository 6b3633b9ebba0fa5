"""Mask-and-recover bookkeeping: hidden values are gone from the training tables, scored only where hidden."""

import numpy as np
import pytest

from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.crossfit import LeakError
from emma_pipeline.fill_in.generation import fill, original_material_ids
from emma_pipeline.fill_in.masking import masked_tables, not_at_random_mask, random_mask, stated
from emma_pipeline.fill_in.recover import recover_scores
from emma_pipeline.fill_in.schema import ATTRIBUTES
from emma_pipeline.models.prepare import prepare


@pytest.mark.parametrize("make", [lambda p: random_mask(p, 0.3, seed=1), lambda p: not_at_random_mask(p, 0.3)])
def test_hidden_values_are_removed_from_the_training_tables(make, tables, prepared):
    fold = make(prepared)
    assert all(len(fold.hidden[a]) > 0 for a in ATTRIBUTES)
    assert all((prepared.split[fold.hidden[a]] == "train").all() for a in ATTRIBUTES)
    masked = prepare(masked_tables(tables, prepared, fold))
    fold.check(stated(masked))
    with pytest.raises(LeakError):
        fold.check(stated(prepared))  # the unmasked tables still state them


def test_not_at_random_hides_the_cheapest_prices(prepared):
    fold = not_at_random_mask(prepared, 0.3)
    train = prepared.rows("train")
    known = train[np.isfinite(prepared.targets.price[train])]
    hidden = prepared.targets.price[fold.hidden["price"]]
    kept = np.setdiff1d(known, fold.hidden["price"])
    assert hidden.max() <= prepared.targets.price[kept].min()


def test_recovered_values_are_scored_against_the_hidden_truth(tables, prepared, models):
    fold = random_mask(prepared, 0.3, seed=1)
    masked_t = masked_tables(tables, prepared, fold)
    masked = prepare(masked_t)
    filled = fill(models, masked, masked_t.object_materials, FillInConfig(), 1, "v").table
    rows = recover_scores(fold, "random", prepared, masked, filled, original_material_ids(masked, masked_t.object_materials), 1)
    assert {r["attribute"] for r in rows} == set(ATTRIBUTES)
    assert all(np.isfinite(r["filled"]) and np.isfinite(r["imputation"]) for r in rows)
    unmasked = fill(models, prepared, tables.object_materials, FillInConfig(), 1, "v").table
    with pytest.raises(AssertionError, match="leaked"):
        recover_scores(fold, "random", prepared, prepared, unmasked, original_material_ids(prepared, tables.object_materials), 1)
