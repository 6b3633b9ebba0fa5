import numpy as np
import pytest

from emma_pipeline.fill_in.crossfit import Fold, LeakError, assert_not_trained_on, fold_of, kfold


def test_every_observed_value_is_held_out_exactly_once():
    asins = [f"A{i:03d}" for i in range(50)]
    observed = {"price": np.arange(50) % 3 != 0, "mass": np.ones(50, bool)}
    folds = kfold(asins, observed, k=3)
    for attr, mask in observed.items():
        held = np.concatenate([f.hidden[attr] for f in folds])
        assert sorted(held.tolist()) == np.flatnonzero(mask).tolist()
    assert (fold_of(asins, 3, "crossfit") == fold_of(list(asins), 3, "crossfit")).all()  # stable


def test_a_hidden_value_left_in_the_training_tables_is_a_leak():
    fold = Fold(0, {"price": np.array([1, 4])})
    stated = np.zeros(6, bool)
    fold.check({"price": stated})
    stated[4] = True
    with pytest.raises(LeakError, match="hidden price"):
        fold.check({"price": stated})


def test_scoring_training_rows_is_refused():
    assert_not_trained_on(np.array([0, 1, 2]), np.array([3, 4]), "tuning")
    with pytest.raises(LeakError):
        assert_not_trained_on(np.array([0, 1, 2]), np.array([2, 3]), "tuning")
