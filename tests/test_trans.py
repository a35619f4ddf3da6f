"""`query gene_trans` (etl/trans.py, the computed input trans_pairs) on both backends: every
partner of every cohort equals scipy's spearmanr on the tumors the pair shares, the ranking and the
BH q are right, the META rows equal an independent Stouffer, a cohort without the gene says so, and
the query refuses to be printed for plain DuckDB or psql."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

import omicskb as api
from test_cis import write_second_cohort


def trans_rows(omicskb, target, gene: str, *args: str) -> list[dict]:
    result = omicskb(target, "query", "gene_trans", "-p", f"gene={gene}", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def scipy_partners(target, cohort: str, omics: str, gene_id: str) -> dict[int, tuple[int, float, float]]:
    """feature id -> (n, rho, p) of the gene against every other row, by scipy, tumors only."""
    with api.connect(target) as db:
        block = db.block(cohort, omics)
    tumors = block.values[:, block.columns("tumor")]
    own = block.gene_ids.index(gene_id)
    x = tumors[own]
    out = {}
    for i, feature_id in enumerate(block.feature_ids.tolist()):
        if i == own:
            continue
        both = ~np.isnan(x) & ~np.isnan(tumors[i])
        n = int(both.sum())
        if n < 10 or len(np.unique(x[both])) == 1 or len(np.unique(tumors[i][both])) == 1:
            out[feature_id] = (n, math.nan, math.nan)
            continue
        ref = stats.spearmanr(x[both], tumors[i][both])
        out[feature_id] = (n, ref.statistic, ref.pvalue)
    return out


def assert_cohort_equals_scipy(rows: list[dict], expected: dict[int, tuple[int, float, float]], top: int) -> None:
    tested = {f: v for f, v in expected.items() if not math.isnan(v[1])}
    assert len(rows) == min(top, len(expected)) if top else len(expected)
    for row in rows:
        n, rho, p = expected[row["partner_feature_id"]]
        assert row["n"] == n
        if math.isnan(rho):
            assert row["rho"] is None and row["note"]
            continue
        assert math.isclose(row["rho"], rho, rel_tol=1e-12, abs_tol=1e-15)
        assert math.isclose(row["p"], p, rel_tol=1e-10)
        assert row["signed_log10_p"] == (1 if rho >= 0 else -1) * -row["log10_p"]
    # the kept partners are the most significant ones, in order (1 = smallest p)
    ranked = sorted(tested, key=lambda f: tested[f][2])
    kept = [r["partner_feature_id"] for r in rows if r["rho"] is not None]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [tested[f][2] for f in kept] == pytest.approx([tested[f][2] for f in ranked[:len(kept)]], rel=1e-10)
    assert not top or len(kept) == min(top, len(tested))


@pytest.mark.parametrize("top", [0, 25])
def test_every_partner_equals_scipy_on_the_tumors_each_pair_shares(seeded, omicskb, top):
    rows = trans_rows(omicskb, seeded, "TP53", "-p", f"top={top}")
    ucec = [r for r in rows if r["cohort"] == "UCEC"]
    assert {r["gene_id"] for r in rows} == {"7157"} and {r["omics"] for r in rows} == {"protein"}
    expected = scipy_partners(seeded, "UCEC", "protein", "7157")
    assert_cohort_equals_scipy(ucec, expected, top)
    if top == 0:
        p = np.array([r["p"] for r in ucec if r["p"] is not None])
        q = np.array([r["q"] for r in ucec if r["p"] is not None])
        assert np.allclose(q, stats.false_discovery_control(p, method="bh"), rtol=1e-10)
    meta = [r for r in rows if r["is_meta"]]
    assert [r["partner_feature_id"] for r in meta] == [r["partner_feature_id"] for r in ucec if r["p"] is not None]
    assert all(m["n"] == 1 and m["p"] == u["p"] and m["signed_log10_p"] == u["signed_log10_p"] for m, u in zip(meta, ucec))
    named = next(r for r in ucec if r["partner_gene_id"])
    assert named["partner"] and named["partner"] != named["partner_gene_id"]


def test_meta_rows_equal_an_independent_stouffer_and_a_cohort_without_the_gene_says_so(seeded, omicskb, tmp_path):
    write_second_cohort(seeded, omicskb, tmp_path)
    rows = trans_rows(omicskb, seeded, "PTEN", "-p", "top=0")
    by_cohort: dict[str, dict[int, dict]] = {}
    for r in rows:
        by_cohort.setdefault(r["cohort"], {})[r["partner_feature_id"]] = r
    assert set(by_cohort) == {"LUAD", "UCEC", "META"}
    assert_cohort_equals_scipy(list(by_cohort["LUAD"].values()), scipy_partners(seeded, "LUAD", "protein", "5728"), 0)
    two = 0
    for feature_id, meta in by_cohort["META"].items():
        cohorts = [c[feature_id] for c in (by_cohort["LUAD"], by_cohort["UCEC"]) if feature_id in c and c[feature_id]["p"] is not None]
        assert meta["n"] == len(cohorts)
        if len(cohorts) != 2:
            continue
        directions = [1 if c["rho"] >= 0 else -1 for c in cohorts]
        majority = 1 if sum(directions) >= 0 else -1
        combined = sum(stats.norm.isf(c["p"] / 2) * (1 if d == majority else -1) for c, d in zip(cohorts, directions)) / math.sqrt(2)
        expected = (math.log(2) + stats.norm.logsf(abs(combined))) / math.log(10)
        assert math.isclose(meta["log10_p"], expected, rel_tol=1e-9, abs_tol=1e-12)
        assert meta["signed_log10_p"] == (majority if combined >= 0 else -majority) * -meta["log10_p"]
        assert meta["n_agree"] == sum(1 for d in directions if d == majority)
        two += 1
    assert two > 100
    # neither protein dataset has an IL7 row (the seed proteome lacks it): a note per cohort, not a silent gap
    il7 = trans_rows(omicskb, seeded, "IL7")
    assert [(r["cohort"], r["partner_feature_id"], r["rank"]) for r in il7] == [("LUAD", None, None), ("UCEC", None, None)]
    assert all("the gene has no row in" in r["note"] for r in il7)


def test_gene_trans_cannot_be_printed_for_plain_sql_and_an_unknown_gene_is_a_data_error(seeded, omicskb):
    for dialect in ("duckdb", "postgresql"):
        result = omicskb(seeded, "query", "gene_trans", "-p", "gene=TP53", "--sql", "--dialect", dialect)
        assert result.exit_code == 2 and "computes when it runs the query" in result.output
    result = omicskb(seeded, "query", "gene_trans", "-p", "gene=NOSUCHGENE")
    assert result.exit_code == 1 and "NOSUCHGENE" in result.output
    result = omicskb(seeded, "query", "gene_trans", "-p", "gene=TP53", "-p", "omics=phospho")
    assert result.exit_code == 2 and "not a gene-level omics type" in result.output


def test_rna_partners_come_from_the_rna_datasets(seeded, omicskb):
    rows = trans_rows(omicskb, seeded, "TP53", "-p", "omics=rna", "-p", "top=10")
    ucec = [r for r in rows if r["cohort"] == "UCEC"]
    assert {r["omics"] for r in rows} == {"rna"}
    assert_cohort_equals_scipy(ucec, scipy_partners(seeded, "UCEC", "rna", "7157"), 10)


@pytest.mark.realdata
def test_gene_trans_of_egfr_on_the_full_ucec_cohort_returns_exact_partners(realdata, tmp_path_factory, omicskb):
    """The acceptance check: the top 20 protein partners of EGFR on the complete cptac 2019 UCEC
    cohort, against scipy over every protein."""
    from conftest import SEEDS

    target = str(tmp_path_factory.mktemp("trans_ucec_full") / "ucec.duckdb")
    assert omicskb(target, "init").exit_code == 0
    assert omicskb(target, "load", "gene-info", realdata / "ncbi" / "Homo_sapiens.gene_info.gz").exit_code == 0
    result = omicskb(target, "load", "cohort", realdata / "cptac-ucec-2019", "--cohort", "UCEC", "--layout", "cptac2019")
    assert result.exit_code == 0, result.output
    assert SEEDS.is_dir()
    rows = trans_rows(omicskb, target, "EGFR", "-p", "top=20")
    ucec = [r for r in rows if r["cohort"] == "UCEC"]
    assert len(ucec) == 20 and all(r["partner"] for r in ucec)
    assert_cohort_equals_scipy(ucec, scipy_partners(target, "UCEC", "protein", "1956"), 20)
