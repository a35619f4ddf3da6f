"""benchmarks/tumor_normal.py: its naive pandas + scipy baseline, run on every feature of the seed
UCEC cohort's acetyl, protein and RNA blocks (phospho is skipped: 1,753 features of a loop at
about a millisecond each), agrees with what `omicskb derive` stored (a benchmark against a wrong
baseline says nothing), and on a subsample it checks the same features and extrapolates."""

from __future__ import annotations

from benchmarks.tumor_normal import check_agreement, naive_tumor_normal
from conftest import SEEDS

OMICS = ("acetyl", "protein", "rna")


def test_naive_baseline_agrees_with_derive(duckdb_target, omicskb, tmp_path):
    for args in (("load", "seeds", SEEDS), ("derive",)):
        result = omicskb(duckdb_target, *args)
        assert result.exit_code == 0, result.output

    naive = naive_tumor_normal(duckdb_target, 1, tmp_path / "naive.sqlite", echo=False, omics_types=OMICS)
    fig = naive["fig"]
    assert fig["features_sampled"] == fig["features"] > 0 and fig["tested_sampled"] > 100
    agreement = check_agreement(duckdb_target, naive, 1, OMICS)
    checks = agreement["checks"]
    assert agreement["agree"], checks
    assert checks["p"]["of"] == fig["tested_sampled"] and checks["q"]["of"] == fig["tested_sampled"]
    assert checks["meta p"]["of"] > 0 and checks["boxes"]["of"] > 0 and checks["exact"]["detail"] != "0 exact"

    sampled = naive_tumor_normal(duckdb_target, 7, tmp_path / "sampled.sqlite", echo=False, omics_types=OMICS)
    part = sampled["fig"]
    assert 0 < part["features_sampled"] < part["features"] == fig["features"]
    assert part["extrapolated_s"] >= part["measured_s"] * 0.9  # the per-feature phases scaled up
    sampled_agreement = check_agreement(duckdb_target, sampled, 7, OMICS)
    assert sampled_agreement["agree"], sampled_agreement["checks"]
    assert "q" not in sampled_agreement["checks"]  # BH ranks within the whole block
