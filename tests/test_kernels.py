"""The compiled per-row kernels (etl/stats/kernels.py) against plain numpy/scipy, row by row, on
inputs chosen to stress the Hodges-Lehmann selection: ties among values and among differences,
missing values, heavy tails, extreme scales, one value on a side, an even and odd number of pairs."""

from __future__ import annotations

import concurrent.futures

import numpy as np
import pytest
from scipy import stats

from omicskb.etl.stats.box import box_stats
from omicskb.etl.stats.ranksum import hodges_lehmann, rank_sum


def brute_hodges_lehmann(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        a, b = x[i][~np.isnan(x[i])], y[i][~np.isnan(y[i])]
        if len(a) and len(b):
            out[i] = np.median(np.subtract.outer(a, b))
    return out


def draw(kind: str, rng: np.random.Generator, rows: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    if kind == "normal":
        return rng.normal(size=(rows, m)) + rng.normal(size=(rows, 1)), rng.normal(size=(rows, n))
    if kind == "few_levels":  # most differences tied
        return rng.integers(0, 4, size=(rows, m)).astype(float), rng.integers(0, 3, size=(rows, n)).astype(float)
    if kind == "cauchy_rounded":  # heavy tails, ties
        return np.round(rng.standard_cauchy(size=(rows, m)), 1), np.round(rng.standard_cauchy(size=(rows, n)), 1)
    if kind == "half_zero":  # a block of equal values and a spread
        x = np.zeros((rows, m))
        x[:, : m // 2] = rng.normal(size=(rows, m // 2))
        return x, np.zeros((rows, n))
    if kind == "scales":  # differences spanning 16 orders of magnitude
        return rng.exponential(size=(rows, m)) * 1e-8, rng.exponential(size=(rows, n)) * 1e8
    if kind == "shifted":  # the medians' difference is a poor first guess
        return rng.exponential(size=(rows, m)) ** 3 + 5.0, -rng.exponential(size=(rows, n)) ** 3
    raise ValueError(kind)


KINDS = ["normal", "few_levels", "cauchy_rounded", "half_zero", "scales", "shifted"]


@pytest.mark.parametrize("kind", KINDS)
def test_hodges_lehmann_equals_the_median_of_every_difference(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    checked = 0
    for m, n in [(1, 1), (1, 7), (9, 1), (2, 2), (13, 8), (40, 25), (61, 37), (120, 70)]:
        x, y = draw(kind, rng, 40, m, n)
        x[rng.random(x.shape) < 0.3] = np.nan
        y[rng.random(y.shape) < 0.3] = np.nan
        got = hodges_lehmann(x, y)
        expected = brute_hodges_lehmann(x, y)
        assert np.array_equal(got, expected, equal_nan=True), (kind, m, n)
        checked += int(np.isfinite(expected).sum())
    assert checked > 200


def test_u_ties_and_medians_match_scipy_row_by_row():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 6, size=(300, 45)).astype(float)
    y = rng.integers(0, 6, size=(300, 30)).astype(float) + 0.5 * rng.integers(0, 2, size=(300, 1))
    x[rng.random(x.shape) < 0.2] = np.nan
    y[rng.random(y.shape) < 0.2] = np.nan
    result = rank_sum(x, y, min_x=1, min_y=1)
    for i in range(300):
        a, b = x[i][~np.isnan(x[i])], y[i][~np.isnan(y[i])]
        if not result.tested[i]:
            continue
        expected = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
        assert result.u[i] == expected.statistic
        assert result.median_x[i] == np.median(a) and result.median_y[i] == np.median(b)
        if not result.exact[i]:
            assert np.isclose(result.p[i], expected.pvalue, rtol=1e-10, atol=0)


def test_boxes_of_tied_and_tiny_rows_match_numpy():
    rng = np.random.default_rng(12)
    values = rng.integers(0, 5, size=(200, 25)).astype(float)
    values[rng.random(values.shape) < 0.5] = np.nan
    values[:5, 1:] = np.nan  # one value
    values[5:10] = 3.0  # all equal: IQR 0, nothing outlying
    box = box_stats(values)
    for i in range(200):
        v = values[i][~np.isnan(values[i])]
        if not len(v):
            continue
        q = np.percentile(v, [0, 25, 50, 75, 100])
        assert (box.minimum[i], box.q1[i], box.median[i], box.q3[i], box.maximum[i]) == tuple(q)
        iqr = q[3] - q[1]
        outside = (v < q[1] - 1.5 * iqr) | (v > q[3] + 1.5 * iqr)
        assert box.n_mild[i] + box.n_extreme[i] == outside.sum()
    assert (box.n_mild[5:10] == 0).all() and (box.whisker_low[5:10] == 3.0).all()


@pytest.mark.parametrize("chunked", [False, True])
def test_outliers_are_numpys_values_outside_the_fences_with_their_columns(chunked):
    """Each row's outliers, in column order, with their columns, values and extreme flags, equal
    numpy's values beyond 1.5 (mild) and 3 (extreme) IQR; rows without any (most of them) and rows
    whose last outlier comes early are both here (the scan skips the first and stops at the last)."""
    from omicskb.etl.stats.ranksum import rank_sum_with_boxes

    rng = np.random.default_rng(21)
    values = rng.standard_t(2, size=(3000, 60))  # heavy tails: rows with several outliers
    values[rng.random(values.shape) < 0.2] = np.nan
    values[:1000] = rng.normal(size=(1000, 60))  # mostly none
    values[1000:1100, 5] = 1e6  # one early, then nothing
    box = rank_sum_with_boxes(values, values[:, :0])[1] if chunked else box_stats(values)
    expected_rows, expected_columns, expected_extreme = [], [], []
    for i in range(len(values)):
        present = ~np.isnan(values[i])
        q1, q3 = np.percentile(values[i][present], [25, 75])
        iqr = q3 - q1
        with np.errstate(invalid="ignore"):
            outside = present & ((values[i] < q1 - 1.5 * iqr) | (values[i] > q3 + 1.5 * iqr))
            extreme = (values[i] < q1 - 3 * iqr) | (values[i] > q3 + 3 * iqr)
        columns = np.flatnonzero(outside)
        expected_rows += [i] * len(columns)
        expected_columns += columns.tolist()
        expected_extreme += extreme[columns].tolist()
    assert box.outlier_rows.tolist() == expected_rows and box.outlier_columns.tolist() == expected_columns
    assert np.array_equal(box.outlier_values, values[expected_rows, expected_columns])
    assert box.outlier_extreme.tolist() == expected_extreme
    assert 0 < len(expected_rows) and (np.bincount(expected_rows, minlength=len(values)) == 0).sum() > 500


def test_kernels_called_from_two_threads_at_once():
    """numba's workqueue layer aborts on concurrent parallel kernels: the lock must serialise them."""
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(5000, 30)), rng.normal(size=(5000, 20))
    expected = rank_sum(x, y).log10_p
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: (rank_sum(x, y).log10_p, box_stats(x).q1), range(4)))
    for log10_p, _ in runs:
        assert np.array_equal(log10_p, expected, equal_nan=True)
