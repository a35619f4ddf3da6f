"""etl/stats/allpairs.py: exact all-pairs Spearman on pairwise-complete samples. Every pair equals
scipy's spearmanr on the samples the pair shares (and the one-pair kernel, bit for bit), on matrices
that exercise each path: complete rows (the matrix product), rows without ties (the integer walks),
rows with ties (the grouped walks), too few shared samples, no variance; the rank-once approximation
is shown to differ where values are missing; log10 p and the Meta P accumulators equal
etl.stats.spearman and etl.stats.combine."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from omicskb.etl.stats import allpairs
from omicskb.etl.stats.combine import bh_log10_q, stouffer_with_single
from omicskb.etl.stats.logp import z_from_log10_p
from omicskb.etl.stats.spearman import spearman_one_vs_rows


def mixed_matrix(rows: int = 90, samples: int = 40, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, samples))
    values[10:30] = np.round(values[10:30], 1)  # ties
    values[30:70][rng.random((40, samples)) < rng.beta(0.8, 2.0, size=(40, 1))] = np.nan  # missing, some rows mostly
    values[50:60] = np.round(values[50:60] * 2) / 2  # ties and missing together
    values[70] = 1.5  # no variance
    values[71, : samples - 8] = np.nan  # too few values for any pair
    values[72] = values[0] * 2 + 1  # a complete row perfectly correlated with row 0
    return values


def test_every_pair_equals_scipy_and_the_one_pair_kernel_bit_for_bit():
    values = mixed_matrix()
    rho, n = allpairs.spearman_all_pairs(values)
    assert np.array_equal(rho, rho.T, equal_nan=True) and np.array_equal(n, n.T)
    assert np.isnan(np.diag(rho)).all()
    rows = values.shape[0]
    checked = 0
    for x in range(rows):
        reference = spearman_one_vs_rows(values[x], values)
        others = np.arange(rows) != x
        assert np.array_equal(rho[x][others], reference.rho[others], equal_nan=True), x  # the same doubles
        assert np.array_equal(n[x][others], reference.n[others]), x
        for y in range(x + 1, rows):
            both = ~np.isnan(values[x]) & ~np.isnan(values[y])
            assert n[x, y] == both.sum()
            a, b = values[x][both], values[y][both]
            if both.sum() < 10 or np.ptp(a) == 0 or np.ptp(b) == 0:
                assert np.isnan(rho[x, y])
                continue
            expected = stats.spearmanr(a, b).statistic
            assert math.isclose(rho[x, y], expected, rel_tol=1e-12, abs_tol=1e-14), (x, y)
            checked += 1
    assert checked > 3000
    assert rho[0, 72] == 1.0 and np.isnan(rho[70]).all() and np.isnan(rho[71]).all()


def test_pairs_by_index_equal_the_one_pair_kernel_bit_for_bit():
    from omicskb.etl.stats.spearman import spearman_paired

    values = mixed_matrix()
    rng = np.random.default_rng(8)
    xs, ys = rng.integers(0, len(values), size=3000), rng.integers(0, len(values), size=3000)
    got = allpairs.spearman_row_pairs_prepared(allpairs.prepare_rows(values), xs, ys)
    expected = spearman_paired(values[xs], values[ys])
    for name in ("n", "rho", "p", "log10_p"):
        assert np.array_equal(getattr(got, name), getattr(expected, name), equal_nan=True), name
    assert list(got.reason) == list(expected.reason) and got.tested.sum() > 1500


def test_the_rank_once_approximation_differs_where_values_are_missing():
    values = mixed_matrix()
    exact, n = allpairs.spearman_all_pairs(values)
    approximate, n_approximate = allpairs.approximate_all_pairs(values)
    assert np.array_equal(n, n_approximate)
    complete = ~np.isnan(values).any(axis=1) & (np.ptp(values, axis=1) > 0)
    both = np.outer(complete, complete) & ~np.eye(len(values), dtype=bool)
    assert np.allclose(exact[both], approximate[both], rtol=1e-12, atol=1e-14)  # nothing missing: the same
    tested = ~np.isnan(exact) & ~np.isnan(approximate)
    assert np.abs(exact - approximate)[tested].max() > 0.05  # missing values: another number


def test_log10_p_and_the_meta_accumulators_equal_the_one_pair_path():
    blocks = [mixed_matrix(seed=s) for s in (3, 4, 5)]
    features = blocks[0].shape[0] + 5
    accumulators = allpairs.MetaAccumulators(features)
    # the three cohorts hold overlapping features: rows map into a universe of `features`
    maps = [np.arange(blocks[0].shape[0]), np.arange(5, features), np.r_[np.arange(0, 40), np.arange(45, features - 5)]]
    per_cohort = []
    for values, feature_at in zip(blocks, maps):
        values = values[: len(feature_at)]
        rho, n = allpairs.spearman_all_pairs_packed(values)
        reference = [spearman_one_vs_rows(values[x], values) for x in range(len(values))]
        allpairs.log10_p_and_meta(rho, n, len(values), feature_at, accumulators)
        log10_p = allpairs.unpack(rho, len(values), np.nan)
        for x in range(len(values)):
            others = np.arange(len(values)) != x
            np.testing.assert_allclose(log10_p[x][others], reference[x].log10_p[others], rtol=1e-13, atol=1e-300)
            if x % 10 == 0:  # the candidates and their q, as bh_log10_q over the row
                found, log10_q = allpairs.candidates_by_row(rho, len(values), 7, with_q=True)
                expected_q = bh_log10_q(reference[x].log10_p[others])
                partners = np.flatnonzero(others)
                for j, q in zip(found[x], log10_q[x]):
                    assert math.isclose(q, expected_q[np.searchsorted(partners, j)], rel_tol=1e-12, abs_tol=1e-15)
        per_cohort.append((feature_at, reference))
    # every pair's Meta P against etl.stats.combine.stouffer on the cohorts that tested it
    meta_log10 = accumulators.log10_p()
    pairs = [(i, j) for i in range(features) for j in range(i + 1, features)]
    z = np.full((len(pairs), 3), np.nan)
    direction = np.full((len(pairs), 3), np.nan)
    log10 = np.full((len(pairs), 3), np.nan)
    index = {pair: k for k, pair in enumerate(pairs)}
    for c, (feature_at, reference) in enumerate(per_cohort):
        row_of = {int(f): r for r, f in enumerate(feature_at)}
        for (i, j), k in index.items():
            if i in row_of and j in row_of:
                result = reference[row_of[i]]
                if result.tested[row_of[j]]:
                    log10[k, c] = result.log10_p[row_of[j]]
                    z[k, c] = z_from_log10_p(log10[k, c])
                    direction[k, c] = 1.0 if result.rho[row_of[j]] >= 0 else -1.0
    with np.errstate(invalid="ignore"):
        expected = stouffer_with_single(z, direction, log10)
    several = expected.n_cohorts >= 2
    assert several.sum() > 2000
    np.testing.assert_allclose(meta_log10[several], expected.log10_p[several], rtol=1e-12)
    assert np.isnan(meta_log10[expected.n_cohorts == 0]).all()
    single = expected.n_cohorts == 1  # one cohort: its own p, up to z's round trip
    np.testing.assert_allclose(meta_log10[single], expected.log10_p[single], rtol=1e-9)


@pytest.mark.parametrize("top", [1, 5, 200])
def test_candidates_are_each_rows_smallest_and_anything_tied_with_them(top):
    rng = np.random.default_rng(11)
    features = 60
    packed = np.round(-rng.exponential(3, size=features * (features - 1) // 2), 1)  # many ties
    packed[::17] = np.nan
    found, _ = allpairs.candidates_by_row(packed, features, top)
    dense = np.full((features, features), np.nan)
    dense[np.triu_indices(features, 1)] = packed
    dense = np.where(np.isnan(dense), dense.T, dense)
    for i in range(features):
        row = dense[i]
        finite = np.sort(row[~np.isnan(row)])
        if top > len(finite):
            assert sorted(found[i]) == sorted(np.flatnonzero(~np.isnan(row)))
            continue
        cut = finite[top - 1]
        assert sorted(found[i]) == sorted(np.flatnonzero(row <= cut + 1e-9))


def test_complete_rows_taken_a_chunk_at_a_time_give_the_same_doubles(monkeypatch):
    values = mixed_matrix()
    whole = allpairs.spearman_all_pairs(values)
    monkeypatch.setattr(allpairs, "COMPLETE_CHUNK", 7)  # 40-odd complete rows in seven chunks
    chunked = allpairs.spearman_all_pairs(values)
    assert np.array_equal(whole[0], chunked[0], equal_nan=True) and np.array_equal(whole[1], chunked[1])
    complete = ~np.isnan(values).any(axis=1)
    assert complete.sum() > 30 and not np.isnan(chunked[0][np.ix_(complete, complete)][np.triu_indices(int(complete.sum()), 1)]).all()
