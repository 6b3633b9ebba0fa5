"""The Smart Labeling bench's rare variant: positives thinned to the target share, negatives and labels untouched."""

import numpy as np

from bench.bench_smart_labeling import rare_variant


def test_rare_variant_keeps_every_negative_and_thins_positives_to_the_share():
    rng = np.random.default_rng(0)
    y = (rng.random(5000) < 0.3).astype(np.int8)
    perm = rng.permutation(len(y))
    test, pool = perm[:1500], perm[1500:]
    v_pool, v_test = rare_variant(y, pool, test, np.random.default_rng(1), prevalence=0.04)
    for full, thin in ((pool, v_pool), (test, v_test)):
        assert set(thin) <= set(full)
        assert set(full[y[full] == 0]) <= set(thin)  # every negative stays
        assert abs(y[thin].mean() - 0.04) < 0.002
    assert not set(v_pool) & set(v_test)


def test_rare_variant_keeps_an_already_rare_property_whole():
    y = np.zeros(1000, dtype=np.int8)
    y[:10] = 1
    pool = np.arange(1000)
    v_pool, _ = rare_variant(y, pool, pool[:0], np.random.default_rng(0), prevalence=0.04)
    assert y[v_pool].sum() == 10 and len(v_pool) == 1000
