"""etl/stats/spearman.py: pairwise-complete Spearman against scipy on each pair's shared samples,
the minimum-count and variance rules, |rho| = 1, and the log-space t tail against mpmath."""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from scipy import stats

from omicskb.etl.stats.spearman import NO_VARIANCE, TOO_FEW, log10_t_two_sided, spearman_one_vs_rows, spearman_paired


def _scipy_on_shared(x: np.ndarray, row: np.ndarray) -> tuple[int, float, float]:
    both = ~np.isnan(x) & ~np.isnan(row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)  # a constant overlap: NaN, as expected
        result = stats.spearmanr(x[both], row[both])
    return int(both.sum()), float(result.statistic), float(result.pvalue)


def _assert_rows_equal_scipy(got, x_rows, y_rows, labels) -> int:
    """Each result against scipy on that pair's shared samples: n always; rho to 1e-12 and p, log10 p
    to 1e-10 where tested, else NaN with a reason. Returns how many were tested."""
    compared = 0
    for i, (x, y, label) in enumerate(zip(x_rows, y_rows, labels)):
        n, rho, p = _scipy_on_shared(x, y)
        assert got.n[i] == n, label
        if n < 10 or np.isnan(rho):
            assert np.isnan(got.rho[i]) and got.reason[i] in (TOO_FEW, NO_VARIANCE), label
            continue
        assert got.reason[i] is None
        assert math.isclose(got.rho[i], rho, rel_tol=1e-12, abs_tol=1e-15), (label, got.rho[i], rho)
        assert math.isclose(got.p[i], p, rel_tol=1e-10), (label, got.p[i], p)
        assert math.isclose(got.log10_p[i], math.log10(p), rel_tol=1e-10, abs_tol=1e-13), label
        assert got.signed_log10_p[i] == math.copysign(1.0, got.rho[i] if got.rho[i] != 0 else 1.0) * -got.log10_p[i]
        compared += 1
    return compared


def _rows(rng: np.random.Generator, rows: int, samples: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=samples)
    y = 0.4 * x + rng.normal(size=(rows, samples))
    y[: rows // 3] = np.round(y[: rows // 3], 1)  # ties inside the overlap
    y[rows // 3: rows // 2] = np.round(y[rows // 3: rows // 2] * 2) / 2  # heavy ties
    y[rng.random(size=y.shape) < 0.3] = np.nan
    x[rng.random(size=samples) < 0.1] = np.nan
    return x, y


@pytest.mark.parametrize("samples", [12, 40, 130])
def test_every_row_equals_scipy_on_the_samples_the_pair_shares(samples):
    rng = np.random.default_rng(samples)
    x, y = _rows(rng, 300, samples)
    got = spearman_one_vs_rows(x, y)
    compared = _assert_rows_equal_scipy(got, [x] * len(y), y, range(len(y)))
    assert compared > (200 if samples > 12 else 20)  # with 12 samples most pairs share fewer than 10


def test_reranking_within_the_overlap_is_not_ranking_once():
    """The shortcut (rank every sample once, correlate the ranks of the shared ones) gives another
    rho when values are missing; the stored one is the re-ranked, scipy's."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=60)
    y = x + rng.normal(size=(1, 60))
    y[0, np.abs(x) < 0.6] = np.nan  # missing in the middle of x's range
    both = ~np.isnan(y[0])
    once = stats.pearsonr(stats.rankdata(x)[both], stats.rankdata(np.nan_to_num(y[0], nan=9e9))[both]).statistic
    got = spearman_one_vs_rows(x, y)
    assert math.isclose(got.rho[0], stats.spearmanr(x[both], y[0, both]).statistic, rel_tol=1e-12)
    assert abs(got.rho[0] - once) > 1e-3


def test_minimum_shared_samples_and_variance():
    x = np.arange(30, dtype=float)
    y = np.tile(np.arange(30, dtype=float)[::-1], (4, 1))
    y[0, 9:] = np.nan  # 9 shared: too few
    y[1, 10:] = np.nan  # 10 shared: tested
    y[2, :] = 5.0  # constant
    y[3, ::2] = np.nan  # 15 shared
    got = spearman_one_vs_rows(x, y)
    assert got.n.tolist() == [9, 10, 30, 15]
    assert np.isnan(got.rho[0]) and got.reason[0] == TOO_FEW
    assert got.rho[1] == -1.0 and got.reason[1] is None
    assert np.isnan(got.rho[2]) and got.reason[2] == NO_VARIANCE
    assert got.rho[3] == -1.0


def test_perfect_correlation_has_p_zero_and_minus_infinite_log10_p():
    x = np.arange(20, dtype=float)
    got = spearman_one_vs_rows(x, np.vstack([x ** 3, -x]))
    assert got.rho.tolist() == [1.0, -1.0]
    assert got.p.tolist() == [0.0, 0.0]
    assert got.log10_p.tolist() == [-math.inf, -math.inf]
    assert got.signed_log10_p.tolist() == [math.inf, -math.inf]


def _mpmath_log10_two_sided(t: float, df: float) -> float:
    mpmath.mp.dps = 60
    x = mpmath.mpf(df) / (df + mpmath.mpf(t) ** 2)
    return float(mpmath.log10(mpmath.betainc(df / 2, 0.5, 0, x, regularized=True)))


@pytest.mark.parametrize("df", [8, 18, 98, 400])
def test_the_t_tail_stays_finite_and_exact_far_below_1e_300(df):
    ts = np.array([0.0, 0.5, 3.0, 12.0, 40.0, 1e3, 1e5, 1e8, 1e12, 1e40])
    got = log10_t_two_sided(ts, np.full(ts.shape, float(df)))
    for t, value in zip(ts, got):
        expected = _mpmath_log10_two_sided(float(t), float(df)) if t else 0.0
        assert np.isfinite(value)
        assert math.isclose(value, expected, rel_tol=1e-10, abs_tol=1e-13), (t, df, value, expected)
    assert got[-1] < -300  # the deep tail is really exercised


def test_paired_rows_equal_scipy_row_by_row():
    rng = np.random.default_rng(11)
    x_vector, y = _rows(rng, 200, 50)
    x = np.round(y + rng.normal(scale=0.7, size=y.shape), 1)  # each row of x goes with the same row of y
    x[rng.random(size=x.shape) < 0.2] = np.nan
    got = spearman_paired(x, y)
    compared = _assert_rows_equal_scipy(got, x, y, range(len(y)))
    assert compared > 150
    with pytest.raises(ValueError, match="one shape"):
        spearman_paired(x[:, :10], y)


def rna_protein_pairs(target: str, cohort: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The tumors' RNA and protein rows of every gene both blocks measure, on the samples (by id)
    both have: (rna, protein, gene ids)."""
    import omicskb as api

    with api.connect(target) as db:
        rna, protein = db.block(cohort, "rna"), db.block(cohort, "protein")
    rna_cols, protein_cols = rna.columns("tumor"), protein.columns("tumor")
    shared = np.intersect1d(rna.sample_ids[rna_cols], protein.sample_ids[protein_cols])
    rna_at = {s: i for i, s in enumerate(rna.sample_ids.tolist())}
    protein_at = {s: i for i, s in enumerate(protein.sample_ids.tolist())}
    rna_row = {g: i for i, g in enumerate(rna.gene_ids) if g is not None}
    genes = [g for g in dict.fromkeys(protein.gene_ids) if g is not None and g in rna_row]
    protein_row = {g: i for i, g in enumerate(protein.gene_ids) if g is not None}
    x = rna.values[np.ix_([rna_row[g] for g in genes], [rna_at[s] for s in shared.tolist()])]
    y = protein.values[np.ix_([protein_row[g] for g in genes], [protein_at[s] for s in shared.tolist()])]
    return x, y, genes


@pytest.mark.realdata
def test_cis_rna_protein_of_every_gene_of_the_full_ucec_cohort_equals_scipy(realdata, tmp_path_factory, omicskb):
    """Each gene's tumor RNA against its tumor protein, every gene both measure (the whole human
    gene_info, so every symbol resolves), against scipy on the samples the pair shares."""
    target = str(tmp_path_factory.mktemp("cis_ucec") / "ucec.duckdb")
    assert omicskb(target, "init").exit_code == 0
    assert omicskb(target, "load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz").exit_code == 0
    result = omicskb(target, "load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    x, y, genes = rna_protein_pairs(target, "UCEC")
    checked = _assert_rows_equal_scipy(spearman_paired(x, y), x, y, genes)
    assert checked > 9_000


def test_sort_orders_puts_values_in_exact_order_even_where_they_differ_only_in_their_lowest_bits():
    """sort_orders sorts int64 keys whose lowest bits hold the sample index: values that differ only
    in those bits, signed zeros, infinities, subnormals and NaN must still come out in exact order."""
    from omicskb.etl.stats.spearman import sort_orders

    rng = np.random.default_rng(5)
    near_one = [1.0 + k * np.finfo(float).eps for k in range(60)]
    near_minus_one = [-1.0 - k * np.finfo(float).eps for k in range(30)]
    special = [-0.0, 0.0, np.inf, -np.inf, 5e-324, -5e-324, np.nan, np.nan, 1.0, 1.0, 1e308, -1e308]
    base = np.array(near_one + near_minus_one + special)
    rows = np.array([rng.permutation(base) for _ in range(300)])
    order, present = sort_orders(rows)
    for row, o, p in zip(rows, order, present):
        assert sorted(o.tolist()) == list(range(len(row)))  # a permutation
        assert p == np.count_nonzero(~np.isnan(row)) and np.isnan(row[o[p:]]).all()
        assert (np.diff(row[o[:p]]) >= 0).all()
    one, count = sort_orders(rows[0])  # a vector: one order and one count
    assert one.shape == rows[0].shape and count == present[0]
