"""The vectorised Wilcoxon rank-sum test (etl/stats/ranksum.py) against scipy, row by row, on the
seed UCEC cohort's real blocks and on the edge cases R's wilcox.test conventions turn on."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import omicskb as api
from omicskb.etl.stats import ranksum
from omicskb.etl.stats.box import box_stats
from omicskb.etl.stats.ranksum import EXACT_BELOW, REASON_ALL_EQUAL, hodges_lehmann, rank_sum, rank_sum_with_boxes

RELATIVE = 1e-10


def scipy_row(x: np.ndarray, y: np.ndarray, exact: bool):
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    return stats.mannwhitneyu(x, y, alternative="two-sided", method="exact" if exact else "asymptotic", use_continuity=True)


def r_uses_exact(x: np.ndarray, y: np.ndarray) -> bool:
    """R: exact when both groups have fewer than 50 values and no value is tied (within or across)."""
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    both = np.concatenate([x, y])
    return len(x) < 50 and len(y) < 50 and len(np.unique(both)) == len(both)


def check_against_scipy(x: np.ndarray, y: np.ndarray, result, rows=None) -> int:
    """Every tested row: U, p (to 1e-10 relative), the exact/normal choice, the shift, the sign."""
    checked = 0
    for i in rows if rows is not None else range(x.shape[0]):
        if not result.tested[i]:
            continue
        xi, yi = x[i][~np.isnan(x[i])], y[i][~np.isnan(y[i])]
        exact = r_uses_exact(x[i], y[i])
        assert bool(result.exact[i]) == exact, i
        ref = scipy_row(x[i], y[i], exact)
        assert result.u[i] == ref.statistic, i
        assert math.isclose(result.p[i], ref.pvalue, rel_tol=RELATIVE), (i, result.p[i], ref.pvalue)
        shift = np.median(np.subtract.outer(xi, yi))
        assert result.hl_shift[i] == shift, i
        assert result.signed_p[i] == (ref.pvalue if shift >= 0 else -ref.pvalue) or math.isclose(result.signed_p[i], ref.pvalue if shift >= 0 else -ref.pvalue, rel_tol=RELATIVE)
        z = result.z[i]
        assert math.isclose(2 * stats.norm.sf(abs(z)), ref.pvalue, rel_tol=1e-9) and (z >= 0) == (shift >= 0) or ref.pvalue == 1.0
        checked += 1
    return checked


@pytest.fixture(scope="module")
def seed_blocks(tmp_path_factory):
    from click.testing import CliRunner

    from conftest import SEEDS
    from omicskb.etl.cli import cli

    target = str(tmp_path_factory.mktemp("ranksum") / "seed.duckdb")
    assert CliRunner().invoke(cli, ["--db", target, "--quiet", "init"]).exit_code == 0
    result = CliRunner().invoke(cli, ["--db", target, "--quiet", "load", "seeds", str(SEEDS)])
    assert result.exit_code == 0, result.output
    with api.connect(target) as db:
        return {omics: db.block("UCEC", omics) for omics in ("protein", "rna", "phospho", "acetyl")}


@pytest.mark.parametrize("omics", ["protein", "rna", "phospho", "acetyl"])
def test_every_seed_feature_matches_scipy(seed_blocks, omics):
    block = seed_blocks[omics]
    x, y = block.values[:, block.columns("tumor")], block.values[:, block.columns("normal")]
    assert x.shape[1] >= 20 and y.shape[1] >= 10
    result = rank_sum(x, y)
    checked = check_against_scipy(x, y, result)
    assert checked == result.tested.sum() > 50
    untested = ~result.tested
    assert all(result.reason[untested]) and not any(result.reason[~untested])
    assert (result.n_x[untested] < 20).sum() + (result.n_y[untested] < 10).sum() + (result.reason[untested] == REASON_ALL_EQUAL).sum() >= untested.sum()


def test_small_groups_use_the_exact_distribution_and_its_p_is_far_below_the_approximation():
    x = np.arange(45, 90, dtype=float)[None, :]  # 45 tumors, every one above every normal
    y = np.arange(0, 45, dtype=float)[None, :]
    result = rank_sum(x, y)
    assert result.exact[0] and result.u[0] == 45 * 45
    exact_p = 2 / math.comb(90, 45)
    assert math.isclose(result.p[0], exact_p, rel_tol=1e-12)
    approx = scipy_row(x[0], y[0], exact=False).pvalue
    assert approx / exact_p > 1000  # why the exact p matters
    assert result.hl_shift[0] == np.median(np.subtract.outer(x[0], y[0])) > 0


def test_the_exact_switch_follows_r_at_49_and_50_and_with_one_tie():
    rng = np.random.default_rng(7)
    for n_x, n_y, tie, exact in ((49, 49, False, True), (50, 20, False, False), (20, 50, False, False), (30, 20, True, False)):
        x = rng.normal(0.5, 1, size=(1, n_x))
        y = rng.normal(0, 1, size=(1, n_y))
        if tie:
            y[0, 0] = x[0, 0]
        result = rank_sum(x, y)
        assert bool(result.exact[0]) == exact, (n_x, n_y, tie)
        assert check_against_scipy(x, y, result) == 1


def test_minimum_counts_at_the_thresholds_and_all_tied_rows_get_reasons():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 25))
    y = rng.normal(size=(5, 12))
    x[1, 20:] = np.nan  # exactly 20 tumors: tested
    x[2, 19:] = np.nan  # 19: not
    y[3, 9:] = np.nan  # 9 normals: not
    x[4], y[4] = 2.5, 2.5  # every value equal
    result = rank_sum(x, y)
    assert list(result.tested) == [True, True, False, False, False]
    assert list(result.reason) == [None, None, "fewer than 20 tumor values", "fewer than 10 normal values", REASON_ALL_EQUAL]
    assert list(result.n_x) == [25, 20, 19, 25, 25] and list(result.n_y) == [12, 12, 12, 9, 12]
    assert np.isnan(result.log10_p[2:]).all() and np.isnan(result.hl_shift[2:]).all() and np.isnan(result.u[2:]).all()
    assert result.median_x[4] == 2.5  # still described
    check_against_scipy(x, y, result)


def test_many_ties_and_missing_patterns_match_scipy():
    rng = np.random.default_rng(11)
    x = np.round(rng.normal(0.2, 1, size=(400, 60)), 1)
    y = np.round(rng.normal(0, 1, size=(400, 40)), 1)
    x[rng.random(x.shape) < 0.3] = np.nan
    y[rng.random(y.shape) < 0.3] = np.nan
    x[:40, :] = np.where(np.isnan(x[:40]), np.nan, 0.0)  # zero-inflated rows
    x[:40, :5] = 1.0
    result = rank_sum(x, y)
    assert check_against_scipy(x, y, result) > 300


def log_normal_tail(z: float) -> float:
    """log Phi(-z) for large z from the asymptotic series, independent of scipy.special."""
    series = 1.0
    term = 1.0
    for k in range(1, 8):
        term *= -(2 * k - 1) / z**2
        series += term
    return -z * z / 2 - math.log(z) - 0.5 * math.log(2 * math.pi) + math.log(series)


def test_p_far_below_1e300_stays_finite_and_exact_in_log_space():
    x = np.arange(1000, 2000, dtype=float)[None, :]
    y = np.arange(0, 1000, dtype=float)[None, :]
    result = rank_sum(x, y)
    assert not result.exact[0] and result.u[0] == 1e6
    mn, n = 1e6, 2000.0
    z = (result.u[0] - mn / 2 - 0.5) / math.sqrt(mn / 12 * (n + 1))
    assert math.isclose(result.z[0], z, rel_tol=1e-12) and z > 38
    expected = (math.log(2) + log_normal_tail(z)) / math.log(10)
    assert expected < -300 and math.isfinite(result.log10_p[0])
    assert math.isclose(result.log10_p[0], expected, rel_tol=1e-12)
    assert result.p[0] == 0.0 or result.p[0] < 1e-300  # the plain p underflows; log10 p does not
    assert result.signed_log10_p[0] == -result.log10_p[0] > 300


def test_a_zero_shift_is_positive_and_a_negative_shift_signs_p():
    x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0] * 4])
    y = np.array([[1.0, 2.0, 3.0, 4.0, 5.0] * 2])
    result = rank_sum(x, y)
    assert result.hl_shift[0] == 0.0 and result.direction[0] == 1.0 and result.signed_p[0] > 0
    result = rank_sum(y.repeat(2, axis=1) - 10, y)
    assert result.hl_shift[0] < 0 and result.signed_p[0] < 0 and result.z[0] < 0


def test_hodges_lehmann_is_the_exact_median_of_pairwise_differences():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 31))
    y = rng.normal(size=(300, 17))
    x[rng.random(x.shape) < 0.4] = np.nan
    y[rng.random(y.shape) < 0.4] = np.nan
    got = hodges_lehmann(x, y)
    for i in range(300):
        xi, yi = x[i][~np.isnan(x[i])], y[i][~np.isnan(y[i])]
        assert got[i] == (np.median(np.subtract.outer(xi, yi)) if len(xi) and len(yi) else got[i])
    assert EXACT_BELOW == 50


@pytest.mark.realdata
@pytest.mark.parametrize("omics", ["protein", "rna"])
def test_every_feature_of_the_full_ucec_cohort_matches_scipy(realdata, tmp_path_factory, omics):
    """The complete cptac 2019 UCEC cohort: every protein and every RNA feature, not a sample."""
    from click.testing import CliRunner

    from omicskb.etl.cli import cli

    target = str(tmp_path_factory.getbasetemp() / "ranksum_ucec.duckdb")
    if not __import__("os").path.exists(target):
        runner = CliRunner()
        assert runner.invoke(cli, ["--db", target, "--quiet", "init"]).exit_code == 0
        result = runner.invoke(cli, ["--db", target, "--quiet", "load", "cohort", str(realdata / "cptac-ucec-2019"), "--cohort", "UCEC", "--layout", "cptac2019"])
        assert result.exit_code == 0, result.output
    with api.connect(target) as db:
        block = db.block("UCEC", omics)
    x, y = block.values[:, block.columns("tumor")], block.values[:, block.columns("normal")]
    result = rank_sum(x, y)
    checked = check_against_scipy(x, y, result)
    assert checked == result.tested.sum() > 9000
    assert_chunked_path_equals_whole_matrix_path(x, y)  # what derive runs, on every feature
    print(f"{omics}: {checked} features checked, {int(result.exact.sum())} exact, {int((~result.tested).sum())} untested")


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (NaN where NaN), dtype included."""
    return a.dtype == b.dtype and a.shape == b.shape and (np.array_equal(a, b, equal_nan=a.dtype.kind == "f") if a.dtype != object else list(a) == list(b))


def assert_chunked_path_equals_whole_matrix_path(x: np.ndarray, y: np.ndarray) -> None:
    """rank_sum_with_boxes (chunks sorted in reused buffers, serial kernels in threads: derive's
    path) gives rank_sum's tests and box_stats' boxes, every field bit for bit."""
    result, box_x, box_y = rank_sum_with_boxes(x, y)
    if y.shape[1] and x.shape[1]:
        whole = rank_sum(x, y)
        for field in ("n_x", "n_y", "median_x", "median_y", "u", "z", "log10_p", "exact", "hl_shift", "reason"):
            assert same(getattr(result, field), getattr(whole, field)), field
    else:
        assert result is None
    for values, box in ((x, box_x), (y, box_y)):
        if not values.shape[1]:
            assert box is None
            continue
        whole_box = box_stats(values)
        for field in ("n", "minimum", "q1", "median", "q3", "maximum", "whisker_low", "whisker_high", "outlier_rows", "outlier_columns",
                      "outlier_values", "outlier_extreme", "n_mild", "n_extreme"):
            assert same(getattr(box, field), getattr(whole_box, field)), field


@pytest.mark.parametrize("omics", ["protein", "rna", "phospho", "acetyl"])
def test_derives_chunked_path_equals_the_whole_matrix_path_on_the_seed_blocks(seed_blocks, omics):
    block = seed_blocks[omics]
    assert_chunked_path_equals_whole_matrix_path(block.values[:, block.columns("tumor")], block.values[:, block.columns("normal")])


@pytest.mark.parametrize("rows", [0, 1, ranksum.CHUNK_ROWS, 2 * ranksum.CHUNK_ROWS + 37])
def test_derives_chunked_path_equals_the_whole_matrix_path_across_chunks(rows):
    rng = np.random.default_rng(rows)
    x = np.round(rng.normal(0.3, 1, size=(rows, 45)), 1)  # ties, and outliers from the heavy tail below
    y = np.round(rng.standard_t(3, size=(rows, 30)), 1)
    x[rng.random(x.shape) < 0.4] = np.nan
    y[rng.random(y.shape) < 0.2] = np.nan
    x[:rows // 10] = np.nan  # rows with nothing on one side
    y[rows // 10:rows // 5, :25] = np.nan
    assert_chunked_path_equals_whole_matrix_path(x, y)
    assert_chunked_path_equals_whole_matrix_path(x, y[:, :0])  # a block without normals: tumor boxes only
    assert_chunked_path_equals_whole_matrix_path(x[:, :0], y)  # nor tumors: normal boxes only, in their place
    if rows > ranksum.CHUNK_ROWS:
        result, box_x, _ = rank_sum_with_boxes(x, y, workers=1)  # one thread takes every chunk in turn
        assert same(result.hl_shift, rank_sum(x, y).hl_shift) and same(box_x.outlier_values, box_stats(x).outlier_values)
