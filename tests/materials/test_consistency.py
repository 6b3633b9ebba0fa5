"""Material consistency: hand-built cases for each rule, then random forests, probabilities and clamps."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emma_pipeline.materials import load_taxonomy
from emma_pipeline.materials.consistency import Forest, forest_of, make_consistent, violations

# metal(0) -> steel(1), aluminum(2); steel -> stainless(3); wood(4) a lone root
TREE = Forest((-1, 0, 0, 1, -1))


def test_parent_below_its_most_likely_child_is_raised():
    p = np.array([[0.2, 0.7, 0.1, 0.7, 0.0]])
    out = make_consistent(p, TREE).probabilities
    assert out[0, 0] == pytest.approx(0.7)
    assert violations(out, TREE) == 0


def test_parent_above_the_sum_of_its_children_is_lowered_without_clamps():
    p = np.array([[0.9, 0.2, 0.1, 0.2, 0.5]])
    out = make_consistent(p, TREE).probabilities
    assert out[0, 0] == pytest.approx(0.3)
    assert out[0, 4] == pytest.approx(0.5)  # a leaf root has no constraint


def test_sum_above_parent_is_allowed():
    p = np.array([[0.6, 0.5, 0.4, 0.5, 0.0]])  # a product may be both steel and aluminum
    out = make_consistent(p, TREE).probabilities
    np.testing.assert_allclose(out, p)


def test_a_clamped_parent_raises_its_children_in_proportion():
    p = np.array([[1.0, 0.1, 0.3, 0.1, 0.0]])
    clamped = np.array([[True, False, False, False, False]])
    out = make_consistent(p, TREE, clamped).probabilities
    assert out[0, 0] == 1.0
    assert out[0, 1] + out[0, 2] == pytest.approx(1.0)
    assert out[0, 2] > out[0, 1]  # aluminum stays the likelier kind of metal
    assert out[0, 3] == pytest.approx(out[0, 1])  # steel's only child follows it down the tree
    assert violations(out, TREE) == 0


def test_a_clamped_negative_parent_zeroes_its_subtree():
    p = np.array([[0.9, 0.8, 0.5, 0.8, 0.3]])
    clamped = np.array([[True, False, False, False, False]])
    p[0, 0] = 0.0
    out = make_consistent(p, TREE, clamped).probabilities
    np.testing.assert_allclose(out[0, :4], 0.0)
    assert out[0, 4] == pytest.approx(0.3)


def test_a_more_specific_clamp_wins_a_contradiction_and_is_counted():
    p = np.array([[0.0, 0.2, 0.0, 1.0, 0.0]])  # labeled not-metal, and labeled stainless
    clamped = np.array([[True, False, False, True, False]])
    result = make_consistent(p, TREE, clamped)
    assert result.probabilities[0, 3] == 1.0
    assert result.probabilities[0, 0] == 1.0
    assert result.conflicts.tolist() == [1]


def test_packaged_taxonomy_forest_matches_parents():
    taxonomy = load_taxonomy()
    forest = forest_of(taxonomy)
    assert len(forest.parents) == len(taxonomy.ids) == 182
    steel = taxonomy.ids.index(taxonomy.id_of("steel"))
    assert taxonomy.ids[forest.parents[steel]] == taxonomy.parent(taxonomy.id_of("steel"))
    p = np.random.default_rng(0).random((50, 182))
    assert violations(p, forest) > 0
    assert violations(make_consistent(p, forest).probabilities, forest) == 0


def test_a_cycle_is_rejected():
    with pytest.raises(ValueError, match="forest"):
        make_consistent(np.zeros((1, 2)), Forest((1, 0)))


@st.composite
def forests_and_inputs(draw):
    n = draw(st.integers(1, 14))
    parents = tuple(-1 if j == 0 else draw(st.integers(-1, j - 1)) for j in range(n))
    rows = draw(st.integers(1, 4))
    unit = st.floats(0.0, 1.0, allow_nan=False)
    p = np.array(draw(st.lists(st.lists(unit, min_size=n, max_size=n), min_size=rows, max_size=rows)))
    clamped = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=rows, max_size=rows)))
    return Forest(parents), p, clamped


@settings(max_examples=300, deadline=None)
@given(forests_and_inputs())
def test_random_trees_end_with_zero_violations_and_honour_clamps(case):
    forest, p, clamped = case
    result = make_consistent(p, forest, clamped)
    out = result.probabilities
    assert violations(out, forest) == 0
    assert np.all((out >= 0.0) & (out <= 1.0))
    untouched = clamped & (result.conflicts[:, None] == 0)
    np.testing.assert_allclose(out[untouched], p[untouched], atol=2e-6)  # moves below the tolerance are not conflicts


@settings(max_examples=200, deadline=None)
@given(forests_and_inputs())
def test_enforcement_is_a_fixed_point(case):
    forest, p, _ = case
    once = make_consistent(p, forest).probabilities
    twice = make_consistent(once, forest).probabilities
    np.testing.assert_allclose(twice, once, atol=1e-9)
