"""Meta P (Stouffer from z), Benjamini-Hochberg q in log space, and box statistics, against
independent computations written here from METHODS.md."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from omicskb.etl.stats.box import box_stats
from omicskb.etl.stats.combine import bh_log10_q, stouffer, stouffer_with_single


def stouffer_from_p(signed_p: list[float]) -> float:
    """METHODS.md word for word, from two-sided signed p (fine where nothing is tiny)."""
    signs = [1 if s >= 0 else -1 for s in signed_p]
    majority = 1 if sum(signs) >= 0 else -1
    one_sided = [abs(s) / 2 if sign == majority else 1 - abs(s) / 2 for s, sign in zip(signed_p, signs)]
    z = sum(stats.norm.isf(p) for p in one_sided) / math.sqrt(len(one_sided))
    p = stats.norm.sf(z)
    two = 2 * min(p, 1 - p)
    return two * (majority if p <= 0.5 else -majority)


def test_stouffer_matches_the_methods_recipe():
    rng = np.random.default_rng(2)
    signed_p = rng.uniform(1e-6, 1, size=(200, 6)) * rng.choice([-1, 1], size=(200, 6))
    signed_p[rng.random(signed_p.shape) < 0.3] = np.nan
    z_abs = stats.norm.isf(np.abs(signed_p) / 2)
    direction = np.sign(signed_p)
    meta = stouffer(z_abs, direction)
    for i in range(200):
        row = [v for v in signed_p[i] if not np.isnan(v)]
        if not row:
            assert meta.n_cohorts[i] == 0 and np.isnan(meta.log10_p[i])
            continue
        expected = stouffer_from_p(row)
        got = meta.direction[i] * 10 ** meta.log10_p[i]
        assert math.isclose(got, expected, rel_tol=1e-9), (i, row, got, expected)
        majority = 1 if sum(np.sign(row)) >= 0 else -1
        assert meta.n_cohorts[i] == len(row) and meta.n_agree[i] == sum(1 for v in row if np.sign(v) == majority)


def test_an_opposing_cohort_with_a_tiny_p_does_not_break_the_combination():
    # 1 - p/2 rounds to 1 for p < 2e-16: a naive Stouffer gives -inf. From z it does not.
    z_abs = np.array([[40.0, 3.0, 3.0]])
    direction = np.array([[-1.0, 1.0, 1.0]])
    meta = stouffer(z_abs, direction)
    expected_z = (-40.0 + 3.0 + 3.0) / math.sqrt(3)
    assert math.isclose(meta.z[0], expected_z, rel_tol=1e-14)
    assert meta.direction[0] == -1.0 and meta.n_agree[0] == 2  # the majority is +, Z < 0 flips it
    assert math.isfinite(meta.log10_p[0]) and meta.log10_p[0] < -80
    assert math.isclose(meta.log10_p[0], (math.log(2) + stats.norm.logsf(abs(expected_z))) / math.log(10), rel_tol=1e-12)


def test_one_cohort_keeps_its_own_p_and_a_tie_of_directions_counts_as_positive():
    meta = stouffer_with_single(np.array([[np.nan, 2.5]]), np.array([[np.nan, -1.0]]), np.array([[np.nan, -1.9123456789]]))
    assert meta.n_cohorts[0] == 1 and meta.log10_p[0] == -1.9123456789 and meta.direction[0] == -1.0
    tie = stouffer(np.array([[2.0, 1.0]]), np.array([[-1.0, 1.0]]))
    assert tie.n_agree[0] == 1 and math.isclose(tie.z[0], (-2.0 + 1.0) / math.sqrt(2)) and tie.direction[0] == -1.0


def test_bh_q_in_log_space_matches_the_textbook_on_p():
    rng = np.random.default_rng(4)
    p = rng.uniform(0, 1, 500) ** 3
    log10_p = np.log10(p)
    log10_p[::17] = np.nan
    got = bh_log10_q(log10_p)
    tested = ~np.isnan(log10_p)
    expected = stats.false_discovery_control(p[tested], method="bh")
    assert np.allclose(10 ** got[tested], expected, rtol=1e-10) and np.isnan(got[~tested]).all()
    tiny = bh_log10_q(np.array([-400.0, -350.0, -1.0]))
    assert np.all(np.isfinite(tiny)) and math.isclose(tiny[0], -400 + math.log10(3), rel_tol=1e-12)


def test_box_statistics_follow_tukey_with_type_7_quartiles():
    rng = np.random.default_rng(9)
    values = rng.normal(size=(100, 40))
    values[:, :3] = [[8.0, -9.0, 3.2]]  # far out, on both sides
    values[rng.random(values.shape) < 0.2] = np.nan
    values[5] = np.nan
    box = box_stats(values)
    for i in range(100):
        v = values[i][~np.isnan(values[i])]
        if not len(v):
            assert box.n[i] == 0 and np.isnan(box.median[i]) and box.mild[i] == [] and box.extreme[i] == []
            continue
        q1, med, q3 = np.percentile(v, [25, 50, 75])  # numpy's default is R's type 7
        assert (box.q1[i], box.median[i], box.q3[i]) == (q1, med, q3)
        iqr = q3 - q1
        inside = v[(v >= q1 - 1.5 * iqr) & (v <= q3 + 1.5 * iqr)]
        assert box.whisker_low[i] == inside.min() and box.whisker_high[i] == inside.max()
        extreme = sorted(x for x in v if x < q1 - 3 * iqr or x > q3 + 3 * iqr)
        mild = sorted(x for x in v if (q1 - 3 * iqr <= x < q1 - 1.5 * iqr) or (q3 + 1.5 * iqr < x <= q3 + 3 * iqr))
        assert box.extreme[i] == extreme and box.mild[i] == mild
    assert sum(len(e) for e in box.extreme) > 50


@pytest.mark.parametrize("shape", [(0, 5), (3, 0)])
def test_empty_inputs(shape):
    box = box_stats(np.empty(shape))
    assert len(box.n) == shape[0]
    meta = stouffer(np.empty(shape), np.empty(shape))
    assert len(meta.n_cohorts) == shape[0]
