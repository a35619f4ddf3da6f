"""The phenotype tests of etl/stats/groups.py against independent references: Kruskal-Wallis
against scipy.stats.kruskal; Jonckheere-Terpstra's statistic against a brute-force pair count and
its tie-corrected variance against the exact permutation variance (every assignment of the levels
enumerated); the Cox score test against statsmodels' PHReg score and Hessian at beta = 0 (Breslow
ties). Rows hold missing values, ties and levels without values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from omicskb.etl.stats.groups import cox_score_rows, jonckheere_rows, kruskal_rows


def mixed_rows(rng: np.random.Generator, rows: int, samples: int) -> np.ndarray:
    """Normal rows, rounded rows (mass ties), rows with 30% missing, and a constant row."""
    values = rng.normal(size=(rows, samples))
    values[rows // 3: 2 * rows // 3] = np.round(values[rows // 3: 2 * rows // 3] * 2) / 2
    values[rng.random(values.shape) < 0.15] = np.nan
    values[-1] = 1.0
    return values


def test_kruskal_equals_scipy_row_by_row():
    rng = np.random.default_rng(1)
    values = mixed_rows(rng, 60, 70)
    codes = rng.integers(-1, 4, size=70)  # -1: no level
    result = kruskal_rows(values, codes)
    tested = 0
    for i, row in enumerate(values):
        keep = ~np.isnan(row) & (codes >= 0)
        groups = [row[keep & (codes == g)] for g in range(4)]
        groups = [g for g in groups if len(g)]
        assert result.n[i] == keep.sum()
        if keep.sum() < 20 or len(np.unique(row[keep])) == 1:
            assert np.isnan(result.log10_p[i]) and result.reason[i]
            continue
        ref = stats.kruskal(*groups)
        assert math.isclose(result.statistic[i], ref.statistic, rel_tol=1e-12)
        assert math.isclose(result.p[i], ref.pvalue, rel_tol=1e-10)
        tested += 1
    assert tested > 40 and np.isnan(result.direction).all()


def brute_jt(row: np.ndarray, codes: np.ndarray) -> float:
    total = 0.0
    for a, b in itertools.combinations(range(len(row)), 2):
        if np.isnan(row[a]) or np.isnan(row[b]) or codes[a] < 0 or codes[b] < 0 or codes[a] == codes[b]:
            continue
        lo, hi = (a, b) if codes[a] < codes[b] else (b, a)
        total += 1.0 if row[hi] > row[lo] else 0.5 if row[hi] == row[lo] else 0.0
    return total


def test_jonckheere_statistic_equals_the_pair_count_and_its_variance_the_exact_permutation_variance():
    rng = np.random.default_rng(2)
    values = mixed_rows(rng, 30, 40)
    codes = rng.integers(-1, 3, size=40)
    result = jonckheere_rows(values, codes)
    for i, row in enumerate(values):
        if np.isnan(result.statistic[i]):
            continue
        assert result.statistic[i] == brute_jt(row, codes)
    # the null mean and tie-corrected variance: every distinct assignment of the levels to 9 tied values
    row = np.array([1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0])
    levels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    assignments = {tuple(p) for p in itertools.permutations(levels)}
    jt = np.array([brute_jt(row, np.array(a)) for a in assignments])
    one = jonckheere_rows(row[None, :], levels, min_n=2)
    mean = (len(row) ** 2 - 3 * 9) / 4
    exact_sd = jt.std()
    assert math.isclose(jt.mean(), mean, rel_tol=1e-12)
    assert math.isclose(one.z[0], (one.statistic[0] - mean) / exact_sd, rel_tol=1e-12)
    # rising values give a positive direction
    rising = np.tile(np.arange(30.0), (1, 1)) + rng.normal(0, 3, size=(1, 30))
    assert jonckheere_rows(rising, np.repeat([0, 1, 2], 10)).direction[0] == 1.0


def test_cox_score_test_equals_statsmodels_at_beta_zero():
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(3)
    samples = 80
    time = np.round(rng.exponential(100, size=samples))  # rounded: tied times
    event = (rng.random(samples) < 0.6).astype(float)
    time[5] = np.nan  # no follow-up
    values = mixed_rows(rng, 40, samples)
    values[0] = np.log(time + 1) + rng.normal(0, 0.3, size=samples)  # longer survival, larger value: negative coefficient
    result = cox_score_rows(values, time, event)
    tested = 0
    for i, row in enumerate(values):
        keep = ~np.isnan(row) & ~np.isnan(time)
        if np.isnan(result.z[i]):
            assert result.reason[i]
            continue
        model = PHReg(time[keep], row[keep][:, None], status=event[keep], ties="breslow")
        score = model.score(np.zeros(1))[0]
        information = -model.hessian(np.zeros(1))[0, 0]
        assert math.isclose(result.statistic[i], score * score / information, rel_tol=1e-10)
        assert math.isclose(result.p[i], stats.chi2.sf(score * score / information, 1), rel_tol=1e-10)
        assert result.direction[i] == (1.0 if score >= 0 else -1.0)
        tested += 1
    assert tested > 25
    assert result.direction[0] == -1.0


def test_minimum_counts_are_applied_and_said():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(1, 30))
    assert kruskal_rows(values, np.r_[np.zeros(15, int), -np.ones(15, int)]).reason[0] == "too few samples"
    assert kruskal_rows(values, np.zeros(30, int)).reason[0] == "fewer than two levels with values"
    time, event = rng.exponential(10, size=30), np.zeros(30)
    event[:3] = 1
    assert cox_score_rows(values, time, event).reason[0] == "fewer than 5 events"
    half = np.r_[np.zeros(25), np.ones(5)][None, :]
    event[:] = 1
    assert cox_score_rows(half, time, event).reason[0] == "fewer than 10 samples on a side of the median"


@pytest.mark.parametrize("test", [kruskal_rows, jonckheere_rows])
def test_extreme_separation_keeps_a_finite_log10_p(test):
    values = np.r_[np.arange(200.0), np.arange(200.0) + 1e6][None, :]
    codes = np.repeat([0, 1], 200)
    result = test(values, codes)
    assert np.isfinite(result.log10_p[0]) and result.log10_p[0] < -50
